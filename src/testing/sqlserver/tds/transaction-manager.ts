import { skipAllHeaders } from "./all-headers";
import type { EngineEvent } from "../types";
import { BufferReader } from "./buffer-reader";
import { EnvChangeType } from "./protocol";
import { encodeTransactionChange } from "./response";

/** Transaction manager request types (MS-TDS 2.2.6.9) that clients like tedious send. */
const RequestType = {
  Begin: 5,
  Commit: 7,
  Rollback: 8,
  Save: 9,
} as const;

/**
 * Parses a transaction manager request (packet type 0x0E), as tedious sends
 * for beginTransaction/commitTransaction/rollbackTransaction/saveTransaction,
 * into the equivalent T-SQL so the engine sees one kind of transaction
 * control. The isolation level of a BEGIN is not modelled and is dropped.
 */
export function parseTransactionManagerRequest(data: Buffer): string {
  const r = new BufferReader(data);
  skipAllHeaders(r);
  const type = r.u16le();
  const name = (): string => {
    if (r.remaining === 0) return "";
    const text = r.bytes(r.u8()).toString("utf16le");
    return text ? ` ${text}` : "";
  };
  switch (type) {
    case RequestType.Begin:
      r.u8(); // isolation level
      return `BEGIN TRANSACTION${name()}`;
    case RequestType.Commit:
      return `COMMIT TRANSACTION${name()}`;
    case RequestType.Rollback:
      return `ROLLBACK TRANSACTION${name()}`;
    case RequestType.Save:
      return `SAVE TRANSACTION${name()}`;
    default:
      throw new Error(`Unsupported transaction manager request ${type}`);
  }
}

/** An 8-byte transaction descriptor as ENVCHANGE carries it and clients echo in ALL_HEADERS. */
export function transactionDescriptor(sequence: number): Buffer {
  const descriptor = Buffer.alloc(8);
  descriptor.writeBigUInt64LE(BigInt(sequence));
  return descriptor;
}

/**
 * The ENVCHANGE tokens of one connection's transactions: clients such as tedious track the transaction
 * descriptor from them (and mssql learns of a rollback).
 */
export class TransactionTracker {
  private started = 0;
  private descriptor: Buffer = Buffer.alloc(8);

  /** The token for a transaction that began or ended during a request (by @@TRANCOUNT), or nothing. */
  change(before: number, after: number, events: EngineEvent[]): Buffer {
    if (before === 0 && after > 0) {
      this.descriptor = transactionDescriptor(++this.started);
      return encodeTransactionChange(EnvChangeType.BeginTransaction, this.descriptor);
    }
    if (before > 0 && after === 0) {
      const failed = events.some((e) => e.kind === "error");
      const type = failed ? EnvChangeType.RollbackTransaction : EnvChangeType.CommitTransaction;
      return encodeTransactionChange(type, this.descriptor);
    }
    return Buffer.alloc(0);
  }
}

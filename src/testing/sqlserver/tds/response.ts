import { SqlError, type EngineEvent, type ServerMessage } from "../types";
import { BufferWriter } from "./buffer-writer";
import { DEFAULT_COLLATION, DoneStatus, EnvChangeType, Token } from "./protocol";
import {
  writeColMetadata,
  writeDone,
  writeEnvChangeCollation,
  writeEnvChangeText,
  writeEnvChangeTransaction,
  writeLoginAck,
  writeMessage,
  writeReturnStatus,
  writeRow,
} from "./tokens";

/**
 * Turns what the engine produced into a token stream.
 * Batch: one DONE per statement, MORE on all but the last.
 * RPC: DONEINPROC per statement, then RETURNSTATUS and a final DONEPROC.
 */
export function encodeEvents(events: EngineEvent[], kind: "batch" | "rpc", serverName: string): Buffer {
  const w = new BufferWriter(1024);
  const failed = events.some((e) => e.kind === "error" || (e.kind === "done" && e.error));
  const lastIndex = events.length - 1;
  // The engine's last "done" ends a batch only when nothing follows it.
  const batchEndsWithDone = kind === "batch" && events.length > 0 && events[lastIndex].kind === "done";
  let returnStatus = 0;
  events.forEach((event, i) => {
    switch (event.kind) {
      case "rows":
        writeColMetadata(w, event.resultSet.columns);
        for (const row of event.resultSet.rows) writeRow(w, event.resultSet.columns, row);
        return;
      case "done": {
        const final = batchEndsWithDone && i === lastIndex;
        const status =
          (final ? DoneStatus.Final : DoneStatus.More) |
          (event.rowCount !== undefined ? DoneStatus.Count : 0) |
          (event.error ? DoneStatus.Error : 0);
        writeDone(w, kind === "batch" ? Token.Done : Token.DoneInProc, status, event.rowCount ?? 0);
        return;
      }
      case "info":
      case "error":
        writeMessage(w, event.message, serverName);
        return;
      case "database":
        writeEnvChangeText(w, EnvChangeType.Database, event.newValue, event.oldValue);
        return;
      case "returnStatus":
        returnStatus = event.value;
        return;
    }
  });
  const errorBit = failed ? DoneStatus.Error : 0;
  if (kind === "rpc") {
    writeReturnStatus(w, returnStatus);
    writeDone(w, Token.DoneProc, DoneStatus.Final | errorBit);
  } else if (!batchEndsWithDone) {
    writeDone(w, Token.Done, DoneStatus.Final | errorBit);
  }
  return w.toBuffer();
}

export function encodeTransactionChange(
  type:
    | typeof EnvChangeType.BeginTransaction
    | typeof EnvChangeType.CommitTransaction
    | typeof EnvChangeType.RollbackTransaction,
  descriptor: Buffer,
): Buffer {
  const w = new BufferWriter(32);
  writeEnvChangeTransaction(w, type, descriptor);
  return w.toBuffer();
}

/** A lone DONE token. */
export function encodeDone(status: number): Buffer {
  const w = new BufferWriter(16);
  writeDone(w, Token.Done, status);
  return w.toBuffer();
}

/** The answer to an ATTENTION: a DONE carrying the ATTN bit. */
export function encodeAttentionAck(): Buffer {
  return encodeDone(DoneStatus.Attention);
}

/** An error answered in place of running a request, e.g. an injected fault. */
export function encodeError(message: ServerMessage, serverName: string): Buffer {
  const w = new BufferWriter(128);
  writeMessage(w, message, serverName);
  writeDone(w, Token.Done, DoneStatus.Error);
  return w.toBuffer();
}

export interface LoginResponse {
  database: string;
  packetSize: number;
  serverName: string;
  productVersion: string;
  tdsVersion: number;
}

/** Successful login, in the order SQL Server sends it. */
export function encodeLoginResponse(login: LoginResponse): Buffer {
  const w = new BufferWriter(512);
  const info = (number: number, message: string): ServerMessage => ({
    number,
    state: number === 5701 ? 2 : 1,
    severity: 0,
    message,
  });
  writeEnvChangeText(w, EnvChangeType.Database, login.database, "master");
  writeMessage(w, info(5701, `Changed database context to '${login.database}'.`), login.serverName);
  writeEnvChangeCollation(w, DEFAULT_COLLATION);
  writeEnvChangeText(w, EnvChangeType.Language, "us_english", "");
  writeMessage(w, info(5703, "Changed language setting to us_english."), login.serverName);
  writeEnvChangeText(w, EnvChangeType.PacketSize, String(login.packetSize), String(login.packetSize));
  writeLoginAck(w, "Microsoft SQL Server", login.productVersion, login.tdsVersion);
  writeDone(w, Token.Done, DoneStatus.Final);
  return w.toBuffer();
}

/** A refused login: the cause, if any (e.g. 4060), then 18456, DONE with the error bit. */
export function encodeLoginFailed(user: string, serverName: string, cause?: ServerMessage): Buffer {
  const w = new BufferWriter(256);
  if (cause) writeMessage(w, cause, serverName);
  writeMessage(
    w,
    { number: 18456, state: 1, severity: 14, message: `Login failed for user '${user}'.` },
    serverName,
  );
  writeDone(w, Token.Done, DoneStatus.Error);
  return w.toBuffer();
}

/** An engine exception as a message for the client: SqlError keeps its number, anything else is 50000. */
export function toServerMessage(error: unknown): ServerMessage {
  if (error instanceof SqlError) {
    return { number: error.number, state: error.state, severity: error.severity, message: error.message };
  }
  return {
    number: 50000,
    state: 1,
    severity: 16,
    message: error instanceof Error ? error.message : String(error),
  };
}

import type { EngineEvent, Session, SqlEngine } from "../types";
import { parseSqlBatch } from "./batch";
import type { TdsMessage } from "./packet";
import { PacketType } from "./protocol";
import { parseRpc } from "./rpc";
import { parseTransactionManagerRequest } from "./transaction-manager";

const TDS_7_2 = 0x72000000;

export interface IncomingRequest {
  kind: "batch" | "rpc";
  /** Batch text, the @stmt of sp_executesql, or the procedure name. */
  text: string;
  login: string;
}

/** A request parsed once: what the server's host sees of it, and how to run it. */
export interface ParsedRequest extends IncomingRequest {
  run(session: Session): Promise<EngineEvent[]>;
}

/**
 * Parses a SQL batch, an RPC or a transaction manager request (run as its T-SQL equivalent, counted as
 * a batch). ALL_HEADERS come with TDS 7.2 and later. Throws on a malformed message.
 */
export function parseRequest(
  message: TdsMessage,
  tdsVersion: number,
  login: string,
  engine: SqlEngine,
): ParsedRequest {
  const hasAllHeaders = tdsVersion >= TDS_7_2;
  if (message.type === PacketType.SqlBatch || message.type === PacketType.TransactionManager) {
    const text =
      message.type === PacketType.SqlBatch
        ? parseSqlBatch(message.data, hasAllHeaders)
        : parseTransactionManagerRequest(message.data);
    return { kind: "batch", text, login, run: (session) => engine.executeBatch(session, text) };
  }
  const rpc = parseRpc(message.data, hasAllHeaders);
  const stmt = rpc.procName === "sp_executesql" ? rpc.params[0]?.value : undefined;
  return {
    kind: "rpc",
    text: typeof stmt === "string" ? stmt : rpc.procName,
    login,
    run: (session) => engine.executeRpc(session, rpc.procName, rpc.params),
  };
}

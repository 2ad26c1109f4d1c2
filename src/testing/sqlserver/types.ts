/**
 * The contract between the TDS front end of the SQL Server emulator and its
 * T-SQL engine. The TDS layer knows nothing of T-SQL; the engine knows nothing
 * of packets. Both sides depend only on this file.
 */

/** SQL Server types the emulator can put on the wire (MS-TDS TYPE_INFO). */
export type SqlType =
  | { kind: "tinyint" }
  | { kind: "smallint" }
  | { kind: "int" }
  | { kind: "bigint" }
  | { kind: "bit" }
  /** nvarchar(n) or nvarchar(max); char/varchar/sysname columns are sent as nvarchar. */
  | { kind: "nvarchar"; length: number | "max" }
  | { kind: "varbinary"; length: number | "max" }
  | { kind: "datetime" }
  | { kind: "uniqueidentifier" }
  /** numeric(p, s): LSNs are numeric(25,0). Values travel as bigint | string. */
  | { kind: "numeric"; precision: number; scale: number }
  /** SERVERPROPERTY() results. The base type is taken from the JS value. */
  | { kind: "sql_variant" };

/**
 * A cell value. NULL is `null`. Integers are `number` (bigint/numeric may be
 * `bigint` or a decimal string), bit is `boolean`, binary is `Buffer`,
 * datetime is `Date`, uniqueidentifier is an upper-case GUID string.
 */
export type SqlValue = null | string | number | bigint | boolean | Buffer | Date;

export interface ColumnDef {
  /** Column name as the client sees it ("" for an unnamed expression). */
  name: string;
  type: SqlType;
  nullable?: boolean;
}

export interface ResultSet {
  columns: ColumnDef[];
  rows: SqlValue[][];
}

/** A SQL Server message (ERROR or INFO token). */
export interface ServerMessage {
  number: number;
  state: number;
  /** Severity ("class"). ≤ 10 travels as INFO, ≥ 11 as ERROR. */
  severity: number;
  message: string;
  procName?: string;
  lineNumber?: number;
}

/**
 * What running one request (a batch or an RPC) produced, in order. The TDS
 * layer turns it into a token stream: COLMETADATA/ROW for `rows`, DONE (or
 * DONEINPROC inside an RPC) for `done`, INFO/ERROR for messages, ENVCHANGE
 * for `database`.
 */
export type EngineEvent =
  | { kind: "rows"; resultSet: ResultSet }
  /** End of one statement. `rowCount` set for SELECT and DML. `error` when the statement failed. */
  | { kind: "done"; rowCount?: number; error?: boolean }
  | { kind: "info"; message: ServerMessage }
  | { kind: "error"; message: ServerMessage }
  /** The session's current database changed (USE). */
  | { kind: "database"; oldValue: string; newValue: string }
  /** RPC only: the procedure's return status (RETURNSTATUS token). */
  | { kind: "returnStatus"; value: number };

/** An RPC parameter as decoded from the wire. */
export interface RpcParam {
  /** With the leading "@", or "" for a positional parameter. */
  name: string;
  type: SqlType;
  value: SqlValue;
  output: boolean;
}

/** A logged-in connection's state. The engine owns and mutates it. */
export interface Session {
  readonly id: number;
  readonly login: string;
  database: string;
  /** @@TRANCOUNT */
  tranCount: number;
  /** Set by the TDS layer when an ATTENTION arrives; the engine stops at the next statement. */
  cancelled: boolean;
}

export interface LoginResult {
  ok: boolean;
  /** Database the session starts in. */
  database: string;
}

export interface ServerIdentity {
  /** @@SERVERNAME, e.g. "SQL1" or "HOST\\INSTANCE". */
  serverName: string;
  /** "16.0.4125.3" */
  productVersion: string;
  /** Collation name, e.g. "SQL_Latin1_General_CP1_CI_AS". */
  collation: string;
}

/** The engine the TDS front end drives. */
export interface SqlEngine {
  identity(): ServerIdentity;
  /** SQL authentication. A failed login is answered with error 18456 by the TDS layer. */
  authenticate(user: string, password: string): LoginResult;
  openSession(login: string, database: string): Session;
  closeSession(session: Session): void;
  /** A SQL batch (TDS packet type 0x01). Never rejects: SQL errors are events. */
  executeBatch(session: Session, sql: string): Promise<EngineEvent[]>;
  /** An RPC (TDS packet type 0x03). `procName` is "sp_executesql" for procedure id 10. */
  executeRpc(session: Session, procName: string, params: RpcParam[]): Promise<EngineEvent[]>;
}

/** A SQL Server error raised inside the engine; becomes an ERROR token. */
export class SqlError extends Error {
  constructor(
    readonly number: number,
    message: string,
    readonly severity = 16,
    readonly state = 1,
  ) {
    super(message);
    this.name = "SqlError";
  }
}

/**
 * Sending T-SQL: statements in autocommit mode (DDL, BACKUP and availability-group statements are
 * refused inside transactions) and parameterized catalog reads. Failures are described
 * ({@link SqlServerOperationError}) with the pool's secrets removed.
 */
import type * as mssql from "mssql";
import { describeSqlError, type SqlErrorContext } from "./errors";
import { describedPool } from "./pool";
import { isTransientReadFailure, withRetry, type RetryOptions } from "./retry";

/** A parameter value; the SQL type is chosen from the JavaScript type unless given. */
export type SqlParamValue =
  | string
  | number
  | boolean
  | Buffer
  | Date
  | null
  | { type: "nvarchar" | "int" | "bigint" | "bit" | "varbinary" | "datetime"; value: unknown };

/** Parameters by name, without the leading "@". */
export type SqlParams = Readonly<Record<string, SqlParamValue>>;

/** An informational message of the server (PRINT, backup progress 4035/3014, ...). */
export interface SqlInfoMessage {
  number: number;
  message: string;
}

export interface StatementResult {
  rowsAffected: number[];
  messages: SqlInfoMessage[];
}

/** What the failure message should name. Default action: "run a statement". */
export type OperationContext = Partial<Omit<SqlErrorContext, "server">>;

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type MssqlModule = typeof import("mssql");

function sqlTypeFor(
  sql: MssqlModule,
  value: SqlParamValue,
): { type: mssql.ISqlType | (() => mssql.ISqlType); value: unknown } {
  if (value !== null && typeof value === "object" && !Buffer.isBuffer(value) && !(value instanceof Date)) {
    const typed = value as { type: string; value: unknown };
    const types: Record<string, mssql.ISqlType | (() => mssql.ISqlType)> = {
      nvarchar: sql.NVarChar(sql.MAX),
      int: sql.Int,
      bigint: sql.BigInt,
      bit: sql.Bit,
      varbinary: sql.VarBinary(sql.MAX),
      datetime: sql.DateTime,
    };
    return { type: types[typed.type], value: typed.value };
  }
  if (typeof value === "string") {
    return { type: value.length <= 4000 ? sql.NVarChar(4000) : sql.NVarChar(sql.MAX), value };
  }
  if (typeof value === "number") {
    return { type: Number.isInteger(value) && Math.abs(value) <= 2 ** 31 - 1 ? sql.Int : sql.BigInt, value };
  }
  if (typeof value === "boolean") return { type: sql.Bit, value };
  if (Buffer.isBuffer(value)) return { type: sql.VarBinary(sql.MAX), value };
  if (value instanceof Date) return { type: sql.DateTime, value };
  return { type: sql.NVarChar(4000), value: null };
}

function newRequest(
  pool: mssql.ConnectionPool,
  params: SqlParams | undefined,
  messages: SqlInfoMessage[],
): mssql.Request {
  const sql = require("mssql") as MssqlModule;
  const request = pool.request();
  request.on("info", (info: { number: number; message: string }) => {
    messages.push({ number: info.number, message: info.message });
  });
  for (const [name, raw] of Object.entries(params ?? {})) {
    if (!PARAM_NAME.test(name)) throw new Error(`Invalid parameter name '${name}'.`);
    const { type, value } = sqlTypeFor(sql, raw);
    request.input(name, type, value);
  }
  return request;
}

function fail(pool: mssql.ConnectionPool, error: unknown, context: OperationContext | undefined): never {
  const known = describedPool(pool);
  throw describeSqlError(error, {
    action: context?.action ?? "run a statement",
    object: context?.object,
    server: known?.server,
    secrets: [...(known?.secrets ?? []), ...(context?.secrets ?? [])],
  });
}

/**
 * Runs one batch in autocommit mode. Without parameters it travels as a plain SQL batch (what
 * DDL needs: availability-group DDL takes no variables); with parameters through sp_executesql.
 * Never retried: a statement may have taken effect before the connection broke.
 */
export async function runStatement(
  pool: mssql.ConnectionPool,
  sqlText: string,
  params?: SqlParams,
  context?: OperationContext,
): Promise<StatementResult> {
  const messages: SqlInfoMessage[] = [];
  try {
    const request = newRequest(pool, params, messages);
    const hasParams = params !== undefined && Object.keys(params).length > 0;
    const result = hasParams ? await request.query(sqlText) : await request.batch(sqlText);
    return { rowsAffected: result.rowsAffected, messages };
  } catch (error) {
    fail(pool, error, context);
  }
}

/**
 * Runs a change statement and, in the same round trip, a catalog read of what it changed, and
 * returns the read's result sets. The two travel as one sp_executesql with the read's parameters
 * (DDL and BACKUP may run there; they only refuse transactions), the statement first.
 *
 * Everything else is {@link runStatement}'s: never retried (the statement may have run before the
 * connection broke), and a failure is described with the statement's `context`, secrets removed.
 * When the statement fails, SQL Server may still run the read, but the driver reports the error.
 */
export async function runStatementThenRead(
  pool: mssql.ConnectionPool,
  statementSql: string,
  readSql: string,
  params: SqlParams,
  context?: OperationContext,
): Promise<Record<string, unknown>[][]> {
  try {
    const request = newRequest(pool, params, []);
    const result = await request.query(statementThenRead(statementSql, readSql));
    const sets = result.recordsets as unknown as Record<string, unknown>[][];
    return sets.map((set) => [...set]);
  } catch (error) {
    fail(pool, error, context);
  }
}

/** The text of {@link runStatementThenRead}: the statement, ended by a semicolon, then the read. */
export function statementThenRead(statementSql: string, readSql: string): string {
  const statement = statementSql.trim();
  return `${statement.endsWith(";") ? statement : `${statement};`}\n${readSql.trim()}`;
}

export interface QueryOptions extends OperationContext {
  /** Retries of transient connection failures (reads are idempotent). Default: 3 attempts. */
  retry?: RetryOptions;
}

/** Runs a parameterized read and returns every result set (one round trip). */
export async function runQueryResultSets(
  pool: mssql.ConnectionPool,
  sqlText: string,
  params: SqlParams = {},
  options: QueryOptions = {},
): Promise<Record<string, unknown>[][]> {
  try {
    return await withRetry(
      async () => {
        const result = await newRequest(pool, params, []).query(sqlText);
        const sets = result.recordsets as unknown as Record<string, unknown>[][];
        return sets.map((set) => [...set]);
      },
      {
        attempts: 3,
        initialDelayMs: 250,
        deadlineMs: 30_000,
        isRetryable: isTransientReadFailure,
        ...options.retry,
      },
    );
  } catch (error) {
    fail(pool, error, { action: "read from SQL Server", ...options });
  }
}

/** Runs a parameterized read and returns the rows of its first result set. */
export async function runQuery<T = Record<string, unknown>>(
  pool: mssql.ConnectionPool,
  sqlText: string,
  params: SqlParams = {},
  options: QueryOptions = {},
): Promise<T[]> {
  const sets = await runQueryResultSets(pool, sqlText, params, options);
  return (sets[0] ?? []) as T[];
}

/**
 * What every provider test against the SQL Server emulator needs besides the host: the provider's
 * connection inputs for an emulator, T-SQL run as the emulator's administrator (set-up and
 * out-of-band changes), and the emulator's catalog read in process.
 */
import type { IResult } from "mssql";
import type { SqlServerEmulator } from "../../../src/testing/sqlserver";

/** A catalog row, column name to value. */
export type CatalogRow = Record<string, unknown>;

/** The session the in-process catalog reads run as: the administrator, in master, no transaction. */
export const ADMIN_CONTEXT = { login: "sa", database: "master", inTransaction: false, info: () => undefined };

/**
 * The `connection` input of a provider for this emulator (the password goes separately, as a
 * secret); `extra` adds or overrides settings such as timeouts.
 */
export function connectionInputs(
  emulator: SqlServerEmulator,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const info = emulator.connectionInfo();
  return { host: info.host, port: info.port, user: info.user, trustServerCertificate: true, ...extra };
}

/**
 * The flat connection the components' read-only lookups take (`getSqlServerInfo`,
 * `lookupEndpointCertificate`) for an emulator, as its administrator, password included.
 */
export function lookupConnection(emulator: SqlServerEmulator) {
  const info = emulator.connectionInfo();
  return {
    host: info.host,
    port: info.port,
    user: info.user,
    password: info.password,
    trustServerCertificate: true,
  };
}

/**
 * Runs a batch as the emulator's administrator over its own connection (not the provider's), so
 * set-up and out-of-band changes go through the same TDS path as a DBA's tool would.
 */
export async function adminBatch(emulator: SqlServerEmulator, sqlText: string): Promise<IResult<unknown>> {
  const sql: typeof import("mssql") = require("mssql");
  const info = emulator.connectionInfo();
  const pool = await new sql.ConnectionPool({
    server: info.host,
    port: info.port,
    user: info.user,
    password: info.password,
    options: { encrypt: false },
  }).connect();
  try {
    return await pool.request().batch(sqlText);
  } finally {
    await pool.close();
  }
}

/** A catalog view's rows as the administrator sees them, read in process (no request is counted). */
export function catalogRows(emulator: SqlServerEmulator, table: string): CatalogRow[] {
  const t = emulator.model.catalogTable(table, ADMIN_CONTEXT);
  return (t?.rows ?? []).map((row) => Object.fromEntries(t!.columns.map((c, i) => [c.name, row[i]])));
}

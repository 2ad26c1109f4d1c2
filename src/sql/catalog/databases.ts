import type * as mssql from "mssql";
import { databaseParamName, databasesQuery } from "../../tsql/queries/databases";
import { runQuery, type SqlParams } from "../execute";
import { number, optionalDate, optionalText, text, type Row } from "./values";

const SYSTEM_DATABASES: readonly string[] = ["master", "model", "msdb", "tempdb"];

export interface DatabaseInfo {
  name: string;
  databaseId: number;
  /** ONLINE, RESTORING, RECOVERING, OFFLINE, ... */
  state: string;
  /** FULL, BULK_LOGGED, SIMPLE */
  recoveryModel: string;
  isSystem: boolean;
  /** What keeps the log from being truncated: NOTHING, LOG_BACKUP, AVAILABILITY_REPLICA, ... */
  logReuseWait: string | null;
  /** The (regular) availability group the database belongs to, if any. */
  availabilityGroup: string | null;
  /** Finish of the last full backup that was not COPY_ONLY (starts a log backup chain). */
  lastFullBackup: Date | null;
  lastLogBackup: Date | null;
}

/**
 * Reads the named databases (all when `names` is omitted), one round trip. Databases that do
 * not exist are absent from the result.
 */
export async function readDatabases(
  pool: mssql.ConnectionPool,
  names?: readonly string[],
): Promise<DatabaseInfo[]> {
  const unique = names ? [...new Set(names)] : [];
  if (names && unique.length === 0) return [];
  const rows = await runQuery(pool, databasesQuery(unique.length), databaseParams(unique), {
    action: "read databases",
    object: unique.map((n) => `[${n}]`).join(", ") || undefined,
  });
  return rows.map(parseDatabase);
}

/** The parameters of `databasesQuery(names.length)`: one per name, in order. */
export function databaseParams(names: readonly string[]): SqlParams {
  return Object.fromEntries(names.map((name, i) => [databaseParamName(i), name]));
}

/** One database from a row of `databasesQuery`. */
export function parseDatabase(row: Row): DatabaseInfo {
  const name = text(row, "name");
  const databaseId = number(row, "database_id");
  return {
    name,
    databaseId,
    state: text(row, "state_desc"),
    recoveryModel: text(row, "recovery_model_desc"),
    isSystem: SYSTEM_DATABASES.includes(name.toLowerCase()) || databaseId <= 4,
    logReuseWait: optionalText(row, "log_reuse_wait_desc"),
    availabilityGroup: optionalText(row, "availability_group_name"),
    lastFullBackup: optionalDate(row, "last_full_backup"),
    lastLogBackup: optionalDate(row, "last_log_backup"),
  };
}

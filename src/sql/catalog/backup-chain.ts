import type * as mssql from "mssql";
import { BACKUP_CHAIN_QUERY } from "../../tsql/queries/backup-chain";
import { runQueryResultSets } from "../execute";
import { number, optionalDate, optionalText, text, type Row } from "./values";

export interface BackupChainInfo {
  name: string;
  databaseId: number;
  /** ONLINE, RESTORING, ... */
  state: string;
  /** FULL, BULK_LOGGED, SIMPLE */
  recoveryModel: string;
  /**
   * A log backup chain exists: a full backup (not COPY_ONLY) was taken since the database last
   * entered FULL or BULK_LOGGED recovery.
   */
  chainIntact: boolean;
  /** Finish of the last full backup that was not COPY_ONLY, whatever the recovery model then. */
  lastFullBackup: Date | null;
}

/** What {@link readBackupChain} asks: `BACKUP_CHAIN_QUERY` with these parameters. */
export function backupChainParams(database: string): { database: string } {
  return { database };
}

/** The backup chain from the result sets of `BACKUP_CHAIN_QUERY`; null when the database does not exist. */
export function parseBackupChain(sets: readonly Row[][]): BackupChainInfo | null {
  const row = sets[0]?.[0];
  if (!row) return null;
  const recoveryModel = text(row, "recovery_model_desc");
  return {
    name: text(row, "name"),
    databaseId: number(row, "database_id"),
    state: text(row, "state_desc"),
    recoveryModel,
    chainIntact: recoveryModel !== "SIMPLE" && optionalText(row, "last_log_backup_lsn") !== null,
    lastFullBackup: optionalDate(row, "last_full_backup"),
  };
}

/** Reads the backup chain of one database; null when the database does not exist. */
export async function readBackupChain(
  pool: mssql.ConnectionPool,
  database: string,
): Promise<BackupChainInfo | null> {
  const sets = await runQueryResultSets(pool, BACKUP_CHAIN_QUERY, backupChainParams(database), {
    action: "read the recovery model and backups of database",
    object: `[${database}]`,
  });
  return parseBackupChain(sets);
}

import type * as mssql from "mssql";
import { BACKUP_HISTORY_QUERY } from "../../tsql/queries/backup-history";
import { runQuery } from "../execute";
import { flag, number, optionalDate, optionalLsn, optionalNumber, optionalText, text } from "./values";

export interface BackupRecord {
  backupSetId: number;
  database: string;
  /** D full, I differential, L log */
  type: "D" | "I" | "L" | string;
  isCopyOnly: boolean;
  startDate: Date | null;
  finishDate: Date | null;
  recoveryModel: string | null;
  firstLsn: string | null;
  lastLsn: string | null;
  databaseBackupLsn: string | null;
  sizeBytes: number | null;
}

/** Reads the 100 most recent backups of `database` from msdb, newest first. */
export async function readBackupHistory(
  pool: mssql.ConnectionPool,
  database: string,
): Promise<BackupRecord[]> {
  const rows = await runQuery(
    pool,
    BACKUP_HISTORY_QUERY,
    { database },
    {
      action: "read the backup history of database",
      object: `[${database}]`,
    },
  );
  return rows.map((row) => ({
    backupSetId: number(row, "backup_set_id"),
    database: text(row, "database_name"),
    type: text(row, "type").trim(),
    isCopyOnly: flag(row, "is_copy_only"),
    startDate: optionalDate(row, "backup_start_date"),
    finishDate: optionalDate(row, "backup_finish_date"),
    recoveryModel: optionalText(row, "recovery_model"),
    firstLsn: optionalLsn(row, "first_lsn"),
    lastLsn: optionalLsn(row, "last_lsn"),
    databaseBackupLsn: optionalLsn(row, "database_backup_lsn"),
    sizeBytes: optionalNumber(row, "backup_size"),
  }));
}

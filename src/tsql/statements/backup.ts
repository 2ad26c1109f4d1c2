import { quoteIdentifier, quoteString, TsqlInputError } from "../quote";

/** Where a backup goes: a file path on the SQL Server host (`NUL` discards it) or an https URL. */
export type BackupTarget = { disk: string } | { url: string };

export interface BackupOptions {
  /**
   * COPY_ONLY backups do not start a backup chain, so they do not satisfy the link's "full
   * backup" requirement (error 1475). Off unless asked for.
   */
  copyOnly?: boolean;
  compression?: boolean;
  checksum?: boolean;
  /** Overwrite the backup sets in the target file instead of appending (INIT). */
  init?: boolean;
  /** Report progress every n percent (1-100). */
  stats?: number;
}

function targetClause(target: BackupTarget): string {
  if (target && "disk" in target) {
    if (typeof target.disk !== "string" || target.disk.length === 0) {
      throw new TsqlInputError(
        "target.disk",
        "is empty",
        "Give the backup file path, e.g. /var/opt/mssql/backup/db.bak.",
      );
    }
    return `TO DISK = ${quoteString(target.disk, "target.disk")}`;
  }
  if (target && "url" in target) {
    if (typeof target.url !== "string" || !/^https:\/\/[^\s]+$/i.test(target.url)) {
      throw new TsqlInputError(
        "target.url",
        "is not an https URL",
        "Give the blob URL, e.g. https://account.blob.core.windows.net/container/db.bak.",
      );
    }
    return `TO URL = ${quoteString(target.url, "target.url")}`;
  }
  throw new TsqlInputError(
    "target",
    "has neither disk nor url",
    "Pass { disk: path } or { url: https URL }.",
  );
}

function withClause(options: BackupOptions): string {
  const parts: string[] = [];
  if (options.copyOnly) parts.push("COPY_ONLY");
  if (options.compression) parts.push("COMPRESSION");
  if (options.checksum) parts.push("CHECKSUM");
  if (options.init) parts.push("INIT");
  if (options.stats !== undefined) {
    const stats = options.stats;
    if (!Number.isInteger(stats) || stats < 1 || stats > 100) {
      throw new TsqlInputError(
        "options.stats",
        `${String(stats)} is not a percentage`,
        "Use an integer from 1 to 100.",
      );
    }
    parts.push(`STATS = ${stats}`);
  }
  return parts.length === 0 ? "" : `\nWITH ${parts.join(", ")}`;
}

/**
 * `BACKUP DATABASE [db] TO DISK|URL = N'...' [WITH ...];` — a full backup starts the backup chain
 * the link needs. Not allowed inside a transaction.
 */
export function buildFullBackupSql(
  database: string,
  target: BackupTarget,
  options: BackupOptions = {},
): string {
  return `BACKUP DATABASE ${quoteIdentifier(database, "database")} ${targetClause(target)}${withClause(options)};`;
}

/**
 * `BACKUP LOG [db] TO DISK|URL = N'...' [WITH ...];` — log backups keep the log from filling up
 * while the link replicates. Not allowed inside a transaction.
 */
export function buildLogBackupSql(
  database: string,
  target: BackupTarget,
  options: BackupOptions = {},
): string {
  return `BACKUP LOG ${quoteIdentifier(database, "database")} ${targetClause(target)}${withClause(options)};`;
}

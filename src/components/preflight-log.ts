/**
 * Warnings (not failures) about the transaction log of the linked databases, from what the
 * preflight lookup already read: the link keeps the log on SQL Server until a log backup runs, and
 * a full log (error 9002) stops the database and the link (mi-link.md §1 row 14, §5). This
 * component takes only the first log backup after seeding; the regular ones are the user's.
 */
import type { SqlServerInfo } from "./sql-server-info";

/** A database without a log backup for this long gets a warning. */
export const LOG_BACKUP_WARNING_HOURS = 24;

/** What holds the log and means it grows until something is done. */
const HELD_BY: Record<string, string> = {
  LOG_BACKUP: "it waits for a log backup",
  AVAILABILITY_REPLICA:
    "a replica of the link has not received or redone it yet (take log backups; check the link)",
};

/**
 * One message per database whose log needs attention; empty when all is well. With `scheduled`
 * (MiLink's logBackupSchedule) the component's Agent job takes the log backups: an old last log
 * backup is then not worth a warning, a held log still is.
 */
export function logBackupWarnings(
  info: SqlServerInfo,
  databases: readonly string[],
  now: Date,
  options: { scheduled?: boolean } = {},
): string[] {
  const warnings: string[] = [];
  for (const name of databases) {
    const db = info.databases.find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (!db || db.isSystem || db.recoveryModel === "SIMPLE") continue;
    const last = db.lastLogBackup === null ? null : Date.parse(db.lastLogBackup);
    const hours = last === null ? null : (now.getTime() - last) / 3_600_000;
    if (!options.scheduled && (hours === null || hours > LOG_BACKUP_WARNING_HOURS)) {
      warnings.push(
        `[${db.name}]: no log backup in the last ${LOG_BACKUP_WARNING_HOURS} h (last: ${db.lastLogBackup ?? "never"}). ` +
          "The link keeps the log until a log backup runs, and a full log (error 9002) stops the database and the " +
          "link: schedule regular log backups on SQL Server, or set logBackupSchedule (this component takes only the " +
          "first one after seeding).",
      );
    }
    const held = db.logReuseWait ? HELD_BY[db.logReuseWait.toUpperCase()] : undefined;
    if (held) {
      warnings.push(
        `[${db.name}]: the log cannot be truncated (log_reuse_wait_desc = ${db.logReuseWait}): ${held}. ` +
          "Watch its size (sys.dm_db_log_space_usage): a full log (error 9002) stops the database and the link.",
      );
    }
  }
  return warnings;
}

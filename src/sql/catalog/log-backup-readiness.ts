import { number, optionalDate, optionalText, type Row } from "./values";

export interface LogBackupReadiness {
  /** States of the automatic seeding attempts that have not ended (SEEDING, PENDING, ...). */
  seedingInProgress: string[];
  /** When the last completed automatic seeding ended; null when none completed. */
  seedingCompletedAt: Date | null;
  /** The newest log backup of the database, if any. */
  lastLogBackup: { backupSetId: number; startDate: Date | null; finishDate: Date | null } | null;
}

const ENDED_AUTOMATIC = ["COMPLETED", "FAILED"];
const ENDED_PHYSICAL = ["SUCCESS", "FAILED"];

/** The parameters of `LOG_BACKUP_READINESS_QUERY`. */
export function logBackupReadinessParams(
  dagName: string,
  database: string,
): { dagName: string; database: string } {
  return { dagName, database };
}

/** The readiness from the result sets of `LOG_BACKUP_READINESS_QUERY`. */
export function parseLogBackupReadiness(sets: readonly Row[][]): LogBackupReadiness {
  const [automatic = [], physical = [], backups = []] = sets;
  const inProgress = [
    ...automatic
      .map((row) => optionalText(row, "current_state"))
      .filter((s) => !ENDED_AUTOMATIC.includes((s ?? "").toUpperCase())),
    ...physical
      .map((row) => optionalText(row, "internal_state_desc"))
      .filter((s) => !ENDED_PHYSICAL.includes((s ?? "").toUpperCase())),
  ].map((s) => s ?? "unknown");
  const completed = automatic
    .filter((row) => (optionalText(row, "current_state") ?? "").toUpperCase() === "COMPLETED")
    .map((row) => optionalDate(row, "completion_time"))
    .filter((d): d is Date => d !== null)
    .sort((a, b) => b.getTime() - a.getTime());
  const last = backups[0];
  return {
    seedingInProgress: inProgress,
    seedingCompletedAt: completed[0] ?? null,
    lastLogBackup: last
      ? {
          backupSetId: number(last, "backup_set_id"),
          startDate: optionalDate(last, "backup_start_date"),
          finishDate: optionalDate(last, "backup_finish_date"),
        }
      : null,
  };
}

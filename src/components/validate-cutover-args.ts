/**
 * Validation of MiLink's cutover and log backup arguments (`cutover` with `primary`,
 * `firstBackupTimeoutSeconds`, `logBackupSchedule`): pure, run with the other argument checks
 * before anything is registered. Outputs and Promises are skipped: their resources check them.
 */
import type { MiLinkArgs } from "./args";
import { isLater } from "./arg-problems";
import type { Problem } from "./problems";

/** Every problem of those arguments, each with its fix; empty when they are fine. */
export function cutoverAndLogBackupProblems(args: MiLinkArgs): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, problem: string, fix: string) => problems.push({ field, problem, fix });
  if (
    args.cutover === true &&
    args.primary !== undefined &&
    !isLater(args.primary) &&
    args.primary !== "ManagedInstance"
  ) {
    add(
      "cutover",
      `ends the migration with the managed instance as primary, but primary is ${JSON.stringify(args.primary)}`,
      'Set primary: "ManagedInstance" (or leave it out) for the cutover, or leave cutover out to keep the link.',
    );
  }
  const schedule = args.logBackupSchedule;
  if (schedule !== undefined && !isLater(schedule)) {
    const minutes = (schedule as { everyMinutes?: unknown }).everyMinutes;
    if (
      !isLater(minutes) &&
      (typeof minutes !== "number" || !Number.isInteger(minutes) || minutes < 1 || minutes > 1440)
    ) {
      add(
        "logBackupSchedule.everyMinutes",
        `${JSON.stringify(minutes ?? null)} is not a number of minutes from 1 to 1440`,
        "Use a whole number of minutes, e.g. 15.",
      );
    }
    const { directory, url } = schedule as { directory?: unknown; url?: unknown };
    if ((directory === undefined) === (url === undefined)) {
      add(
        "logBackupSchedule",
        "needs exactly one of directory and url",
        'Give { everyMinutes, directory: "/var/opt/mssql/backup" } or { everyMinutes, url: "https://<account>.blob.core.windows.net/<container>" }.',
      );
    }
  }
  const backupWait = args.firstBackupTimeoutSeconds;
  if (backupWait !== undefined && !isLater(backupWait)) {
    if (typeof backupWait !== "number" || !Number.isFinite(backupWait) || backupWait <= 0) {
      add(
        "firstBackupTimeoutSeconds",
        `${JSON.stringify(backupWait)} is not a number of seconds`,
        "Use a positive number of seconds (default 3600).",
      );
    }
  }
  return problems;
}

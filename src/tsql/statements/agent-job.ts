/**
 * The SQL Server Agent job that takes the link's regular log backups (mi-link.md §1 row 14): one
 * T-SQL step, a schedule every N minutes, this server as target. The step backs up only where the
 * database is the primary replica and never while the link seeds it (a log backup during seeding
 * can break it: errors 1408/1412); each backup goes to its own file, named by UTC time.
 */
import { quoteIdentifier, quoteString, TsqlInputError, validateIdentifier } from "../quote";

/** Where each log backup file goes: a directory on the SQL Server host, or a blob container URL. */
export type LogBackupDestination = { directory: string } | { url: string };

export interface LogBackupJobSpec {
  /** The Agent job's name, also its schedule's. */
  jobName: string;
  database: string;
  destination: LogBackupDestination;
  /** Minutes between two log backups, 1-1440. */
  everyMinutes: number;
  /** Marks the job as this product's, so only such a job is replaced or deleted. */
  description: string;
}

/** Marks a job as this product's: only such a job is replaced or deleted. */
export const PRODUCT_JOB_MARK = "(created by pulumi-mi-link)";

/** The description of the log backup job of `database`, carrying {@link PRODUCT_JOB_MARK}. */
export function logBackupJobDescription(database: string): string {
  return `Log backups of [${database}] for the Managed Instance link ${PRODUCT_JOB_MARK}.`;
}

/** The default name of the log backup job of `database`. */
export function defaultLogBackupJobName(database: string): string {
  return `LogBackup_${database}`;
}

function separatorOf(directory: string): string {
  return directory.includes("\\") && !directory.includes("/") ? "\\" : "/";
}

/** `N'<dir>/<db>_' ` or `N'<url>/<db>_'`: the fixed part of every file name. */
function fileNamePrefix(spec: LogBackupJobSpec): string {
  const destination = spec.destination;
  if (destination && "directory" in destination) {
    const dir = destination.directory;
    if (typeof dir !== "string" || dir.length === 0) {
      throw new TsqlInputError(
        "destination.directory",
        "is empty",
        "Give a directory on the SQL Server host, e.g. /var/opt/mssql/backup.",
      );
    }
    const sep = separatorOf(dir);
    return quoteString(`${dir.endsWith(sep) ? dir : dir + sep}${spec.database}_`, "destination.directory");
  }
  if (destination && "url" in destination) {
    const url = destination.url;
    if (typeof url !== "string" || !/^https:\/\/[^\s]+$/i.test(url)) {
      throw new TsqlInputError(
        "destination.url",
        "is not an https URL",
        "Give the container URL, e.g. https://account.blob.core.windows.net/backups.",
      );
    }
    return quoteString(`${url.endsWith("/") ? url : url + "/"}${spec.database}_`, "destination.url");
  }
  throw new TsqlInputError("destination", "has neither directory nor url", "Pass { directory } or { url }.");
}

function validateSpec(spec: LogBackupJobSpec): void {
  validateIdentifier(spec.jobName, "jobName");
  validateIdentifier(spec.database, "database");
  if (!Number.isInteger(spec.everyMinutes) || spec.everyMinutes < 1 || spec.everyMinutes > 1440) {
    throw new TsqlInputError(
      "everyMinutes",
      `${String(spec.everyMinutes)} is not a number of minutes from 1 to 1440`,
      "Use a whole number of minutes, e.g. 15.",
    );
  }
}

/** The job step's T-SQL: a log backup to a new file, only on the primary and not while seeding. */
export function buildLogBackupJobCommand(spec: LogBackupJobSpec): string {
  validateSpec(spec);
  const name = quoteString(spec.database, "database");
  const to = "directory" in spec.destination ? "DISK" : "URL";
  return [
    `IF sys.fn_hadr_is_primary_replica(${name}) = 1`,
    "  AND NOT EXISTS (SELECT 1 FROM sys.dm_hadr_physical_seeding_stats",
    `                  WHERE local_database_name = ${name} AND internal_state_desc NOT IN (N'Success', N'Failed'))`,
    "BEGIN",
    `  DECLARE @file nvarchar(4000) = ${fileNamePrefix(spec)} + FORMAT(SYSUTCDATETIME(), N'yyyyMMdd_HHmmss') + N'.trn';`,
    `  BACKUP LOG ${quoteIdentifier(spec.database, "database")} TO ${to} = @file;`,
    "END",
  ].join("\n");
}

/** Creates the job, its step, its schedule (every N minutes, all day) and targets this server. */
export function buildCreateLogBackupJobSql(spec: LogBackupJobSpec): string {
  const job = quoteString(spec.jobName, "jobName");
  return [
    `EXEC msdb.dbo.sp_add_job @job_name = ${job}, @enabled = 1, @description = ${quoteString(spec.description, "description")};`,
    `EXEC msdb.dbo.sp_add_jobstep @job_name = ${job}, @step_name = N'BACKUP LOG', @subsystem = N'TSQL', ` +
      `@database_name = N'master', @command = ${quoteString(buildLogBackupJobCommand(spec), "command")};`,
    // One call creates the schedule and attaches it: no schedule is left behind by name.
    `EXEC msdb.dbo.sp_add_jobschedule @job_name = ${job}, @name = ${job}, @enabled = 1, @freq_type = 4, ` +
      `@freq_interval = 1, @freq_subday_type = 4, @freq_subday_interval = ${spec.everyMinutes};`,
    `EXEC msdb.dbo.sp_add_jobserver @job_name = ${job}, @server_name = N'(local)';`,
  ].join("\n");
}

/** Deletes the job and its schedule when no other job uses it. */
export function buildDeleteJobSql(jobName: string): string {
  validateIdentifier(jobName, "jobName");
  return `EXEC msdb.dbo.sp_delete_job @job_name = ${quoteString(jobName, "jobName")}, @delete_unused_schedule = 1;`;
}

/**
 * The job named @jobName, if any: its description (whether it is this product's), whether it is
 * enabled, its first step's command and its schedules, one row per schedule (none: one row of NULLs).
 */
export const AGENT_JOB_QUERY = `
SELECT
  j.name,
  j.description,
  j.enabled,
  st.command,
  sc.name AS schedule_name,
  sc.enabled AS schedule_enabled,
  sc.freq_type,
  sc.freq_interval,
  sc.freq_subday_type,
  sc.freq_subday_interval
FROM msdb.dbo.sysjobs j
LEFT JOIN msdb.dbo.sysjobsteps st ON st.job_id = j.job_id AND st.step_id = 1
LEFT JOIN msdb.dbo.sysjobschedules js ON js.job_id = j.job_id
LEFT JOIN msdb.dbo.sysschedules sc ON sc.schedule_id = js.schedule_id
WHERE j.name = @jobName;`.trim();

/**
 * What a refresh compares of a log backup Agent job: the job as msdb shows it (AGENT_JOB_QUERY's rows)
 * against the job the product defines. Someone may disable the job, change its schedule or edit its
 * step; each is a departure the next `up` repairs by making the job again. A disabled log backup job is
 * the dangerous one: the log then grows until error 9002 stops the database, and the link with it.
 */
import {
  buildLogBackupJobCommand,
  PRODUCT_JOB_MARK,
  type LogBackupJobSpec,
} from "../tsql/statements/agent-job";

/** One row of AGENT_JOB_QUERY. */
export interface AgentJobRow {
  name: unknown;
  description: unknown;
  enabled: unknown;
  command: unknown;
  schedule_name: unknown;
  schedule_enabled: unknown;
  freq_type: unknown;
  freq_interval: unknown;
  freq_subday_type: unknown;
  freq_subday_interval: unknown;
}

/** sysschedules' codes for "daily, every day, every N minutes": what the product's schedule is. */
const DAILY = 4;
const EVERY_DAY = 1;
const MINUTES = 4;

/** The schedule as sysschedules' codes say it, for a message. */
function describeSchedule(row: AgentJobRow): string {
  if (Number(row.freq_type) === DAILY && Number(row.freq_interval) === EVERY_DAY) {
    if (Number(row.freq_subday_type) === MINUTES) return `every ${Number(row.freq_subday_interval)} minutes`;
    if (Number(row.freq_subday_type) === 1) return "once a day";
  }
  return (
    `freq_type ${String(row.freq_type)}, freq_interval ${String(row.freq_interval)}, ` +
    `freq_subday_type ${String(row.freq_subday_type)}, freq_subday_interval ${String(row.freq_subday_interval)}`
  );
}

/**
 * How the job in `rows` departs from `spec` (empty: it is as defined). The schedule is the one named
 * like the job, as the product creates it; other schedules someone added are not the product's.
 */
export function agentJobDepartures(rows: AgentJobRow[], spec: LogBackupJobSpec): string[] {
  if (rows.length === 0) return [];
  const departures: string[] = [];
  const job = rows[0];
  if (!String(job.description ?? "").includes(PRODUCT_JOB_MARK)) {
    departures.push("a job of that name not made by pulumi-mi-link took its place");
    return departures;
  }
  if (Number(job.enabled) !== 1) departures.push("the job is disabled");
  if (job.command !== buildLogBackupJobCommand(spec)) {
    departures.push(job.command === null ? "its step is gone" : "its step's command was changed");
  }
  const ownName = spec.jobName.toLowerCase();
  const schedule = rows.find(
    (row) => typeof row.schedule_name === "string" && row.schedule_name.toLowerCase() === ownName,
  );
  if (!schedule) {
    departures.push("its schedule is gone");
    return departures;
  }
  if (Number(schedule.schedule_enabled) !== 1) departures.push("its schedule is disabled");
  const asDefined =
    Number(schedule.freq_type) === DAILY &&
    Number(schedule.freq_interval) === EVERY_DAY &&
    Number(schedule.freq_subday_type) === MINUTES &&
    Number(schedule.freq_subday_interval) === spec.everyMinutes;
  if (!asDefined) {
    departures.push(
      `its schedule runs ${describeSchedule(schedule)}, not every ${spec.everyMinutes} minutes`,
    );
  }
  return departures;
}

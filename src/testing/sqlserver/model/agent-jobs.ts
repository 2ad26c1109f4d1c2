/**
 * SQL Server Agent jobs as msdb stores them: the procedures the product sends for a periodic log
 * backup job (msdb.dbo.sp_add_job, sp_add_jobstep, sp_add_jobschedule, sp_add_jobserver,
 * sp_delete_job), the ones an operator changes it with (sp_update_job, sp_update_jobstep,
 * sp_update_schedule: what a refresh must notice), and the msdb tables that show the result
 * (sysjobs, sysjobsteps, sysschedules, sysjobschedules, sysjobservers). Jobs are stored, never run:
 * the emulator has no Agent.
 */
import { SqlError, type SqlValue } from "../types";
import { date, T, table, type ColumnSpec } from "./catalog/columns";
import type { CatalogTable, ExecContext, ProcedureArgument, ProcedureResult } from "./contract";
import type { ModelContext } from "./context";
import { errors } from "./errors";

export interface AgentJobStepState {
  stepId: number;
  name: string;
  subsystem: string;
  databaseName: string;
  command: string;
}

export interface AgentJobState {
  jobId: string;
  name: string;
  enabled: boolean;
  description: string;
  createdAt: number;
  steps: AgentJobStepState[];
  scheduleIds: number[];
  /** Target servers (sp_add_jobserver); "(local)" for this instance. */
  servers: string[];
}

export interface AgentScheduleState {
  scheduleId: number;
  name: string;
  enabled: boolean;
  freqType: number;
  freqInterval: number;
  freqSubdayType: number;
  freqSubdayInterval: number;
}

const OK: ProcedureResult = { resultSets: [], returnStatus: 0 };

function arg(args: ProcedureArgument[], name: string): SqlValue | undefined {
  return args.find((a) => a.name.toLowerCase() === name)?.value;
}

function required(procedure: string, args: ProcedureArgument[], name: string): string {
  const value = arg(args, name);
  if (value === undefined || value === null) throw errors.procedureArgumentMissing(procedure, name);
  return String(value);
}

function int(args: ProcedureArgument[], name: string, fallback: number): number {
  const value = arg(args, name);
  return value === undefined || value === null ? fallback : Number(value);
}

function jobs(m: ModelContext): AgentJobState[] {
  m.state.agentJobs ??= [];
  return m.state.agentJobs;
}

function schedules(m: ModelContext): AgentScheduleState[] {
  m.state.agentSchedules ??= [];
  return m.state.agentSchedules;
}

/** Msg 14262: what SQL Server says for a job or schedule that does not exist. */
function doesNotExist(parameter: string, value: string): SqlError {
  return new SqlError(14262, `The specified ${parameter} ('${value}') does not exist.`, 16, 1);
}

function jobOf(m: ModelContext, procedure: string, args: ProcedureArgument[]): AgentJobState {
  const name = required(procedure, args, "@job_name");
  const job = jobs(m).find((j) => j.name.toLowerCase() === name.toLowerCase());
  if (!job) throw doesNotExist("@job_name", name);
  return job;
}

function addJob(m: ModelContext, args: ProcedureArgument[]): ProcedureResult {
  const name = required("sp_add_job", args, "@job_name");
  if (jobs(m).some((j) => j.name.toLowerCase() === name.toLowerCase())) {
    throw new SqlError(14261, `The specified @job_name ('${name}') already exists.`, 16, 1);
  }
  jobs(m).push({
    jobId: m.newGuid(),
    name,
    enabled: int(args, "@enabled", 1) === 1,
    description: String(arg(args, "@description") ?? "No description available."),
    createdAt: m.now(),
    steps: [],
    scheduleIds: [],
    servers: [],
  });
  return OK;
}

function addJobStep(m: ModelContext, args: ProcedureArgument[]): ProcedureResult {
  const job = jobOf(m, "sp_add_jobstep", args);
  job.steps.push({
    stepId: job.steps.length + 1,
    name: required("sp_add_jobstep", args, "@step_name"),
    subsystem: String(arg(args, "@subsystem") ?? "TSQL"),
    databaseName: String(arg(args, "@database_name") ?? "master"),
    command: required("sp_add_jobstep", args, "@command"),
  });
  return OK;
}

/** sp_add_jobschedule: a new schedule, attached to the job in the same call. */
function addJobSchedule(m: ModelContext, args: ProcedureArgument[]): ProcedureResult {
  const job = jobOf(m, "sp_add_jobschedule", args);
  m.state.nextScheduleId ??= 1;
  const scheduleId = m.state.nextScheduleId++;
  schedules(m).push({
    scheduleId,
    name: required("sp_add_jobschedule", args, "@name"),
    enabled: int(args, "@enabled", 1) === 1,
    freqType: int(args, "@freq_type", 1),
    freqInterval: int(args, "@freq_interval", 0),
    freqSubdayType: int(args, "@freq_subday_type", 0),
    freqSubdayInterval: int(args, "@freq_subday_interval", 0),
  });
  job.scheduleIds.push(scheduleId);
  return OK;
}

function addJobServer(m: ModelContext, args: ProcedureArgument[]): ProcedureResult {
  const job = jobOf(m, "sp_add_jobserver", args);
  const server = String(arg(args, "@server_name") ?? "(local)");
  if (job.servers.includes(server)) {
    throw new SqlError(14269, `Job '${job.name}' is already targeted at server '${server}'.`, 16, 1);
  }
  job.servers.push(server);
  return OK;
}

function deleteJob(m: ModelContext, args: ProcedureArgument[]): ProcedureResult {
  const job = jobOf(m, "sp_delete_job", args);
  m.state.agentJobs = jobs(m).filter((j) => j !== job);
  if (int(args, "@delete_unused_schedule", 1) === 1) {
    const used = new Set(jobs(m).flatMap((j) => j.scheduleIds));
    m.state.agentSchedules = schedules(m).filter(
      (s) => !job.scheduleIds.includes(s.scheduleId) || used.has(s.scheduleId),
    );
  }
  return OK;
}

/** The value of `name` when the call gives one (NULL and absent leave the property as it is). */
function given(args: ProcedureArgument[], name: string): SqlValue | undefined {
  const value = arg(args, name);
  return value === null ? undefined : value;
}

function updateJob(m: ModelContext, args: ProcedureArgument[]): ProcedureResult {
  const job = jobOf(m, "sp_update_job", args);
  const enabled = given(args, "@enabled");
  const description = given(args, "@description");
  const newName = given(args, "@new_name");
  if (enabled !== undefined) job.enabled = Number(enabled) === 1;
  if (description !== undefined) job.description = String(description);
  if (newName !== undefined) job.name = String(newName);
  return OK;
}

function updateJobStep(m: ModelContext, args: ProcedureArgument[]): ProcedureResult {
  const job = jobOf(m, "sp_update_jobstep", args);
  const stepId = required("sp_update_jobstep", args, "@step_id");
  const step = job.steps.find((s) => s.stepId === Number(stepId));
  if (!step) throw doesNotExist("@step_id", stepId);
  const command = given(args, "@command");
  const databaseName = given(args, "@database_name");
  if (command !== undefined) step.command = String(command);
  if (databaseName !== undefined) step.databaseName = String(databaseName);
  return OK;
}

function updateSchedule(m: ModelContext, args: ProcedureArgument[]): ProcedureResult {
  const id = given(args, "@schedule_id");
  const byId = id !== undefined;
  const key = byId ? String(id) : required("sp_update_schedule", args, "@name");
  const schedule = schedules(m).find((s) =>
    byId ? s.scheduleId === Number(key) : s.name.toLowerCase() === key.toLowerCase(),
  );
  if (!schedule) throw doesNotExist(byId ? "@schedule_id" : "@name", key);
  const enabled = given(args, "@enabled");
  if (enabled !== undefined) schedule.enabled = Number(enabled) === 1;
  const fields = [
    ["@freq_type", "freqType"],
    ["@freq_interval", "freqInterval"],
    ["@freq_subday_type", "freqSubdayType"],
    ["@freq_subday_interval", "freqSubdayInterval"],
  ] as const;
  for (const [parameter, field] of fields) {
    const value = given(args, parameter);
    if (value !== undefined) schedule[field] = Number(value);
  }
  return OK;
}

const PROCEDURES: Record<string, (m: ModelContext, args: ProcedureArgument[]) => ProcedureResult> = {
  sp_add_job: addJob,
  sp_add_jobstep: addJobStep,
  sp_add_jobschedule: addJobSchedule,
  sp_add_jobserver: addJobServer,
  sp_delete_job: deleteJob,
  sp_update_job: updateJob,
  sp_update_jobstep: updateJobStep,
  sp_update_schedule: updateSchedule,
};

/** An msdb Agent procedure (`bare` without msdb.dbo.), or undefined when `bare` is not one. */
export function executeAgentProcedure(
  m: ModelContext,
  ctx: ExecContext,
  bare: string,
  args: ProcedureArgument[],
): ProcedureResult | undefined {
  const procedure = PROCEDURES[bare.toLowerCase()];
  if (!procedure) return undefined;
  m.requireSysadmin(ctx);
  return procedure(m, args);
}

const SYSJOBS: ColumnSpec[] = [
  ["job_id", T.guid, false],
  ["name", T.sysname, false],
  ["enabled", T.tinyint, false],
  ["description", T.nvarchar(512)],
  ["date_created", T.datetime, false],
];
const SYSJOBSTEPS: ColumnSpec[] = [
  ["job_id", T.guid, false],
  ["step_id", T.int, false],
  ["step_name", T.sysname, false],
  ["subsystem", T.nvarchar(40), false],
  ["command", T.nvarchar("max")],
  ["database_name", T.sysname],
];
const SYSSCHEDULES: ColumnSpec[] = [
  ["schedule_id", T.int, false],
  ["name", T.sysname, false],
  ["enabled", T.int, false],
  ["freq_type", T.int, false],
  ["freq_interval", T.int, false],
  ["freq_subday_type", T.int, false],
  ["freq_subday_interval", T.int, false],
];
const SYSJOBSCHEDULES: ColumnSpec[] = [
  ["schedule_id", T.int, false],
  ["job_id", T.guid, false],
];
const SYSJOBSERVERS: ColumnSpec[] = [
  ["job_id", T.guid, false],
  ["server_id", T.int, false],
];

/** The msdb Agent tables; empty for a login that is not sysadmin. */
export const AGENT_TABLES: Record<string, (m: ModelContext, visible: boolean) => CatalogTable> = {
  sysjobs: (m, v) =>
    table(
      SYSJOBS,
      (v ? jobs(m) : []).map((j) => ({
        job_id: j.jobId,
        name: j.name,
        enabled: j.enabled ? 1 : 0,
        description: j.description,
        date_created: date(j.createdAt),
      })),
    ),
  sysjobsteps: (m, v) =>
    table(
      SYSJOBSTEPS,
      (v ? jobs(m) : []).flatMap((j) =>
        j.steps.map((s) => ({
          job_id: j.jobId,
          step_id: s.stepId,
          step_name: s.name,
          subsystem: s.subsystem,
          command: s.command,
          database_name: s.databaseName,
        })),
      ),
    ),
  sysschedules: (m, v) =>
    table(
      SYSSCHEDULES,
      (v ? schedules(m) : []).map((s) => ({
        schedule_id: s.scheduleId,
        name: s.name,
        enabled: s.enabled ? 1 : 0,
        freq_type: s.freqType,
        freq_interval: s.freqInterval,
        freq_subday_type: s.freqSubdayType,
        freq_subday_interval: s.freqSubdayInterval,
      })),
    ),
  sysjobschedules: (m, v) =>
    table(
      SYSJOBSCHEDULES,
      (v ? jobs(m) : []).flatMap((j) => j.scheduleIds.map((id) => ({ schedule_id: id, job_id: j.jobId }))),
    ),
  sysjobservers: (m, v) =>
    table(
      SYSJOBSERVERS,
      (v ? jobs(m) : []).flatMap((j) => j.servers.map(() => ({ job_id: j.jobId, server_id: 0 }))),
    ),
};

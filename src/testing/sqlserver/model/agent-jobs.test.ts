/**
 * The emulator's SQL Server Agent procedures and msdb tables, fed exactly the T-SQL the product
 * sends for a periodic log backup job: the job, its step, schedule and target appear in msdb;
 * a second job of the same name is refused (14261); delete removes the job and its schedule;
 * a job that does not exist is 14262. The sp_update_* procedures an operator changes a job with
 * show in the product's read.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AGENT_JOB_QUERY,
  buildCreateLogBackupJobSql,
  buildDeleteJobSql,
  buildLogBackupJobCommand,
  logBackupJobDescription,
  type LogBackupJobSpec,
} from "../../../tsql/statements/agent-job";
import { agentJobDepartures, type AgentJobRow } from "../../../dynamic/log-backup-job-model";
import { createHarness, errors, records, resultSets, type Harness } from "../tsql/fixtures/harness";

const SPEC: LogBackupJobSpec = {
  jobName: "LogBackup_Sales",
  database: "Sales",
  destination: { directory: "/var/opt/mssql/backup" },
  everyMinutes: 15,
  description: logBackupJobDescription("Sales"),
};

let h: Harness;
beforeEach(() => {
  h = createHarness({ databases: [{ name: "Sales" }] });
});
afterEach(() => h.dispose());

const ctx = { login: "sa", database: "master", inTransaction: false, info: () => undefined };
function rows(table: string): Array<Record<string, unknown>> {
  const t = h.model.catalogTable(table, ctx)!;
  return t.rows.map((row) => Object.fromEntries(t.columns.map((c, i) => [c.name, row[i]])));
}

describe("Agent jobs in msdb", () => {
  it("stores the log backup job as the product creates it, and deletes it with its schedule", async () => {
    expect(errors(await h.run(buildCreateLogBackupJobSql(SPEC)))).toEqual([]);
    const [job] = rows("msdb.dbo.sysjobs");
    expect(job).toMatchObject({ name: "LogBackup_Sales", enabled: 1, description: SPEC.description });
    expect(rows("msdb.dbo.sysjobsteps")).toEqual([
      {
        job_id: job.job_id,
        step_id: 1,
        step_name: "BACKUP LOG",
        subsystem: "TSQL",
        command: buildLogBackupJobCommand(SPEC),
        database_name: "master",
      },
    ]);
    const [schedule] = rows("msdb.dbo.sysschedules");
    expect(schedule).toMatchObject({
      name: "LogBackup_Sales",
      enabled: 1,
      freq_type: 4,
      freq_interval: 1,
      freq_subday_type: 4,
      freq_subday_interval: 15,
    });
    expect(rows("msdb.dbo.sysjobschedules")).toEqual([
      { schedule_id: schedule.schedule_id, job_id: job.job_id },
    ]);
    expect(rows("msdb.dbo.sysjobservers")).toEqual([{ job_id: job.job_id, server_id: 0 }]);

    const again = errors(await h.run("EXEC msdb.dbo.sp_add_job @job_name = N'LogBackup_Sales';"));
    expect(again).toMatchObject([{ number: 14261 }]);

    expect(errors(await h.run(buildDeleteJobSql("LogBackup_Sales")))).toEqual([]);
    expect(rows("msdb.dbo.sysjobs")).toEqual([]);
    expect(rows("msdb.dbo.sysschedules")).toEqual([]);
    expect(rows("msdb.dbo.sysjobsteps")).toEqual([]);
  });

  it("answers 14262 for a job that does not exist", async () => {
    expect(errors(await h.run(buildDeleteJobSql("NoSuchJob")))[0]).toMatchObject({ number: 14262 });
  });

  const readJob = async () => {
    const events = await h.run(AGENT_JOB_QUERY.replace("@jobName", "N'LogBackup_Sales'"));
    expect(errors(events)).toEqual([]);
    return records(resultSets(events)[0]);
  };

  it("reads a job by name as the product does: one row, which the product finds as it defined it", async () => {
    await h.run(buildCreateLogBackupJobSql(SPEC));
    const read = await readJob();
    expect(read).toHaveLength(1);
    expect(read[0]).toMatchObject({ name: "LogBackup_Sales", schedule_name: "LogBackup_Sales" });
    expect(agentJobDepartures(read as unknown as AgentJobRow[], SPEC)).toEqual([]);
  });

  it("sp_update_job, sp_update_jobstep and sp_update_schedule change only what they are given", async () => {
    await h.run(buildCreateLogBackupJobSql(SPEC));
    const changes = [
      "EXEC msdb.dbo.sp_update_job @job_name = N'LogBackup_Sales', @enabled = 0;",
      "EXEC msdb.dbo.sp_update_jobstep @job_name = N'LogBackup_Sales', @step_id = 1, @command = N'SELECT 1;';",
      "EXEC msdb.dbo.sp_update_schedule @name = N'LogBackup_Sales', @enabled = 0, @freq_subday_interval = 60;",
    ];
    for (const change of changes) expect(errors(await h.run(change)), change).toEqual([]);
    expect(await readJob()).toEqual([
      expect.objectContaining({
        description: SPEC.description,
        enabled: 0,
        command: "SELECT 1;",
        schedule_enabled: 0,
        freq_type: 4,
        freq_subday_type: 4,
        freq_subday_interval: 60,
      }),
    ]);
    const [schedule] = rows("msdb.dbo.sysschedules");
    const byId = `EXEC msdb.dbo.sp_update_schedule @schedule_id = ${String(schedule.schedule_id)}, @enabled = 1;`;
    expect(errors(await h.run(byId))).toEqual([]);
    expect(rows("msdb.dbo.sysschedules")[0]).toMatchObject({ enabled: 1, freq_subday_interval: 60 });
  });

  it("answers 14262 for an update of a job, step or schedule that does not exist", async () => {
    await h.run(buildCreateLogBackupJobSql(SPEC));
    const missing = [
      "EXEC msdb.dbo.sp_update_job @job_name = N'NoSuchJob', @enabled = 0;",
      "EXEC msdb.dbo.sp_update_jobstep @job_name = N'LogBackup_Sales', @step_id = 2, @command = N'SELECT 1;';",
      "EXEC msdb.dbo.sp_update_schedule @name = N'NoSuchSchedule', @enabled = 0;",
    ];
    for (const sql of missing) expect(errors(await h.run(sql))[0], sql).toMatchObject({ number: 14262 });
  });
});

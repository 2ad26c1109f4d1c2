/**
 * The log backup Agent job through Pulumi's real dynamic-provider host, against the SQL Server
 * emulator's msdb: created with its step and schedule, a re-run without state replaces its own job
 * (still one), a schedule change updates it in place, a job of the same name made by someone else
 * is refused and left alone, refresh notices a job deleted, disabled or changed out of band (and
 * the next up makes a changed one again), new credentials change nothing on SQL Server, and destroy
 * removes it.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { destroy, refresh, up } from "../support/engine-steps";
import { urnFor, type ProviderHost } from "../support/provider-host";
import { adminBatch, catalogRows, connectionInputs } from "./support/emulator";
import { startProviderTestBed } from "./support/test-bed";

describe("LogBackupJob provider", () => {
  let emulator: SqlServerEmulator;
  let host: ProviderHost;
  let providerText: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:LogBackupJob", "log-backup-job");

  beforeAll(async () => {
    ({ providerText, emulator, host } = await startProviderTestBed(
      "./dist/dynamic/log-backup-job.js",
      "logBackupJobProvider",
      { databases: [{ name: "Sales" }] },
    ));
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  const inputs = (extra: Record<string, unknown> = {}) => ({
    __provider: providerText,
    connection: connectionInputs(emulator),
    password: pulumi.secret(emulator.connectionInfo().password),
    jobName: "LogBackup_Sales",
    database: "Sales",
    destination: { directory: "/var/opt/mssql/backup" },
    everyMinutes: 15,
    ...extra,
  });
  const jobs = () => catalogRows(emulator, "msdb.dbo.sysjobs");
  const schedules = () => catalogRows(emulator, "msdb.dbo.sysschedules");
  const steps = () => catalogRows(emulator, "msdb.dbo.sysjobsteps");

  it("creates the job, replaces its own on a re-run, updates the schedule, and deletes it", async () => {
    const created = await up(host, urn, inputs());
    expect(jobs().map((j) => j.name)).toEqual(["LogBackup_Sales"]);
    expect(String(steps()[0].command)).toMatch(/BACKUP LOG \[Sales\] TO DISK = @file;/);
    expect(String(steps()[0].command)).toContain("N'/var/opt/mssql/backup/Sales_'");
    expect(schedules()).toMatchObject([{ freq_subday_type: 4, freq_subday_interval: 15 }]);

    // A create that finds its own job (a run whose state was lost) replaces it: still one job and schedule.
    await up(host, urn, inputs());
    expect(jobs()).toHaveLength(1);
    expect(schedules()).toHaveLength(1);

    const updated = await up(host, urn, inputs({ everyMinutes: 5 }), created.state);
    expect(updated.op).toBe("update");
    expect(schedules()).toMatchObject([{ freq_subday_interval: 5 }]);
    expect(jobs()).toHaveLength(1);

    await destroy(host, updated.state);
    expect(jobs()).toEqual([]);
    expect(schedules()).toEqual([]);
  }, 60_000);

  it("refuses a job of the same name made by someone else and leaves it; refresh sees an out-of-band delete", async () => {
    await adminBatch(
      emulator,
      "EXEC msdb.dbo.sp_add_job @job_name = N'LogBackup_Sales', @description = N'DBA job';",
    );
    const refused = await up(host, urn, inputs()).catch((e: unknown) => e);
    expect(String((refused as Error).message)).toMatch(
      /already exists and was not created by pulumi-mi-link/,
    );
    expect(jobs()).toMatchObject([{ name: "LogBackup_Sales", description: "DBA job" }]);
    await adminBatch(emulator, "EXEC msdb.dbo.sp_delete_job @job_name = N'LogBackup_Sales';");

    const created = await up(host, urn, inputs());
    await adminBatch(emulator, "EXEC msdb.dbo.sp_delete_job @job_name = N'LogBackup_Sales';");
    expect(await refresh(host, created.state)).toBeUndefined();
  }, 60_000);

  it("refresh reports the job disabled, its schedule changed or its step edited; the next up makes it again as defined", async () => {
    /** The job as an operator sees it, without the ids a job made again gets anew. */
    const definition = () => ({
      jobs: jobs().map(({ name, enabled, description }) => ({ name, enabled, description })),
      steps: steps().map(({ step_id, command }) => ({ step_id, command })),
      schedules: schedules().map(({ schedule_id: _id, ...schedule }) => schedule),
    });
    const created = await up(host, urn, inputs());
    const asDefined = definition();
    expect((await refresh(host, created.state))?.changed).toBe(false);

    const changes: Array<[string, string[]]> = [
      ["EXEC msdb.dbo.sp_update_job @job_name = N'LogBackup_Sales', @enabled = 0;", ["the job is disabled"]],
      [
        "EXEC msdb.dbo.sp_update_schedule @name = N'LogBackup_Sales', @enabled = 0, @freq_subday_interval = 60;",
        ["its schedule is disabled", "its schedule runs every 60 minutes, not every 15 minutes"],
      ],
      [
        "EXEC msdb.dbo.sp_update_jobstep @job_name = N'LogBackup_Sales', @step_id = 1, @command = N'SELECT 1;';",
        ["its step's command was changed"],
      ],
    ];
    let state = created.state;
    for (const [change, found] of changes) {
      await adminBatch(emulator, change);
      const refreshed = await refresh(host, state);
      expect(refreshed?.changed, change).toBe(true);
      expect(refreshed?.state.outputs.changedOutOfBand, change).toEqual(found);

      const repaired = await up(host, urn, inputs(), refreshed!.state);
      expect(repaired.op, change).toBe("update");
      expect(definition(), change).toEqual(asDefined);
      expect(repaired.state.outputs.changedOutOfBand, change).toBeUndefined();
      expect((await refresh(host, repaired.state))?.changed, change).toBe(false);
      state = repaired.state;
    }
    await destroy(host, state);
    expect(jobs()).toEqual([]);
  }, 60_000);

  it("new credentials only refresh the state: no job SQL, and destroy signs in with them", async () => {
    const created = await up(host, urn, inputs());
    const rotated = "Rotated-Passw0rd!2";
    const original = emulator.connectionInfo().password;
    emulator.model.setLoginPassword("sa", rotated);
    try {
      emulator.tds.resetCounters();
      const updated = await up(host, urn, inputs({ password: pulumi.secret(rotated) }), created.state);
      expect(updated.op).toBe("update");
      expect(emulator.tds.requestLog().filter((e) => /sp_(add|delete)_job/.test(e.text))).toEqual([]);
      await destroy(host, updated.state);
      expect(jobs()).toEqual([]);
    } finally {
      emulator.model.setLoginPassword("sa", original);
    }
  }, 60_000);

  it("refuses a schedule outside 1-1440 minutes and an empty directory before any change", async () => {
    const minutes = await host.check(urn, {}, inputs({ everyMinutes: 0 }));
    expect(minutes.failures.map((f) => f.property)).toEqual(["everyMinutes"]);
    const directory = await host.check(urn, {}, inputs({ destination: { directory: "" } }));
    expect(directory.failures.map((f) => f.property)).toEqual(["destination.directory"]);
  });
});

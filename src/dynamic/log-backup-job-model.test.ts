import { describe, expect, it } from "vitest";
import {
  buildLogBackupJobCommand,
  logBackupJobDescription,
  type LogBackupJobSpec,
} from "../tsql/statements/agent-job";
import { agentJobDepartures, type AgentJobRow } from "./log-backup-job-model";

const SPEC: LogBackupJobSpec = {
  jobName: "LogBackup_Sales",
  database: "Sales",
  destination: { directory: "/var/opt/mssql/backup" },
  everyMinutes: 15,
  description: logBackupJobDescription("Sales"),
};

/** The job exactly as the product creates it, as AGENT_JOB_QUERY reads it. */
const AS_DEFINED: AgentJobRow = {
  name: "LogBackup_Sales",
  description: SPEC.description,
  enabled: 1,
  command: buildLogBackupJobCommand(SPEC),
  schedule_name: "LogBackup_Sales",
  schedule_enabled: 1,
  freq_type: 4,
  freq_interval: 1,
  freq_subday_type: 4,
  freq_subday_interval: 15,
};

describe("agentJobDepartures", () => {
  it("finds nothing in a job as defined, nor in a job that is not there (refresh reports that as gone)", () => {
    expect(agentJobDepartures([AS_DEFINED], SPEC)).toEqual([]);
    expect(agentJobDepartures([], SPEC)).toEqual([]);
  });

  it("names each change: job or schedule disabled, step edited or gone, another frequency", () => {
    expect(agentJobDepartures([{ ...AS_DEFINED, enabled: 0 }], SPEC)).toEqual(["the job is disabled"]);
    expect(agentJobDepartures([{ ...AS_DEFINED, schedule_enabled: 0 }], SPEC)).toEqual([
      "its schedule is disabled",
    ]);
    expect(agentJobDepartures([{ ...AS_DEFINED, command: "SELECT 1;" }], SPEC)).toEqual([
      "its step's command was changed",
    ]);
    expect(agentJobDepartures([{ ...AS_DEFINED, command: null }], SPEC)).toEqual(["its step is gone"]);
    expect(agentJobDepartures([{ ...AS_DEFINED, freq_subday_interval: 60 }], SPEC)).toEqual([
      "its schedule runs every 60 minutes, not every 15 minutes",
    ]);
    expect(agentJobDepartures([{ ...AS_DEFINED, freq_subday_type: 1 }], SPEC)).toEqual([
      "its schedule runs once a day, not every 15 minutes",
    ]);
    expect(agentJobDepartures([{ ...AS_DEFINED, freq_type: 8, freq_interval: 2 }], SPEC)).toEqual([
      "its schedule runs freq_type 8, freq_interval 2, freq_subday_type 4, freq_subday_interval 15, not every 15 minutes",
    ]);
    expect(agentJobDepartures([{ ...AS_DEFINED, enabled: 0, schedule_enabled: 0 }], SPEC)).toEqual([
      "the job is disabled",
      "its schedule is disabled",
    ]);
  });

  it("looks at the schedule named like the job: another one added does not count, its own gone does", () => {
    const added = { ...AS_DEFINED, schedule_name: "Weekend", freq_subday_interval: 240 };
    expect(agentJobDepartures([added, AS_DEFINED], SPEC)).toEqual([]);
    expect(agentJobDepartures([added], SPEC)).toEqual(["its schedule is gone"]);
    const none = { ...AS_DEFINED, schedule_name: null, schedule_enabled: null, freq_subday_interval: null };
    expect(agentJobDepartures([none], SPEC)).toEqual(["its schedule is gone"]);
    expect(agentJobDepartures([{ ...AS_DEFINED, schedule_name: "logbackup_sales" }], SPEC)).toEqual([]);
  });

  it("says when a job of that name is no longer the product's", () => {
    expect(agentJobDepartures([{ ...AS_DEFINED, description: "DBA job", enabled: 0 }], SPEC)).toEqual([
      "a job of that name not made by pulumi-mi-link took its place",
    ]);
  });
});

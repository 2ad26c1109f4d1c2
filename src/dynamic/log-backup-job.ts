/**
 * A SQL Server Agent job for the link database's regular log backups (optional; MiLink's
 * `logBackupSchedule`): every N minutes a log backup to its own file, only on the primary replica
 * and never while the link seeds (tsql/statements/agent-job.ts). The job's description marks it
 * as this product's: only such a job is replaced or deleted; a job of the same name made by someone
 * else is refused, never touched.
 *
 * Create and update (re)create the job (a partial job left by a failed run is ours and replaced);
 * read reports a job deleted outside Pulumi as gone, and one disabled or changed there in
 * `changedOutOfBand`, which the next update repairs by making the job again; delete removes it with
 * its schedule.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as mssql from "mssql";
import { runQuery, runStatement, withConnection } from "../sql";
import { TsqlInputError } from "../tsql";
import {
  AGENT_JOB_QUERY,
  buildCreateLogBackupJobSql,
  buildDeleteJobSql,
  logBackupJobDescription,
  PRODUCT_JOB_MARK,
  type LogBackupDestination,
  type LogBackupJobSpec,
} from "../tsql/statements/agent-job";
import { checkConnectionInputs, FailureCollector, isUnknown } from "./common/check";
import {
  CONNECTION_SECRET_OUTPUTS,
  connectionSecrets,
  toConnectionArgs,
  type ConnectionInputs,
} from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import { agentJobDepartures, type AgentJobRow } from "./log-backup-job-model";
import {
  connectionProps,
  DYNAMIC_MODULE,
  objectId,
  withSecretOutputs,
  type ConnectionArgs,
  resourceProps,
  DynamicResource,
} from "./common/resource";

export interface LogBackupJobInputs extends ConnectionInputs {
  /** The Agent job's name (and its schedule's). */
  jobName: string;
  database: string;
  destination: LogBackupDestination;
  everyMinutes: number;
}

export interface LogBackupJobOutputs extends LogBackupJobInputs {
  /** What the last refresh found changed outside Pulumi (the job disabled, its schedule changed...); absent when nothing. */
  changedOutOfBand?: string[];
}

const MARK = PRODUCT_JOB_MARK;

/** Whether the last refresh found the job changed outside Pulumi: the next update makes it again. */
function changedOutOfBand(outputs: LogBackupJobOutputs): boolean {
  return (outputs.changedOutOfBand ?? []).length > 0;
}

function specOf(inputs: LogBackupJobInputs): LogBackupJobSpec {
  return {
    jobName: inputs.jobName,
    database: inputs.database,
    destination: inputs.destination,
    everyMinutes: inputs.everyMinutes,
    description: logBackupJobDescription(inputs.database),
  };
}

/** The job as msdb shows it: one row per schedule, none when there is no job of that name. */
async function readJob(pool: mssql.ConnectionPool, jobName: string): Promise<AgentJobRow[]> {
  const rows = await runQuery(
    pool,
    AGENT_JOB_QUERY,
    { jobName },
    { action: "read Agent job", object: `[${jobName}]` },
  );
  return rows as unknown as AgentJobRow[];
}

/** The job's description, or undefined when there is no job of that name. */
async function existingJob(pool: mssql.ConnectionPool, jobName: string): Promise<string | undefined> {
  const rows = await readJob(pool, jobName);
  return rows.length === 0 ? undefined : String(rows[0].description ?? "");
}

async function deleteJob(pool: mssql.ConnectionPool, inputs: LogBackupJobInputs): Promise<void> {
  await runStatement(pool, buildDeleteJobSql(inputs.jobName), undefined, {
    action: "delete Agent job",
    object: `[${inputs.jobName}]`,
    secrets: connectionSecrets(inputs),
  });
}

/** Replaces our job of that name (if any) with one built from `inputs`; refuses someone else's. */
async function putJob(inputs: LogBackupJobInputs): Promise<void> {
  await withConnection(toConnectionArgs(inputs), async (pool) => {
    const description = await existingJob(pool, inputs.jobName);
    if (description !== undefined && !description.includes(MARK)) {
      throw new Error(
        `An Agent job named [${inputs.jobName}] already exists and was not created by pulumi-mi-link; it is left ` +
          "as it is. Give the log backup job another name, or delete that job if it is no longer needed.",
      );
    }
    if (description !== undefined) await deleteJob(pool, inputs);
    await runStatement(pool, buildCreateLogBackupJobSql(specOf(inputs)), undefined, {
      action: "create Agent job for log backups",
      object: `[${inputs.jobName}]`,
      secrets: connectionSecrets(inputs),
    });
  });
}

export class LogBackupJobProvider implements pulumi.dynamic.ResourceProvider {
  async check(
    _olds: Partial<LogBackupJobInputs>,
    news: LogBackupJobInputs,
  ): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    const known = [news.jobName, news.database, news.destination, news.everyMinutes].every(
      (v) => !isUnknown(v),
    );
    if (known) {
      try {
        buildCreateLogBackupJobSql(specOf(news));
      } catch (error) {
        if (!(error instanceof TsqlInputError)) throw error;
        collector.add(error.field, error.message);
      }
    }
    return { inputs: news, failures: collector.failures };
  }

  async diff(
    _id: string,
    olds: LogBackupJobOutputs,
    news: LogBackupJobInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // The old job goes first: a new one of the same name could not be created next to it.
    const outcome = diffInputs(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      {
        replaceOn: ["jobName", "database"],
        deleteBeforeReplace: true,
      },
    );
    return {
      changes: outcome.changes || changedOutOfBand(olds),
      replaces: outcome.replaces,
      deleteBeforeReplace: true,
    };
  }

  async create(inputs: LogBackupJobInputs): Promise<pulumi.dynamic.CreateResult> {
    await putJob(inputs);
    return { id: objectId(inputs.connection, "log-backup-job", inputs.jobName), outs: { ...inputs } };
  }

  async update(
    _id: string,
    olds: LogBackupJobOutputs,
    news: LogBackupJobInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    // New credentials or connection settings only refresh what Pulumi stores: no SQL for them.
    const jobChanged =
      JSON.stringify(olds.destination) !== JSON.stringify(news.destination) ||
      olds.everyMinutes !== news.everyMinutes ||
      changedOutOfBand(olds);
    if (jobChanged) await putJob(news);
    return { outs: { ...news } };
  }

  async read(id: string, props: LogBackupJobOutputs): Promise<pulumi.dynamic.ReadResult> {
    const rows = await withConnection(toConnectionArgs(props), (pool) => readJob(pool, props.jobName));
    if (rows.length === 0) return { id: "", props: {} };
    // Only a departure is recorded: a job as defined reads back exactly as the state holds it.
    const { changedOutOfBand: _previous, ...recorded } = props;
    const departures = agentJobDepartures(rows, specOf(props));
    return { id, props: departures.length > 0 ? { ...recorded, changedOutOfBand: departures } : recorded };
  }

  async delete(_id: string, props: LogBackupJobInputs): Promise<void> {
    await withConnection(toConnectionArgs(props), async (pool) => {
      const description = await existingJob(pool, props.jobName);
      if (description?.includes(MARK)) await deleteJob(pool, props);
    });
  }
}

/** The implementation, loaded by the dynamic-provider host through {@link logBackupJobProvider}. */
export const logBackupJobOperations: ProviderOperations = new LogBackupJobProvider();

/** The provider every resource of this class registers (its source, written once). */
export const logBackupJobProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/log-backup-job.js`,
  "logBackupJobOperations",
);

export interface LogBackupJobArgs extends ConnectionArgs {
  /** The Agent job's name. Replaces. Required (the component uses `LogBackup_<db>`). */
  jobName: pulumi.Input<string>;
  /** The database whose log is backed up. Replaces. Required. */
  database: pulumi.Input<string>;
  /** `{ directory }` on the SQL Server host or `{ url }` of a blob container: one file per backup. Required. */
  destination: pulumi.Input<LogBackupDestination>;
  /** Minutes between two log backups, 1-1440. Required. */
  everyMinutes: pulumi.Input<number>;
}

/** An Agent job taking the database's log backups every N minutes (never while the link seeds). */
export class LogBackupJob extends DynamicResource {
  constructor(name: string, args: LogBackupJobArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      logBackupJobProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          jobName: args.jobName,
          database: args.database,
          destination: args.destination,
          everyMinutes: args.everyMinutes,
        },
        [],
      ),
      withSecretOutputs(opts, CONNECTION_SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "LogBackupJob",
    );
  }
}

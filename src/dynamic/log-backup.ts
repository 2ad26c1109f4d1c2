/**
 * The first log backup after the link has seeded the database (mi-link.md §1 row 14): taken once,
 * to the same target as the full backup, so the log the link keeps can be truncated from then on.
 * Never while seeding runs: a log backup during seeding can truncate the log the seeding still
 * needs and break it (errors 1408/1412), so create refuses then, changing nothing, and the next
 * `pulumi up` takes it. A log backup that already ran after the seeding completed is adopted (no
 * second one).
 *
 * Later log backups are the user's (or an Agent job's) business: this resource never takes another.
 * Delete changes nothing: backups are history.
 */
import * as pulumi from "@pulumi/pulumi";
import { runStatementThenRead, withConnection } from "../sql";
import type * as mssql from "mssql";
import {
  logBackupReadinessParams,
  parseLogBackupReadiness,
  type LogBackupReadiness,
} from "../sql/catalog/log-backup-readiness";
import { LOG_BACKUP_READINESS_QUERY } from "../tsql/queries/log-backup-readiness";
import { buildFirstLogBackupSql } from "../tsql/statements/first-log-backup";
import {
  buildLogBackupSql,
  TsqlInputError,
  validateDagName,
  validateIdentifier,
  type BackupTarget,
} from "../tsql";
import { checkConnectionInputs, checkFollowedIds, FailureCollector, isUnknown } from "./common/check";
import {
  CONNECTION_SECRET_OUTPUTS,
  connectionSecrets,
  toConnectionArgs,
  type ConnectionInputs,
} from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import { logInfo } from "./common/log";
import {
  connectionProps,
  DYNAMIC_MODULE,
  objectId,
  withSecretOutputs,
  type ConnectionArgs,
  resourceProps,
  DynamicResource,
} from "./common/resource";

export interface LogBackupInputs extends ConnectionInputs {
  /** The database whose log is backed up. */
  database: string;
  /** The link's distributed availability group: its seeding must have completed. */
  dagName: string;
  /** Where the log backup goes: `{ disk }` or `{ url }`. */
  backupTarget: BackupTarget;
  /** How long to wait for a seeding in progress to complete before refusing, in seconds. Default 0. */
  seedingWaitSeconds?: number;
  /** The Azure link's distributedAvailabilityGroupId: a new link seeds again, and is backed up again. */
  linkId?: string;
  /** The database's group_database_id in its availability group: a database that joined again is looked at again. */
  groupDatabaseId?: string | null;
}

export interface LogBackupOutputs extends LogBackupInputs {
  /** msdb.dbo.backupset id of the first log backup after seeding (taken or adopted). */
  backupSetId: number;
  /** ISO time that backup finished. */
  finishedAt: string | null;
  /** This resource took the backup (false: one taken after seeding already existed). */
  backupTaken: boolean;
  /** ISO time the link's automatic seeding completed. */
  seedingCompletedAt: string;
}

function seedingDone(r: LogBackupReadiness): boolean {
  return r.seedingInProgress.length === 0 && r.seedingCompletedAt !== null;
}

/** A log backup started after the last completed seeding: the first one is already taken. */
function backupAfterSeeding(r: LogBackupReadiness): boolean {
  const last = r.lastLogBackup;
  return (
    r.seedingCompletedAt !== null &&
    last?.startDate != null &&
    last.startDate.getTime() >= r.seedingCompletedAt.getTime()
  );
}

interface Attempt {
  /** BACKUP LOG ran in this request. */
  taken: boolean;
  /** The seeding and the newest log backup, read right after. */
  readiness: LogBackupReadiness;
}

/**
 * One round trip: BACKUP LOG guarded on SQL Server by its preconditions (seeding completed, none
 * running, no log backup since), then the read of the seeding and of the newest log backup.
 */
async function backUpIfSeeded(pool: mssql.ConnectionPool, inputs: LogBackupInputs): Promise<Attempt> {
  const [flag = [], ...readSets] = await runStatementThenRead(
    pool,
    buildFirstLogBackupSql(inputs.database, inputs.backupTarget),
    LOG_BACKUP_READINESS_QUERY,
    logBackupReadinessParams(inputs.dagName, inputs.database),
    {
      action: "take the first log backup after seeding of database",
      object: `[${inputs.database}]`,
      secrets: connectionSecrets(inputs),
    },
  );
  const taken = flag[0]?.backup_taken;
  return { taken: taken === true || taken === 1, readiness: parseLogBackupReadiness(readSets) };
}

/**
 * Takes the first log backup once seeding has completed, or finds the one already taken. While
 * seeding runs the guarded request is sent again every second until `seedingWaitSeconds` have
 * passed; then the refusal names what still runs. Each attempt observes and (when allowed) backs
 * up in the same round trip.
 */
async function takeOrFind(
  pool: mssql.ConnectionPool,
  inputs: LogBackupInputs,
): Promise<{ backup: NonNullable<LogBackupReadiness["lastLogBackup"]>; taken: boolean; seededAt: Date }> {
  const started = Date.now();
  const deadline = started + (inputs.seedingWaitSeconds ?? 0) * 1000;
  let lastReport = started;
  // Seeding may complete between the guard and the read that follows it: one more attempt then.
  let completedMeanwhile = false;
  for (;;) {
    const { taken, readiness } = await backUpIfSeeded(pool, inputs);
    const seededAt = readiness.seedingCompletedAt;
    const last = readiness.lastLogBackup;
    if (taken) {
      if (!last || !seededAt) {
        throw new Error(
          `The log backup of [${inputs.database}] ran but msdb.dbo.backupset does not show it.`,
        );
      }
      logInfo(`[${inputs.database}]: the first log backup after seeding.`);
      return { backup: last, taken: true, seededAt };
    }
    if (seededAt && last && backupAfterSeeding(readiness)) {
      logInfo(
        `[${inputs.database}]: a log backup after seeding already exists (backup set ${last.backupSetId}).`,
      );
      return { backup: last, taken: false, seededAt };
    }
    if (seededAt && seedingDone(readiness)) {
      if (!completedMeanwhile) {
        completedMeanwhile = true;
        continue;
      }
      throw new Error(
        `The first log backup of [${inputs.database}] did not run although the seeding of [${inputs.dagName}] ` +
          `completed at ${seededAt.toISOString()} and msdb.dbo.backupset shows no log backup since. Nothing was ` +
          "changed; run `pulumi up` again.",
      );
    }
    const now = Date.now();
    if (now >= deadline) {
      throw new Error(
        `Refusing to back up the log of [${inputs.database}]: the automatic seeding of the link ` +
          `[${inputs.dagName}] has not completed (${readiness.seedingInProgress.join(", ") || "not started"}). A log ` +
          "backup during seeding can truncate the log the seeding still needs and break the link (errors " +
          `1408/1412). Nothing was changed (waited ${inputs.seedingWaitSeconds ?? 0} s); run \`pulumi up\` again ` +
          "once seeding has completed.",
      );
    }
    if (now - lastReport >= 30_000) {
      lastReport = now;
      logInfo(
        `[${inputs.database}]: the first log backup waits for the seeding of [${inputs.dagName}] to complete ` +
          `(${Math.round((now - started) / 1000)} s).`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, deadline - now)));
  }
}

export class LogBackupProvider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: Partial<LogBackupInputs>, news: LogBackupInputs): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    collector.check("database", news.database, (d) => validateIdentifier(d, "database"));
    collector.check("dagName", news.dagName, (d) => validateDagName(d, "dagName"));
    collector.require(
      "seedingWaitSeconds",
      news.seedingWaitSeconds,
      news.seedingWaitSeconds == null ||
        isUnknown(news.seedingWaitSeconds) ||
        (Number.isFinite(news.seedingWaitSeconds) && news.seedingWaitSeconds >= 0),
      "must be zero or a positive number of seconds (default 0: refuse at once while seeding runs)",
    );
    checkFollowedIds(news, collector);
    if (news.backupTarget === undefined) {
      collector.add("backupTarget", "is required: where the log backup goes ({ disk } or { url })");
    } else if (!isUnknown(news.backupTarget)) {
      try {
        buildLogBackupSql("d", news.backupTarget);
      } catch (error) {
        if (!(error instanceof TsqlInputError)) throw error;
        collector.add(error.field.replace(/^target/, "backupTarget"), error.message);
      }
    }
    return { inputs: news, failures: collector.failures };
  }

  async diff(_id: string, olds: LogBackupOutputs, news: LogBackupInputs): Promise<pulumi.dynamic.DiffResult> {
    // Taken once: only another database or link (another group, or the link made again in Azure) is
    // another first log backup; other changes (target, wait, connection, credentials) are only recorded.
    const outcome = diffInputs(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      {
        replaceOn: ["database", "dagName"],
        replaceOnKnownChange: ["linkId", "groupDatabaseId"],
        recordedFirst: ["groupDatabaseId"],
        deleteBeforeReplace: false,
      },
    );
    return { changes: outcome.changes, replaces: outcome.replaces, deleteBeforeReplace: false };
  }

  async create(inputs: LogBackupInputs): Promise<pulumi.dynamic.CreateResult> {
    const outcome = await withConnection(toConnectionArgs(inputs), (pool) => takeOrFind(pool, inputs));
    const outs: LogBackupOutputs = {
      ...inputs,
      backupSetId: outcome.backup.backupSetId,
      finishedAt: outcome.backup.finishDate?.toISOString() ?? null,
      backupTaken: outcome.taken,
      seedingCompletedAt: outcome.seededAt.toISOString(),
    };
    return { id: objectId(inputs.connection, "log-backup", inputs.database), outs };
  }

  async update(
    _id: string,
    olds: LogBackupOutputs,
    news: LogBackupInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    // The first log backup is history: new settings only apply to a future replacement.
    return {
      outs: {
        ...news,
        backupSetId: olds.backupSetId,
        finishedAt: olds.finishedAt,
        backupTaken: olds.backupTaken,
        seedingCompletedAt: olds.seedingCompletedAt,
      },
    };
  }

  async read(id: string, props: LogBackupOutputs): Promise<pulumi.dynamic.ReadResult> {
    // The first log backup is a fact of the past (refresh must not drop it): nothing to observe again.
    return { id, props };
  }

  async delete(): Promise<void> {
    // Backups are history: nothing to remove.
  }
}

/** The implementation, loaded by the dynamic-provider host through {@link logBackupProvider}. */
export const logBackupOperations: ProviderOperations = new LogBackupProvider();

/** The provider every resource of this class registers (its source, written once). */
export const logBackupProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/log-backup.js`,
  "logBackupOperations",
);

export interface LogBackupArgs extends ConnectionArgs {
  /** The linked database. Replaces. Required. */
  database: pulumi.Input<string>;
  /** The link's distributed availability group, whose seeding must have completed. Replaces. Required. */
  dagName: pulumi.Input<string>;
  /** Where the log backup goes: `{ disk: path }` or `{ url: https URL }`. Required. */
  backupTarget: pulumi.Input<BackupTarget>;
  /** How long to wait for a seeding in progress to complete before refusing, in seconds. Default 0. */
  seedingWaitSeconds?: pulumi.Input<number>;
  /**
   * The Azure link's `distributedAvailabilityGroupId`. Azure gives a link a new one each time it is
   * created: a link made again seeds again, and its first log backup is taken again (or the one
   * already taken since that seeding is adopted). Replaces, once known. Default: none.
   */
  linkId?: pulumi.Input<string>;
  /**
   * The database's `group_database_id` in its availability group on SQL Server (the group's
   * `groupDatabaseId` output). A database put back in its group after it was taken out joins with a
   * new one: the first log backup since the last seeding is then taken, or found, again. Replaces,
   * once known and once recorded (its first value is only recorded). Default: none.
   */
  groupDatabaseId?: pulumi.Input<string | null>;
}

/** The first log backup after the link seeded the database; refused while seeding runs. */
export class LogBackup extends DynamicResource {
  public readonly backupSetId!: pulumi.Output<number>;
  public readonly finishedAt!: pulumi.Output<string | null>;
  public readonly backupTaken!: pulumi.Output<boolean>;
  public readonly seedingCompletedAt!: pulumi.Output<string>;

  constructor(name: string, args: LogBackupArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      logBackupProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          database: args.database,
          dagName: args.dagName,
          backupTarget: args.backupTarget,
          seedingWaitSeconds: args.seedingWaitSeconds,
          linkId: args.linkId,
          groupDatabaseId: args.groupDatabaseId,
        },
        ["backupSetId", "finishedAt", "backupTaken", "seedingCompletedAt"],
      ),
      withSecretOutputs(opts, CONNECTION_SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "LogBackup",
    );
  }
}

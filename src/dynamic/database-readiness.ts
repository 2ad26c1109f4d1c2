/**
 * One database made ready to be the link's primary: FULL recovery and a full backup (not
 * COPY_ONLY) taken since it entered FULL recovery, which starts the log backup chain the link
 * seeds from. A backup is taken only when that chain does not exist yet.
 *
 * Drift: `read` reports the recovery model and whether the chain still exists
 * (`backupChainIntact`). When a refresh finds the database back in SIMPLE recovery or without a
 * chain, the next `pulumi up` sees it in `diff` and its update repairs it (FULL again, a new
 * backup to `backupTarget`).
 *
 * Delete changes nothing: the recovery model and the backups stay, as other backups and the
 * database's users may now depend on them.
 */
import * as pulumi from "@pulumi/pulumi";
import { withConnection } from "../sql";
import { readBackupChain } from "../sql/catalog/backup-chain";
import {
  buildFullBackupSql,
  TsqlInputError,
  validateIdentifier,
  type BackupOptions,
  type BackupTarget,
} from "../tsql";
import { checkConnectionInputs, FailureCollector, isUnknown } from "./common/check";
import { CONNECTION_SECRET_OUTPUTS, toConnectionArgs, withoutCredentials } from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import {
  connectionProps,
  DYNAMIC_MODULE,
  objectId,
  withSecretOutputs,
  type ConnectionArgs,
  resourceProps,
  DynamicResource,
} from "./common/resource";
import {
  ensureDatabaseReady,
  readinessDrifted,
  readinessState,
  type ReadinessInputs,
  type ReadinessOutcome,
} from "./database-readiness-steps";

export type DatabaseReadinessInputs = ReadinessInputs;

export interface DatabaseReadinessOutputs extends DatabaseReadinessInputs, ReadinessOutcome {}

const SYSTEM_DATABASES = ["master", "model", "msdb", "tempdb"];

function serverOf(inputs: DatabaseReadinessInputs): string {
  return `${inputs.connection.host}:${inputs.connection.port ?? 1433}`;
}

/** Maps a backup builder field ("target.disk", "options.stats") to the resource property. */
function backupProperty(field: string): string {
  return field.replace(/^target/, "backupTarget").replace(/^options/, "backupOptions");
}

export class DatabaseReadinessProvider implements pulumi.dynamic.ResourceProvider {
  async check(
    _olds: DatabaseReadinessInputs,
    news: DatabaseReadinessInputs,
  ): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    if (news.database === undefined) {
      collector.add("database", "is required: the user database the link replicates");
    } else {
      collector.check("database", news.database, (d) => validateIdentifier(d, "database"));
      collector.require(
        "database",
        news.database,
        typeof news.database !== "string" || !SYSTEM_DATABASES.includes(news.database.toLowerCase()),
        "is a system database (master, model, msdb, tempdb), which the link cannot replicate: choose a user database",
      );
    }
    const options = news.backupOptions as BackupOptions | undefined;
    if (options?.copyOnly === true) {
      collector.add(
        "backupOptions.copyOnly",
        "is not allowed: a COPY_ONLY backup does not start the log backup chain the link needs; remove it",
      );
    }
    if (!isUnknown(news.backupTarget) && !isUnknown(options)) {
      try {
        // The builder's own validation of the target and options, with a placeholder name.
        if (news.backupTarget !== undefined) buildFullBackupSql("d", news.backupTarget, options ?? {});
        else if (options !== undefined) buildFullBackupSql("d", { disk: "d" }, options);
      } catch (error) {
        if (!(error instanceof TsqlInputError)) throw error;
        collector.add(backupProperty(error.field), error.message);
      }
    }
    return { inputs: news, failures: collector.failures };
  }

  async diff(
    _id: string,
    olds: DatabaseReadinessOutputs,
    news: DatabaseReadinessInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // Another database is another resource; the backup target and options only matter when a
    // backup is needed, and connection settings name the same SQL Server.
    const outcome = diffInputs(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      { replaceOn: ["database"], deleteBeforeReplace: false },
    );
    return {
      changes: outcome.changes || readinessDrifted(olds),
      replaces: outcome.replaces,
      deleteBeforeReplace: false,
    };
  }

  async create(inputs: DatabaseReadinessInputs): Promise<pulumi.dynamic.CreateResult> {
    const outcome = await withConnection(toConnectionArgs(inputs), (pool) =>
      ensureDatabaseReady(pool, inputs, serverOf(inputs)),
    );
    const outs: DatabaseReadinessOutputs = { ...inputs, ...outcome };
    return { id: objectId(inputs.connection, "database-readiness", inputs.database), outs };
  }

  async read(id: string, props: DatabaseReadinessOutputs): Promise<pulumi.dynamic.ReadResult> {
    const chain = await withConnection(toConnectionArgs(props), (pool) =>
      readBackupChain(pool, props.database),
    );
    if (!chain) return { id: "", props: {} };
    return { id, props: { ...props, ...readinessState(chain) } };
  }

  async update(
    _id: string,
    olds: DatabaseReadinessOutputs,
    news: DatabaseReadinessInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const kept: DatabaseReadinessOutputs = { ...withoutCredentials(olds), ...news };
    // Only drift found by the last read needs SQL; input changes are remembered for next time.
    if (!readinessDrifted(olds)) return { outs: kept };
    const outcome = await withConnection(toConnectionArgs(news), (pool) =>
      ensureDatabaseReady(pool, news, serverOf(news)),
    );
    const backup = outcome.backupTaken
      ? { backupTaken: true, backupFile: outcome.backupFile }
      : { backupTaken: olds.backupTaken, backupFile: olds.backupFile };
    return { outs: { ...kept, ...outcome, ...backup } };
  }

  /** Changes nothing: the recovery model and the backups stay. */
  async delete(): Promise<void> {}
}

/** The implementation, loaded by the dynamic-provider host through {@link databaseReadinessProvider}. */
export const databaseReadinessOperations: ProviderOperations = new DatabaseReadinessProvider();

/** The provider every resource of this class registers (its source, written once). */
export const databaseReadinessProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/database-readiness.js`,
  "databaseReadinessOperations",
);

export interface DatabaseReadinessArgs extends ConnectionArgs {
  /** The user database the link replicates (system databases are refused). */
  database: pulumi.Input<string>;
  /**
   * Where to write the full backup, when one is needed: `{ disk: path }` on the SQL Server host or
   * `{ url: https URL }` (with a credential for the container). No default: without it, a database
   * that has no full backup since entering FULL recovery is refused before any change.
   */
  backupTarget?: pulumi.Input<BackupTarget>;
  /** Compression, checksum, INIT, STATS of that backup. Default none. COPY_ONLY is refused. */
  backupOptions?: pulumi.Input<Omit<BackupOptions, "copyOnly">>;
}

/**
 * A database in FULL recovery with a log backup chain, ready to be the link's primary. Delete
 * leaves the database as it is (recovery model and backups stay).
 */
export class DatabaseReadiness extends DynamicResource {
  /** FULL once ready; what a refresh found otherwise. */
  public readonly recoveryModel!: pulumi.Output<string>;
  /** ISO time of the last full backup that was not COPY_ONLY, or null. */
  public readonly lastFullBackupFinishDate!: pulumi.Output<string | null>;
  /** A full backup was taken since the database entered FULL recovery (false after drift). */
  public readonly backupChainIntact!: pulumi.Output<boolean>;
  /** This resource took the full backup (false when one already existed). */
  public readonly backupTaken!: pulumi.Output<boolean>;
  /** Where that backup went, when this resource took it. */
  public readonly backupFile!: pulumi.Output<string | null>;

  constructor(name: string, args: DatabaseReadinessArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      databaseReadinessProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          database: args.database,
          backupTarget: args.backupTarget,
          backupOptions: args.backupOptions,
        },
        ["recoveryModel", "lastFullBackupFinishDate", "backupChainIntact", "backupTaken", "backupFile"],
      ),
      withSecretOutputs(opts, CONNECTION_SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "DatabaseReadiness",
    );
  }
}

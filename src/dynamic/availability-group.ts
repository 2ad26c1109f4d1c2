/**
 * The link's availability group on SQL Server: one replica (this instance), one database.
 * Created with `CLUSTER_TYPE = NONE` (left out on SQL Server 2016); without a database and with
 * `GRANT CREATE ANY DATABASE` when the managed instance is the initial primary, so automatic
 * seeding can create the database here. An existing group with this name is adopted when it is a
 * regular availability group with this instance as a replica and the same database; it is left in
 * place on delete. A group still used by a distributed availability group is never dropped.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  createOutcomeUnknown,
  keepUnfinishedCreate,
  partiallyCreated,
  runCreateStatement,
  type CreateOutcomeFlag,
} from "./common/create-outcome";
import {
  parseAvailabilityGroup,
  readAvailabilityGroup,
  runStatement,
  runStatementThenRead,
  withConnection,
} from "../sql";
import { AVAILABILITY_GROUP_QUERY } from "../tsql/queries/availability-group";
import { readAvailabilityGroupDropCheck } from "../sql/catalog/distributed-ags-using-ag";
import {
  buildCreateAgSql,
  buildDropAgSql,
  buildAddDatabaseToAgSql,
  buildGrantCreateAnyDatabaseSql,
  buildModifyReplicaEndpointUrlSql,
  linkSupport,
  parseProductVersion,
  validateIdentifier,
} from "../tsql";
import type * as mssql from "mssql";
import {
  adoptionConflict,
  databaseTakenOut,
  describeObject,
  observed,
  withCatalog,
} from "./availability-group-catalog";
import { sameName, validateEndpointUrl, validateUserDatabase } from "./availability-group-inputs";
import { checkConnectionInputs, FailureCollector, isUnknown } from "./common/check";
import { CONNECTION_SECRET_OUTPUTS, toConnectionArgs, type ConnectionInputs } from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import { dropUnlessGone } from "./common/drop";
import { logWarning } from "./common/log";
import {
  connectionProps,
  DYNAMIC_MODULE,
  objectId,
  withSecretOutputs,
  type ConnectionArgs,
  resourceProps,
  DynamicResource,
} from "./common/resource";

export interface AvailabilityGroupInputs extends ConnectionInputs {
  /** The availability group's name, e.g. `AG_<db>`. */
  name: string;
  /** The database; absent when the managed instance is the initial primary. */
  database?: string;
  /** `@@SERVERNAME` of the SQL Server: the replica's name. */
  replicaServerName: string;
  /** `TCP://<host>:<port>` of the mirroring endpoint, as the managed instance reaches it. */
  endpointUrl: string;
  /** `SERVERPROPERTY('ProductVersion')`: SQL Server 2016 takes no CLUSTER_TYPE. */
  productVersion: string;
  /** Drop the group on delete even when it existed before. Default false. */
  dropAdoptedOnDelete?: boolean;
}

export interface AvailabilityGroupOutputs extends AvailabilityGroupInputs, CreateOutcomeFlag {
  /** The group existed before this resource: it is left in place on delete. */
  adopted: boolean;
  /** NONE, WSFC or EXTERNAL, as the catalog reports it. */
  clusterType: string | null;
  /** The databases of the group, as the catalog reports them. */
  databases: string[];
  /** The `group_database_id` of `database` in the group (new each time it joins); null while it is not in it. */
  groupDatabaseId?: string | null;
  /** Whether CREATE ANY DATABASE was granted to the group (managed instance as initial primary). */
  createAnyDatabaseGranted: boolean;
}

const REPLACE_ON = ["name", "database", "replicaServerName"];

export class AvailabilityGroupProvider implements pulumi.dynamic.ResourceProvider {
  async check(
    _olds: AvailabilityGroupInputs,
    news: AvailabilityGroupInputs,
  ): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    collector.check("name", news.name, (v) => validateIdentifier(v, "name"));
    if (news.database !== undefined && news.database !== null) {
      collector.check("database", news.database, (v) => validateUserDatabase(v, "database"));
    }
    collector.check("replicaServerName", news.replicaServerName, (v) =>
      validateIdentifier(v, "replicaServerName"),
    );
    collector.check("endpointUrl", news.endpointUrl, (v) => validateEndpointUrl(v, "endpointUrl"));
    collector.check("productVersion", news.productVersion, (v) => parseProductVersion(v, "productVersion"));
    if (
      collector.failures.every((f) => f.property !== "productVersion") &&
      !isUnknown(news.productVersion) &&
      !isUnknown(news.database)
    ) {
      const support = linkSupport(news.productVersion, {
        initialPrimary: news.database == null ? "ManagedInstance" : "SqlServer",
        failoverMode: "None",
      });
      if (!support.ok) collector.add("productVersion", `${support.reason}. ${support.fix}`);
    }
    collector.require(
      "dropAdoptedOnDelete",
      news.dropAdoptedOnDelete,
      news.dropAdoptedOnDelete === undefined || typeof news.dropAdoptedOnDelete === "boolean",
      "must be true or false (default false)",
    );
    return { inputs: news, failures: collector.failures };
  }

  async diff(
    _id: string,
    olds: AvailabilityGroupOutputs,
    news: AvailabilityGroupInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // endpointUrl changes in place (MODIFY REPLICA); productVersion only mattered at creation.
    const outcome = diffInputs(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      { replaceOn: REPLACE_ON },
    );
    return keepUnfinishedCreate(olds, {
      // A database taken out of the group out of band (seen by refresh) is put back.
      changes: outcome.changes || databaseTakenOut(olds, news),
      replaces: outcome.replaces,
      // Same name on SQL Server: the old group must go first.
      deleteBeforeReplace: sameName(olds.name, news.name),
    });
  }

  async create(inputs: AvailabilityGroupInputs): Promise<pulumi.dynamic.CreateResult> {
    const id = objectId(inputs.connection, "availability-group", inputs.name);
    return { id, outs: await this.createOrFinish(inputs, false) };
  }

  /**
   * Creates the group, or adopts a matching one. `finishing`: a previous create's reply was lost,
   * so a matching group found now is the one that create made (not adopted).
   */
  private async createOrFinish(
    inputs: AvailabilityGroupInputs,
    finishing: boolean,
  ): Promise<AvailabilityGroupOutputs> {
    const id = objectId(inputs.connection, "availability-group", inputs.name);
    return withConnection(toConnectionArgs(inputs), async (pool) => {
      const existing = await readAvailabilityGroup(pool, inputs.name);
      if (existing) {
        const conflict = adoptionConflict(existing, inputs);
        if (conflict) {
          throw new Error(
            `Cannot use the existing ${describeObject(inputs.name)}: ${conflict}. ` +
              "Give this link's availability group another name, or drop the existing group if it is not in use.",
          );
        }
        if (inputs.database == null) await grantCreateAnyDatabase(pool, inputs.name);
        const outputs = {
          ...inputs,
          adopted: !finishing,
          createAnyDatabaseGranted: inputs.database == null,
        };
        const seen = observed(inputs, existing);
        if (seen.endpointUrl !== inputs.endpointUrl) {
          logWarning(
            `The existing ${describeObject(inputs.name)} uses the endpoint URL ${seen.endpointUrl}, not ` +
              `${inputs.endpointUrl}; the next update will change it.`,
          );
        }
        return { ...outputs, ...seen };
      }
      const partial: AvailabilityGroupOutputs = {
        ...inputs,
        adopted: false,
        clusterType: null,
        databases: inputs.database == null ? [] : [inputs.database],
        groupDatabaseId: null,
        createAnyDatabaseGranted: false,
      };
      // CREATE and the read of the new group share one round trip.
      const sets = await runCreateStatement(
        describeObject(inputs.name),
        id,
        { ...partial },
        () =>
          runStatementThenRead(
            pool,
            buildCreateAgSql({
              agName: inputs.name,
              database: inputs.database ?? undefined,
              serverName: inputs.replicaServerName,
              endpointUrl: inputs.endpointUrl,
              version: inputs.productVersion,
            }),
            AVAILABILITY_GROUP_QUERY,
            { name: inputs.name },
            { action: "create availability group", object: `[${inputs.name}]` },
          ),
        async () => (await readAvailabilityGroup(pool, inputs.name)) !== null,
      );
      try {
        const created = withCatalog(partial, parseAvailabilityGroup(sets));
        if (inputs.database == null) {
          // The grant changes nothing the read reports.
          await grantCreateAnyDatabase(pool, inputs.name);
          partial.createAnyDatabaseGranted = true;
          created.createAnyDatabaseGranted = true;
        }
        return created;
      } catch (error) {
        throw partiallyCreated(error, id, partial as unknown as Record<string, unknown>);
      }
    });
  }

  async read(id: string, props: AvailabilityGroupOutputs): Promise<pulumi.dynamic.ReadResult> {
    const group = await withConnection(toConnectionArgs(props), (pool) =>
      readAvailabilityGroup(pool, props.name),
    );
    if (!group || group.isDistributed) return { id: "", props: {} };
    return { id, props: { ...props, ...observed(props, group) } };
  }

  async update(
    _id: string,
    olds: AvailabilityGroupOutputs,
    news: AvailabilityGroupInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    // A create whose reply was lost is finished: the group is made or found, and is the stack's.
    if (createOutcomeUnknown(olds)) return { outs: await this.createOrFinish(news, true) };
    const base: AvailabilityGroupOutputs = {
      ...news,
      adopted: olds.adopted,
      clusterType: olds.clusterType,
      databases: olds.databases,
      groupDatabaseId: olds.groupDatabaseId ?? null,
      createAnyDatabaseGranted: olds.createAnyDatabaseGranted,
    };
    const needsUrl = olds.endpointUrl !== news.endpointUrl;
    const needsDatabase = databaseTakenOut(olds, news);
    // A create that failed after CREATE AVAILABILITY GROUP left the grant to do.
    const needsGrant = news.database == null && !olds.createAnyDatabaseGranted;
    // Outputs never observed (create failed before its read) are read now.
    const needsRead = olds.clusterType == null;
    if (!needsUrl && !needsGrant && !needsRead && !needsDatabase) return { outs: base };
    const outs = await withConnection(toConnectionArgs(news), async (pool) => {
      if (needsUrl) {
        await runStatement(
          pool,
          buildModifyReplicaEndpointUrlSql({
            agName: news.name,
            serverName: news.replicaServerName,
            endpointUrl: news.endpointUrl,
          }),
          undefined,
          { action: "change the endpoint URL of availability group", object: `[${news.name}]` },
        );
      }
      if (needsDatabase) {
        await runStatement(pool, buildAddDatabaseToAgSql(news.name, String(news.database)), undefined, {
          action: "put the database back in availability group",
          object: `[${news.name}] ([${String(news.database)}])`,
        });
      }
      if (needsGrant) {
        await grantCreateAnyDatabase(pool, news.name);
        base.createAnyDatabaseGranted = true;
      }
      return refreshed(pool, base);
    });
    return { outs };
  }

  async delete(_id: string, props: AvailabilityGroupOutputs): Promise<void> {
    if (props.adopted && !props.dropAdoptedOnDelete) return;
    await withConnection(toConnectionArgs(props), async (pool) => {
      const check = await readAvailabilityGroupDropCheck(pool, props.name);
      if (!check.exists || check.isDistributed) return;
      if (check.usedBy.length > 0) {
        throw new Error(
          `Cannot drop ${describeObject(props.name)}: the distributed availability group ` +
            `${check.usedBy.map((u) => `[${u}]`).join(", ")} still uses it. Remove the link first ` +
            "(delete the Azure link and its distributed availability group), then delete this resource again.",
        );
      }
      await dropUnlessGone(pool, buildDropAgSql(props.name), {
        action: "drop availability group",
        object: `[${props.name}]`,
      });
    });
  }
}

async function grantCreateAnyDatabase(pool: mssql.ConnectionPool, name: string): Promise<void> {
  await runStatement(pool, buildGrantCreateAnyDatabaseSql(name), undefined, {
    action: "grant CREATE ANY DATABASE to availability group",
    object: `[${name}]`,
  });
}

/** The outputs with what the catalog now shows. */
async function refreshed(
  pool: mssql.ConnectionPool,
  outputs: AvailabilityGroupOutputs,
): Promise<AvailabilityGroupOutputs> {
  return withCatalog(outputs, await readAvailabilityGroup(pool, outputs.name));
}

/** The implementation, loaded by the dynamic-provider host through {@link availabilityGroupProvider}. */
export const availabilityGroupOperations: ProviderOperations = new AvailabilityGroupProvider();

/** The provider every resource of this class registers (its source, written once). */
export const availabilityGroupProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/availability-group.js`,
  "availabilityGroupOperations",
);

export interface AvailabilityGroupArgs extends ConnectionArgs {
  /** The availability group's name. The component uses `AG_<db>`. Changing it replaces the group. */
  name: pulumi.Input<string>;
  /**
   * The database to replicate. Leave it out when the managed instance is the initial primary
   * (SQL Server 2022 CU10 or later): the group then receives the database by seeding. No default.
   */
  database?: pulumi.Input<string>;
  /** `@@SERVERNAME` of the SQL Server (the replica's name); the component reads it. Required. */
  replicaServerName: pulumi.Input<string>;
  /**
   * `TCP://<host>:<port>` of the mirroring endpoint as the managed instance reaches it. Changed in
   * place. Required.
   */
  endpointUrl: pulumi.Input<string>;
  /** `SERVERPROPERTY('ProductVersion')`; decides whether CLUSTER_TYPE = NONE is written. Required. */
  productVersion: pulumi.Input<string>;
  /** Drop the group on delete even when it existed before this resource. Default false. */
  dropAdoptedOnDelete?: pulumi.Input<boolean>;
}

/** The link's availability group on one SQL Server. */
export class AvailabilityGroup extends DynamicResource {
  /** The group existed before this resource and is left in place on delete. */
  public readonly adopted!: pulumi.Output<boolean>;
  public readonly name!: pulumi.Output<string>;
  /** NONE (WSFC on SQL Server 2016), as the catalog reports it. */
  public readonly clusterType!: pulumi.Output<string | null>;
  public readonly replicaServerName!: pulumi.Output<string>;
  public readonly endpointUrl!: pulumi.Output<string>;
  /** The group's databases, as the catalog reports them. */
  public readonly databases!: pulumi.Output<string[]>;
  /**
   * The `group_database_id` of the database in the group, as the catalog reports it: new each time
   * the database joins. Null while it is not in the group (before seeding, with the managed instance
   * as initial primary).
   */
  public readonly groupDatabaseId!: pulumi.Output<string | null>;
  public readonly createAnyDatabaseGranted!: pulumi.Output<boolean>;

  constructor(name: string, args: AvailabilityGroupArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      availabilityGroupProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          name: args.name,
          database: args.database,
          replicaServerName: args.replicaServerName,
          endpointUrl: args.endpointUrl,
          productVersion: args.productVersion,
          dropAdoptedOnDelete: args.dropAdoptedOnDelete,
        },
        [
          "adopted",
          "clusterType",
          "databases",
          "groupDatabaseId",
          "createAnyDatabaseGranted",
          "name",
          "replicaServerName",
          "endpointUrl",
        ],
      ),
      withSecretOutputs(opts, CONNECTION_SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "AvailabilityGroup",
    );
  }
}

/**
 * The link's distributed availability group on SQL Server: this SQL Server's availability group
 * and the managed instance's, the initial primary's listed first. An existing distributed group
 * with the same name, members and listener URLs is adopted (and left in place on delete); any
 * other object of that name is a conflict. The availability mode changes in place on both
 * members; `initialPrimary` is a creation-time choice: once created it is ignored by diff, since
 * failovers change the roles afterwards.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as mssql from "mssql";
import {
  createOutcomeUnknown,
  keepUnfinishedCreate,
  partiallyCreated,
  runCreateStatement,
} from "./common/create-outcome";
import {
  parseDistributedAg,
  readDistributedAg,
  runStatement,
  runStatementThenRead,
  withConnection,
  type DistributedAgInfo,
} from "../sql";
import { DISTRIBUTED_AG_QUERY } from "../tsql/queries/distributed-ag";
import {
  buildCreateDistributedAgSql,
  buildDropAgSql,
  buildSetDagAvailabilityModeSql,
  TsqlInputError,
  validateDagName,
  validateHost,
  validateManagedInstanceName,
  type AvailabilityMode,
  type InitialPrimary,
} from "../tsql";
import { sameName, validateEndpointUrl, validateUserDatabase } from "./availability-group-inputs";
import { checkConnectionInputs, FailureCollector, isUnknown } from "./common/check";
import { CONNECTION_SECRET_OUTPUTS, toConnectionArgs } from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import { dropUnlessGone } from "./common/drop";
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
  adoptionConflict,
  BUILDER_FIELD_TO_PROPERTY,
  createSpec,
  observed,
  REPLACE_ON,
  withDefaults,
  type DistributedAgMemberOutput,
  type DistributedAvailabilityGroupInputs,
  type DistributedAvailabilityGroupOutputs,
} from "./distributed-availability-group-model";

export type {
  DistributedAgMemberOutput,
  DistributedAvailabilityGroupInputs,
  DistributedAvailabilityGroupOutputs,
} from "./distributed-availability-group-model";

export class DistributedAvailabilityGroupProvider implements pulumi.dynamic.ResourceProvider {
  async check(
    _olds: DistributedAvailabilityGroupInputs,
    news: DistributedAvailabilityGroupInputs,
  ): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    collector.check("name", news.name, (v) => validateDagName(v, "name"));
    collector.check("agName", news.agName, (v) => validateDagName(v, "agName"));
    collector.check("miAgName", news.miAgName, (v) => validateDagName(v, "miAgName"));
    collector.check("sqlServerListenerUrl", news.sqlServerListenerUrl, (v) =>
      validateEndpointUrl(v, "sqlServerListenerUrl"),
    );
    collector.check("managedInstanceFqdn", news.managedInstanceFqdn, (v) =>
      validateHost(v, "managedInstanceFqdn"),
    );
    collector.check("managedInstanceName", news.managedInstanceName, (v) =>
      validateManagedInstanceName(v, "managedInstanceName"),
    );
    collector.check("database", news.database, (v) => validateUserDatabase(v, "database"));
    collector.require(
      "initialPrimary",
      news.initialPrimary,
      news.initialPrimary == null || ["SqlServer", "ManagedInstance"].includes(news.initialPrimary),
      'must be "SqlServer" or "ManagedInstance" (default "SqlServer")',
    );
    collector.require(
      "availabilityMode",
      news.availabilityMode,
      news.availabilityMode == null ||
        ["ASYNCHRONOUS_COMMIT", "SYNCHRONOUS_COMMIT"].includes(news.availabilityMode),
      "must be ASYNCHRONOUS_COMMIT or SYNCHRONOUS_COMMIT (default ASYNCHRONOUS_COMMIT)",
    );
    collector.require(
      "sessionTimeout",
      news.sessionTimeout,
      news.sessionTimeout == null || (Number.isInteger(news.sessionTimeout) && news.sessionTimeout >= 5),
      "must be a whole number of seconds of at least 5 (default 20)",
    );
    const inputs = withDefaults(news);
    // What only the whole statement can tell (URL lengths, a database name the MI URL cannot carry).
    if (collector.failures.length === 0 && !isUnknown(inputs)) {
      try {
        buildCreateDistributedAgSql(createSpec(inputs));
      } catch (error) {
        if (!(error instanceof TsqlInputError)) throw error;
        collector.add(BUILDER_FIELD_TO_PROPERTY[error.field] ?? error.field, error.message);
      }
    }
    collector.require(
      "dropAdoptedOnDelete",
      news.dropAdoptedOnDelete,
      news.dropAdoptedOnDelete == null || typeof news.dropAdoptedOnDelete === "boolean",
      "must be true or false (default false)",
    );
    return { inputs, failures: collector.failures };
  }

  async diff(
    _id: string,
    olds: DistributedAvailabilityGroupOutputs,
    news: DistributedAvailabilityGroupInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // initialPrimary only chose the member order at creation; failovers change roles since.
    const { initialPrimary: _oldChoice, ...oldRest } = olds;
    const { initialPrimary: _newChoice, ...newRest } = news;
    const outcome = diffInputs(
      oldRest as unknown as Record<string, unknown>,
      newRest as unknown as Record<string, unknown>,
      { replaceOn: REPLACE_ON },
    );
    return keepUnfinishedCreate(olds, {
      changes: outcome.changes,
      replaces: outcome.replaces,
      deleteBeforeReplace: sameName(olds.name, news.name),
    });
  }

  async create(raw: DistributedAvailabilityGroupInputs): Promise<pulumi.dynamic.CreateResult> {
    const inputs = withDefaults(raw);
    const outs = await this.createOrFinish(inputs, false);
    return { id: distributedAgId(inputs, outs.groupId), outs };
  }

  /**
   * Creates the group, or adopts a matching one. `finishing`: a previous create's reply was lost,
   * so a matching group found now is the one that create made (not adopted).
   */
  private async createOrFinish(
    inputs: DistributedAvailabilityGroupInputs,
    finishing: boolean,
  ): Promise<DistributedAvailabilityGroupOutputs> {
    const id = distributedAgId(inputs);
    return withConnection(toConnectionArgs(inputs), async (pool) => {
      const existing = await readDistributedAg(pool, inputs.name);
      if (existing) {
        const conflict = adoptionConflict(existing, inputs);
        if (conflict) {
          throw new Error(
            `Cannot use the existing availability group [${inputs.name}] as the link's distributed ` +
              `availability group: ${conflict}. Give the link another name, or drop the existing ` +
              "group if it is not in use.",
          );
        }
        return { ...inputs, adopted: !finishing, ...observed(inputs, existing) };
      }
      const partial: DistributedAvailabilityGroupOutputs = {
        ...inputs,
        adopted: false,
        members: [],
        localRole: null,
      };
      // CREATE and the read of the new group share one round trip.
      const sets = await runCreateStatement(
        `distributed availability group [${inputs.name}]`,
        id,
        { ...partial },
        () =>
          runStatementThenRead(
            pool,
            buildCreateDistributedAgSql(createSpec(inputs)),
            DISTRIBUTED_AG_QUERY,
            { name: inputs.name },
            { action: "create distributed availability group", object: `[${inputs.name}]` },
          ),
        async () => (await readDistributedAg(pool, inputs.name)) !== null,
      );
      try {
        return withCatalog(partial, parseDistributedAg(sets));
      } catch (error) {
        throw partiallyCreated(error, id, partial as unknown as Record<string, unknown>);
      }
    });
  }

  async read(id: string, props: DistributedAvailabilityGroupOutputs): Promise<pulumi.dynamic.ReadResult> {
    const dag = await withConnection(toConnectionArgs(props), (pool) => readDistributedAg(pool, props.name));
    if (!dag || !dag.isDistributed) return { id: "", props: {} };
    // Made again out of band: a new group, which the link's side on the managed instance never joined.
    const madeAgain = props.groupId !== undefined && dag.groupId !== props.groupId;
    return {
      id: madeAgain ? distributedAgId(props, dag.groupId) : id,
      props: { ...props, ...observed(props, dag) },
    };
  }

  async update(
    _id: string,
    olds: DistributedAvailabilityGroupOutputs,
    raw: DistributedAvailabilityGroupInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const news = withDefaults(raw);
    // A create whose reply was lost is finished: the group is made or found, and is the stack's.
    if (createOutcomeUnknown(olds)) return { outs: await this.createOrFinish(news, true) };
    const base: DistributedAvailabilityGroupOutputs = {
      ...news,
      initialPrimary: olds.initialPrimary,
      adopted: olds.adopted,
      members: olds.members,
      localRole: olds.localRole,
      ...(olds.groupId !== undefined ? { groupId: olds.groupId } : {}),
    };
    if (olds.availabilityMode === news.availabilityMode && olds.members.length > 0) return { outs: base };
    const outs = await withConnection(toConnectionArgs(news), async (pool) => {
      if (olds.availabilityMode !== news.availabilityMode) {
        await runStatement(
          pool,
          buildSetDagAvailabilityModeSql({
            dagName: news.name,
            agName: news.agName,
            miAgName: news.miAgName,
            availabilityMode: news.availabilityMode ?? "ASYNCHRONOUS_COMMIT",
          }),
          undefined,
          {
            action: "change the availability mode of distributed availability group",
            object: `[${news.name}]`,
          },
        );
      }
      return refreshed(pool, base);
    });
    return { outs };
  }

  async delete(_id: string, props: DistributedAvailabilityGroupOutputs): Promise<void> {
    if (props.adopted && !props.dropAdoptedOnDelete) return;
    await withConnection(toConnectionArgs(props), async (pool) => {
      const dag = await readDistributedAg(pool, props.name);
      if (!dag || !dag.isDistributed) return;
      await dropUnlessGone(pool, buildDropAgSql(props.name), {
        action: "drop distributed availability group",
        object: `[${props.name}]`,
      });
    });
  }
}

/**
 * The resource's id: the server, the group's name and, once known, its `group_id`. A group made again
 * (by the stack after it was dropped, or out of band) gets a new id, which the Azure link of `MiLink`
 * takes as its replacement trigger: the managed instance's side of a link only joins the group it was
 * made with. A create whose reply was lost has no `group_id` in its id, and the group it made keeps it.
 */
export function distributedAgId(
  inputs: Pick<DistributedAvailabilityGroupInputs, "connection" | "name">,
  groupId?: string,
): string {
  const base = objectId(inputs.connection, "distributed-availability-group", inputs.name);
  return groupId ? `${base}#${groupId}` : base;
}

/** The outputs with what the catalog now shows. */
async function refreshed(
  pool: mssql.ConnectionPool,
  outputs: DistributedAvailabilityGroupOutputs,
): Promise<DistributedAvailabilityGroupOutputs> {
  return withCatalog(outputs, await readDistributedAg(pool, outputs.name));
}

/** The outputs with what a read right after a change found; the group must be there. */
function withCatalog(
  outputs: DistributedAvailabilityGroupOutputs,
  dag: DistributedAgInfo | null,
): DistributedAvailabilityGroupOutputs {
  if (!dag) {
    throw new Error(
      `The distributed availability group [${outputs.name}] is missing right after it was changed; run the update again.`,
    );
  }
  return { ...outputs, ...observed(outputs, dag) };
}

/** The implementation, loaded by the dynamic-provider host through {@link distributedAvailabilityGroupProvider}. */
export const distributedAvailabilityGroupOperations: ProviderOperations =
  new DistributedAvailabilityGroupProvider();

/** The provider every resource of this class registers (its source, written once). */
export const distributedAvailabilityGroupProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/distributed-availability-group.js`,
  "distributedAvailabilityGroupOperations",
);

export interface DistributedAvailabilityGroupArgs extends ConnectionArgs {
  /** The distributed availability group's name, also the Azure link's name. The component uses `DAG_<db>`. Replaces. */
  name: pulumi.Input<string>;
  /** The availability group on SQL Server (`AG_<db>`). Replaces. Required. */
  agName: pulumi.Input<string>;
  /** The availability group the managed instance creates for the link (`AG_<db>_MI`). Replaces. Required. */
  miAgName: pulumi.Input<string>;
  /** `TCP://<host>:<port>` of SQL Server's mirroring endpoint as the managed instance reaches it. Replaces. Required. */
  sqlServerListenerUrl: pulumi.Input<string>;
  /** The managed instance's fully qualified domain name. Replaces. Required. */
  managedInstanceFqdn: pulumi.Input<string>;
  /** The managed instance's short name. Replaces. Required. */
  managedInstanceName: pulumi.Input<string>;
  /** The replicated database. Replaces. Required. */
  database: pulumi.Input<string>;
  /**
   * Which side holds the database when the link is created: "SqlServer" or "ManagedInstance"
   * (SQL Server 2022 CU10+). Decides the member order and the MI listener URL at creation only;
   * later changes are ignored (failovers change the roles). Default "SqlServer".
   */
  initialPrimary?: pulumi.Input<InitialPrimary>;
  /** ASYNCHRONOUS_COMMIT or SYNCHRONOUS_COMMIT, set on both members in place. Default ASYNCHRONOUS_COMMIT. */
  availabilityMode?: pulumi.Input<AvailabilityMode>;
  /** SESSION_TIMEOUT of SQL Server's member, in seconds (at least 5). Replaces. Default 20. */
  sessionTimeout?: pulumi.Input<number>;
  /** Drop the group on delete even when it existed before this resource. Default false. */
  dropAdoptedOnDelete?: pulumi.Input<boolean>;
}

/**
 * The link's distributed availability group on one SQL Server. Its id carries the group's `group_id`:
 * give it to the Azure link as `replacementTrigger` (with `deleteBeforeReplace`), as `MiLink` does, so
 * that a group made again gets a new link.
 */
export class DistributedAvailabilityGroup extends DynamicResource {
  /** The group existed before this resource and is left in place on delete. */
  public readonly adopted!: pulumi.Output<boolean>;
  public readonly name!: pulumi.Output<string>;
  /** Both members: names, listener URLs, modes and roles, as the catalog reports them. */
  public readonly members!: pulumi.Output<DistributedAgMemberOutput[]>;
  /** The role of SQL Server's member (PRIMARY or SECONDARY). */
  public readonly localRole!: pulumi.Output<string | null>;
  public readonly availabilityMode!: pulumi.Output<AvailabilityMode>;
  /** The group's `group_id` on SQL Server: new whenever the group is made again. */
  public readonly groupId!: pulumi.Output<string>;

  constructor(name: string, args: DistributedAvailabilityGroupArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      distributedAvailabilityGroupProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          name: args.name,
          agName: args.agName,
          miAgName: args.miAgName,
          sqlServerListenerUrl: args.sqlServerListenerUrl,
          managedInstanceFqdn: args.managedInstanceFqdn,
          managedInstanceName: args.managedInstanceName,
          database: args.database,
          initialPrimary: args.initialPrimary,
          availabilityMode: args.availabilityMode,
          sessionTimeout: args.sessionTimeout,
          dropAdoptedOnDelete: args.dropAdoptedOnDelete,
        },
        ["adopted", "members", "localRole", "name", "availabilityMode", "groupId"],
      ),
      withSecretOutputs(opts, CONNECTION_SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "DistributedAvailabilityGroup",
    );
  }
}

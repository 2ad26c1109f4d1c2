/**
 * The declared primary of one link: SQL Server or the managed instance. Create records the roles
 * as they are (nothing changes); a change of `primary` is an in-place update that carries out the
 * safe failover (failover/procedure.ts) and shows what it will do in `plannedAction` during
 * preview; read reports the actual roles, so a failover done outside Pulumi shows as drift.
 * Delete changes nothing: the link stays as it is.
 */
import * as pulumi from "@pulumi/pulumi";
import { withConnection } from "../sql";
import type { DatabaseFormat, LinkFailoverMode } from "../tsql";
import type { ReplicationMode } from "../azure/links";
import { checkConnectionInputs, FailureCollector, isUnknown } from "./common/check";
import { connectionSecrets, toConnectionArgs } from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import { logWarning } from "./common/log";
import {
  configKeyInput,
  connectionProps,
  DYNAMIC_MODULE,
  objectId,
  secretInput,
  withSecretOutputs,
  type ConnectionArgs,
  resourceProps,
  DynamicResource,
} from "./common/resource";
import {
  armAccessTokenOf,
  checkAzureInputs,
  checkLinkInputs,
  REPLACE_ON,
  SECRET_OUTPUTS,
  toTarget,
  withDefaults,
  type LinkRoleInputs,
  type LinkRoleOutputs,
} from "./failover/inputs";
import { actualPrimary, observeLinkRoles, type LinkRoleObservation } from "./failover/observe";
import { forcedRoleChange, plannedRoleChange, type RoleChangeContext } from "./failover/procedure";
import { describePlannedAction, LINK_PRIMARIES, refuseRoleChange, type LinkPrimary } from "./failover/rules";

export type { LinkRoleInputs, LinkRoleOutputs } from "./failover/inputs";
export type { LinkPrimary } from "./failover/rules";

function observed(o: LinkRoleObservation) {
  return {
    sqlServerRole: o.sqlServerRole,
    managedInstanceRole: o.managedInstanceRole,
    synchronizationState: o.synchronizationState,
    sqlServerLastHardenedLsn: o.sqlServerLastHardenedLsn,
    managedInstanceLastHardenedLsn: o.managedInstanceLastHardenedLsn,
  };
}

export class LinkRoleProvider implements pulumi.dynamic.ResourceProvider {
  async check(olds: Partial<LinkRoleInputs>, raw: LinkRoleInputs): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(raw, collector);
    checkAzureInputs(raw, collector);
    checkLinkInputs(raw, collector);
    const news = withDefaults(raw);
    const decisive = [
      news.primary,
      news.productVersion,
      news.databaseFormat,
      news.failoverMode,
      news.cutover,
    ];
    const from = olds?.primary && LINK_PRIMARIES.includes(olds.primary) ? olds.primary : null;
    if (
      collector.failures.length === 0 &&
      !decisive.some(isUnknown) &&
      !isUnknown(news.forceFailoverAllowDataLoss)
    ) {
      // Only a change of primary is refused: recording the roles is always possible.
      if (from !== null && from !== news.primary) {
        const refusal = refuseRoleChange({ ...news, primary: news.primary });
        if (refusal) collector.add(refusal.property, refusal.reason);
      }
      news.plannedAction =
        from === null
          ? `none: ${news.primary} is declared the primary (the current roles are recorded)`
          : describePlannedAction(
              from,
              news.primary,
              news.productVersion,
              news.forceFailoverAllowDataLoss === true,
            );
    }
    return { inputs: news, failures: collector.failures };
  }

  async diff(_id: string, olds: LinkRoleOutputs, news: LinkRoleInputs): Promise<pulumi.dynamic.DiffResult> {
    // A change of primary is the failover itself, done in place; the other settings only shape how
    // a later failover runs, and the connection settings and credentials only how the sides are reached.
    // plannedAction only describes the change: on its own it is none.
    const { plannedAction: _old, ...oldRest } = olds;
    const { plannedAction: _new, ...newRest } = news;
    const outcome = diffInputs(
      oldRest as unknown as Record<string, unknown>,
      newRest as unknown as Record<string, unknown>,
      { replaceOn: REPLACE_ON, deleteBeforeReplace: false },
    );
    return { changes: outcome.changes, replaces: outcome.replaces, deleteBeforeReplace: false };
  }

  async create(raw: LinkRoleInputs): Promise<pulumi.dynamic.CreateResult> {
    const inputs = withDefaults(raw);
    const o = await withConnection(toConnectionArgs(inputs), (pool) =>
      observeLinkRoles(pool, toTarget(inputs), inputs.dagName, inputs.database),
    );
    const actual = actualPrimary(o);
    if (actual !== inputs.primary) {
      logWarning(
        `Link [${inputs.dagName}]: ${inputs.primary} was declared the primary, but the roles are: SQL Server ` +
          `${o.sqlServerRole ?? "unknown"}, managed instance ${o.managedInstanceRole ?? "unknown"}. Nothing was ` +
          "changed; the next `pulumi up` fails over to the declared primary.",
      );
    }
    const outs: LinkRoleOutputs = {
      ...inputs,
      primary: actual ?? inputs.primary,
      ...observed(o),
      dataLossLsnGap: null,
      splitBrainResolved: false,
    };
    return { id: objectId(inputs.connection, "link-role", inputs.dagName), outs };
  }

  async read(id: string, props: LinkRoleOutputs): Promise<pulumi.dynamic.ReadResult> {
    const o = await withConnection(toConnectionArgs(props), (pool) =>
      observeLinkRoles(pool, toTarget(props), props.dagName, props.database),
    );
    if (!o.dagExists && !o.linkExists) return { id: "", props: {} };
    // The LSNs move with every transaction: while the roles and the synchronization state are
    // unchanged, the LSNs of the last create or update (the evidence of the last role change) stay.
    const same =
      o.sqlServerRole === props.sqlServerRole &&
      o.managedInstanceRole === props.managedInstanceRole &&
      o.synchronizationState === props.synchronizationState;
    const lsns = same
      ? {
          sqlServerLastHardenedLsn: props.sqlServerLastHardenedLsn,
          managedInstanceLastHardenedLsn: props.managedInstanceLastHardenedLsn,
        }
      : {};
    return { id, props: { ...props, primary: actualPrimary(o) ?? props.primary, ...observed(o), ...lsns } };
  }

  async update(
    _id: string,
    olds: LinkRoleOutputs,
    raw: LinkRoleInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const news = withDefaults(raw);
    if (olds.primary === news.primary) {
      return {
        outs: {
          ...news,
          ...observedOf(olds),
          dataLossLsnGap: olds.dataLossLsnGap,
          splitBrainResolved: olds.splitBrainResolved,
        },
      };
    }
    const outcome = await withConnection(toConnectionArgs(news), (pool) => {
      const ctx: RoleChangeContext = {
        pool,
        target: toTarget(news),
        dagName: news.dagName,
        agName: news.agName,
        miAgName: news.miAgName,
        database: news.database,
        productVersion: news.productVersion,
        replicationMode: news.replicationMode ?? "Async",
        synchronizationTimeoutSeconds: news.synchronizationTimeoutSeconds ?? 300,
        lsnStableSeconds: news.lsnStableSeconds ?? 5,
        secrets: [...connectionSecrets(news), ...[armAccessTokenOf(news)].filter((t): t is string => !!t)],
      };
      return news.forceFailoverAllowDataLoss
        ? forcedRoleChange(ctx, news.primary)
        : plannedRoleChange(ctx, news.primary);
    });
    return {
      outs: {
        ...news,
        ...observed(outcome.observation),
        dataLossLsnGap: outcome.dataLossLsnGap,
        splitBrainResolved: outcome.splitBrainResolved,
      },
    };
  }

  async delete(): Promise<void> {
    // The roles are a fact of the link: forgetting the declaration changes nothing.
  }
}

function observedOf(olds: LinkRoleOutputs) {
  return {
    sqlServerRole: olds.sqlServerRole,
    managedInstanceRole: olds.managedInstanceRole,
    synchronizationState: olds.synchronizationState,
    sqlServerLastHardenedLsn: olds.sqlServerLastHardenedLsn,
    managedInstanceLastHardenedLsn: olds.managedInstanceLastHardenedLsn,
  };
}

/** The implementation, loaded by the dynamic-provider host through {@link linkRoleProvider}. */
export const linkRoleOperations: ProviderOperations = new LinkRoleProvider();

/** The provider every resource of this class registers (its source, written once). */
export const linkRoleProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/link-role.js`,
  "linkRoleOperations",
);

export interface LinkRoleArgs extends ConnectionArgs {
  /** The managed instance's subscription. Replaces. Required. */
  subscriptionId: pulumi.Input<string>;
  /** The managed instance's resource group. Replaces. Required. */
  resourceGroupName: pulumi.Input<string>;
  /** The managed instance's name (not its FQDN). Replaces. Required. */
  managedInstanceName: pulumi.Input<string>;
  /** Azure Resource Manager. Default https://management.azure.com. */
  armEndpoint?: pulumi.Input<string>;
  /** PEM certificates to trust for the ARM endpoint's TLS. Default: the system's. */
  tlsCaPem?: pulumi.Input<string>;
  /** A bearer token for ARM. Stored as a secret. Default: DefaultAzureCredential. */
  armAccessToken?: pulumi.Input<string>;
  /** Instead of `armAccessToken`: the name of the stack config key holding it, read by the provider at run time. Default: none. */
  armAccessTokenConfig?: pulumi.Input<string>;
  /** Polling interval of ARM long-running operations when Azure gives no Retry-After, ms. Default 5000. */
  armPollIntervalMs?: pulumi.Input<number>;
  /** The link's distributed availability group (and Azure link name). Replaces. Required. */
  dagName: pulumi.Input<string>;
  /** SQL Server's member availability group. Required. */
  agName: pulumi.Input<string>;
  /** The managed instance's member availability group. Required. */
  miAgName: pulumi.Input<string>;
  /** The replicated database. Replaces. Required. */
  database: pulumi.Input<string>;
  /** The side that should be primary. Changing it fails over (an in-place update). Required. */
  primary: pulumi.Input<LinkPrimary>;
  /** SQL Server's SERVERPROPERTY('ProductVersion'): decides the failover path. Required. */
  productVersion: pulumi.Input<string>;
  /** The managed instance's update policy (AlwaysUpToDate cannot fail back). Required. */
  databaseFormat: pulumi.Input<DatabaseFormat>;
  /** The link's failover mode: "None" (one-way) or "Manual". Required. */
  failoverMode: pulumi.Input<LinkFailoverMode>;
  /** The steady-state replication mode, restored after a planned failover. Default "Async". */
  replicationMode?: pulumi.Input<ReplicationMode>;
  /** Confirms a one-way migration cutover (failover mode None, or SQL Server 2016-2019). Default false. */
  cutover?: pulumi.Input<boolean>;
  /** Fail over without waiting for the secondary; may lose data; resolves a split brain. Default false. */
  forceFailoverAllowDataLoss?: pulumi.Input<boolean>;
  /** How long a planned failover waits for synchronization before giving up. Default 300. */
  synchronizationTimeoutSeconds?: pulumi.Input<number>;
  /** How long the equal LSNs must stay unchanged before failing over. Default 5. */
  lsnStableSeconds?: pulumi.Input<number>;
}

/**
 * The resource properties a role change and a cutover both take: SQL Server, the managed instance,
 * the link's names and the failover settings (secrets wrapped, config keys as given).
 */
export function linkOperationProps(args: Omit<LinkRoleArgs, "primary" | "cutover">): pulumi.Inputs {
  return {
    ...connectionProps(args),
    subscriptionId: args.subscriptionId,
    resourceGroupName: args.resourceGroupName,
    managedInstanceName: args.managedInstanceName,
    armEndpoint: args.armEndpoint,
    tlsCaPem: args.tlsCaPem,
    armAccessToken: secretInput(args.armAccessToken),
    armAccessTokenConfig: configKeyInput(args.armAccessTokenConfig),
    armPollIntervalMs: args.armPollIntervalMs,
    dagName: args.dagName,
    agName: args.agName,
    miAgName: args.miAgName,
    database: args.database,
    productVersion: args.productVersion,
    databaseFormat: args.databaseFormat,
    failoverMode: args.failoverMode,
    replicationMode: args.replicationMode,
    forceFailoverAllowDataLoss: args.forceFailoverAllowDataLoss,
    synchronizationTimeoutSeconds: args.synchronizationTimeoutSeconds,
    lsnStableSeconds: args.lsnStableSeconds,
  };
}

/** The declared primary of one link; changing it fails over safely. */
export class LinkRole extends DynamicResource {
  /** What the next update does (set during preview): e.g. the planned failover's steps. */
  public readonly plannedAction!: pulumi.Output<string>;
  public readonly sqlServerRole!: pulumi.Output<string | null>;
  public readonly managedInstanceRole!: pulumi.Output<string | null>;
  public readonly synchronizationState!: pulumi.Output<string | null>;
  public readonly sqlServerLastHardenedLsn!: pulumi.Output<string | null>;
  public readonly managedInstanceLastHardenedLsn!: pulumi.Output<string | null>;
  /** After a forced failover: the LSN gap that may have been lost. */
  public readonly dataLossLsnGap!: pulumi.Output<string | null>;
  public readonly splitBrainResolved!: pulumi.Output<boolean>;

  constructor(name: string, args: LinkRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      linkRoleProvider,
      name,
      resourceProps(
        {
          ...linkOperationProps(args),
          primary: args.primary,
          cutover: args.cutover,
        },
        [
          "plannedAction",
          "sqlServerRole",
          "managedInstanceRole",
          "synchronizationState",
          "sqlServerLastHardenedLsn",
          "managedInstanceLastHardenedLsn",
          "dataLossLsnGap",
          "splitBrainResolved",
        ],
      ),
      withSecretOutputs(opts, SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "LinkRole",
    );
  }
}

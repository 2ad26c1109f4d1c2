/**
 * The role changes of a link, carried out the documented safe way (mi-link.md §6; paths chosen
 * in `rules.ts`). Planned: synchronous commit on both sides, wait for SYNCHRONIZED with equal and
 * stable LSNs, fail over, verify the roles swapped on both sides, restore the replication mode
 * (also when the wait times out: then nothing else changes). Forced: fail over allowing data loss,
 * resolve a split brain by demoting the old primary, and report the LSN gap that may be lost.
 */
import type * as mssql from "mssql";
import type { AzureTarget } from "../../azure/client";
import { failoverLink, setLinkRole, setLinkReplicationMode, type ReplicationMode } from "../../azure/links";
import { runStatement } from "../../sql";
import {
  buildDagFailoverSql,
  buildForceFailoverSql,
  buildSetDagAvailabilityModeSql,
  buildSetDagRoleSecondarySql,
} from "../../tsql";
import { logInfo, logWarning } from "../common/log";
import {
  actualPrimary,
  describeRoles,
  isSplitBrain,
  lsnDifference,
  observeLinkRoles,
  type LinkRoleObservation,
} from "./observe";
import { failoverMethod, type LinkPrimary } from "./rules";
import { isSynchronized, waitUntilSynchronized } from "./synchronization";

export interface RoleChangeContext {
  pool: mssql.ConnectionPool;
  target: AzureTarget;
  dagName: string;
  agName: string;
  miAgName: string;
  database: string;
  productVersion: string;
  /** The steady-state replication mode, restored after a planned failover. */
  replicationMode: ReplicationMode;
  synchronizationTimeoutSeconds: number;
  lsnStableSeconds: number;
  /** Secrets to scrub from SQL Server error messages. */
  secrets: string[];
  pollIntervalMs?: number;
}

export interface RoleChangeOutcome {
  observation: LinkRoleObservation;
  /** Something was changed. */
  changed: boolean;
  /** Forced failover only: old primary's LSN minus the new primary's when it was demoted or left behind. */
  dataLossLsnGap: string | null;
  /** Forced failover only: a split brain (both primary) was found and resolved. */
  splitBrainResolved: boolean;
}

const SIDE: Record<LinkPrimary, string> = {
  SqlServer: "SQL Server",
  ManagedInstance: "the managed instance",
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function runOnSqlServer(ctx: RoleChangeContext, sql: string, action: string): Promise<void> {
  logInfo(`Link [${ctx.dagName}]: ${action}.`);
  await runStatement(ctx.pool, sql, undefined, { action, object: `[${ctx.dagName}]`, secrets: ctx.secrets });
}

/** Sets both sides' replication mode: the DAG's members on SQL Server, the link in Azure. */
export async function setReplicationModeBothSides(
  ctx: RoleChangeContext,
  mode: ReplicationMode,
): Promise<void> {
  await runOnSqlServer(
    ctx,
    buildSetDagAvailabilityModeSql({
      dagName: ctx.dagName,
      agName: ctx.agName,
      miAgName: ctx.miAgName,
      availabilityMode: mode === "Sync" ? "SYNCHRONOUS_COMMIT" : "ASYNCHRONOUS_COMMIT",
    }),
    `switch the distributed availability group to ${mode === "Sync" ? "synchronous" : "asynchronous"} commit`,
  );
  logInfo(`Link [${ctx.dagName}]: set the Azure link's replication mode to ${mode}.`);
  await setLinkReplicationMode(ctx.target, ctx.dagName, mode);
}

/** Polls (≤ 1/s) until `to` is the primary on both sides, or fails with the roles seen. */
async function verifyRoles(ctx: RoleChangeContext, to: LinkPrimary): Promise<LinkRoleObservation> {
  const deadline = Date.now() + ctx.synchronizationTimeoutSeconds * 1000;
  for (;;) {
    const o = await observeLinkRoles(ctx.pool, ctx.target, ctx.dagName, ctx.database);
    if (actualPrimary(o) === to) {
      logInfo(`Link [${ctx.dagName}]: ${SIDE[to]} is the primary: ${describeRoles(o)}.`);
      return o;
    }
    if (Date.now() + 1000 >= deadline) {
      throw new Error(
        `The link [${ctx.dagName}] failed over, but ${SIDE[to]} is not the primary on both sides within ` +
          `${ctx.synchronizationTimeoutSeconds} s: ${describeRoles(o)}. Check the link in the portal and on SQL ` +
          "Server (sys.dm_hadr_availability_replica_states), then run `pulumi refresh`.",
      );
    }
    await sleep(1000);
  }
}

async function failOver(ctx: RoleChangeContext, to: LinkPrimary): Promise<void> {
  switch (failoverMethod(to, ctx.productVersion, false)) {
    case "tsql-failover":
      await runOnSqlServer(
        ctx,
        buildDagFailoverSql(ctx.dagName, ctx.productVersion),
        "fail the link over to the managed instance",
      );
      return;
    case "azure-failover":
      logInfo(
        `Link [${ctx.dagName}]: fail over to the managed instance with the Azure failover action (Planned).`,
      );
      await failoverLink(ctx.target, ctx.dagName, "Planned");
      return;
    default:
      await demoteManagedInstanceThenPromoteSqlServer(ctx);
  }
}

/** Fail back: the managed instance stops being primary, then SQL Server takes over (logs were equal). */
async function demoteManagedInstanceThenPromoteSqlServer(ctx: RoleChangeContext): Promise<void> {
  logInfo(
    `Link [${ctx.dagName}]: make the managed instance secondary with the Azure setRole action (Planned).`,
  );
  await setLinkRole(ctx.target, ctx.dagName, "Secondary", "Planned");
  await promoteSqlServer(ctx);
}

async function promoteSqlServer(ctx: RoleChangeContext): Promise<void> {
  await runOnSqlServer(
    ctx,
    buildForceFailoverSql(ctx.dagName),
    "make SQL Server the primary (FORCE_FAILOVER_ALLOW_DATA_LOSS, after both logs ended at the same LSN)",
  );
}

/**
 * Planned failover to `to`. Does nothing when `to` already is the primary on both sides; refuses a
 * split brain (that needs forceFailoverAllowDataLoss) and a link whose roles cannot be read.
 */
export async function plannedRoleChange(ctx: RoleChangeContext, to: LinkPrimary): Promise<RoleChangeOutcome> {
  const before = await observeLinkRoles(ctx.pool, ctx.target, ctx.dagName, ctx.database);
  const unchanged = { changed: false, dataLossLsnGap: null, splitBrainResolved: false };
  if (actualPrimary(before) === to) {
    // Already done, e.g. by a run that failed after the failover: finish its last step.
    logInfo(`Link [${ctx.dagName}]: ${SIDE[to]} already is the primary.`);
    await setReplicationModeBothSides(ctx, ctx.replicationMode);
    return { observation: before, ...unchanged };
  }
  if (isSplitBrain(before)) {
    throw new Error(
      `The link [${ctx.dagName}] is in a split brain: ${describeRoles(before)}. A planned failover cannot resolve ` +
        `it. Set forceFailoverAllowDataLoss: true to make ${SIDE[to]} the primary and demote the other side ` +
        "(what only the other side wrote is lost).",
    );
  }
  const resumingFailback =
    to === "SqlServer" && before.sqlServerRole === "SECONDARY" && before.managedInstanceRole === "SECONDARY";
  if (resumingFailback) {
    // A fail back interrupted after the managed instance was demoted: finish it when nothing can be lost.
    if (!isSynchronizedIgnoringRoles(before)) {
      throw new Error(
        `The link [${ctx.dagName}] has no primary: ${describeRoles(before)}, and the LSNs differ. Set ` +
          "forceFailoverAllowDataLoss: true to make SQL Server the primary anyway.",
      );
    }
    await promoteSqlServer(ctx);
    const observation = await verifyRoles(ctx, to);
    await setReplicationModeBothSides(ctx, ctx.replicationMode);
    return { observation, ...unchanged, changed: true };
  }
  if (actualPrimary(before) === null) {
    throw new Error(
      `The roles of the link [${ctx.dagName}] cannot be read: ${describeRoles(before)}. Check that the ` +
        "distributed availability group exists on SQL Server and the link exists in Azure.",
    );
  }
  logInfo(
    `Link [${ctx.dagName}]: planned failover to ${SIDE[to]}. Stop the workload on ${SIDE[actualPrimary(before)!]} ` +
      "first: the failover waits until the secondary has all of it.",
  );
  let failure: unknown;
  let observation = before;
  try {
    await setReplicationModeBothSides(ctx, "Sync");
    await waitUntilSynchronized({
      pool: ctx.pool,
      target: ctx.target,
      dagName: ctx.dagName,
      database: ctx.database,
      timeoutSeconds: ctx.synchronizationTimeoutSeconds,
      lsnStableSeconds: ctx.lsnStableSeconds,
      pollIntervalMs: ctx.pollIntervalMs,
    });
    await failOver(ctx, to);
    observation = await verifyRoles(ctx, to);
  } catch (error) {
    failure = error;
  }
  if (ctx.replicationMode !== "Sync") {
    try {
      await setReplicationModeBothSides(ctx, ctx.replicationMode);
    } catch (error) {
      if (!failure) throw error;
      logWarning(
        `Link [${ctx.dagName}]: the replication mode could not be restored to ${ctx.replicationMode}: ` +
          `${(error as Error).message}`,
      );
    }
  }
  if (failure) throw failure;
  return { observation, ...unchanged, changed: true };
}

function isSynchronizedIgnoringRoles(o: LinkRoleObservation): boolean {
  return (
    o.sqlServerLastHardenedLsn !== null && o.sqlServerLastHardenedLsn === o.managedInstanceLastHardenedLsn
  );
}

/**
 * Forced failover to `to` (forceFailoverAllowDataLoss): makes `to` primary without waiting for the
 * secondary, then demotes the old primary if it still is one (split brain), reporting how far the
 * old primary's log was ahead: that part may be lost.
 */
export async function forcedRoleChange(ctx: RoleChangeContext, to: LinkPrimary): Promise<RoleChangeOutcome> {
  let o = await observeLinkRoles(ctx.pool, ctx.target, ctx.dagName, ctx.database);
  if (actualPrimary(o) === to) {
    return { observation: o, changed: false, dataLossLsnGap: null, splitBrainResolved: false };
  }
  const targetIsPrimary = (x: LinkRoleObservation) =>
    (to === "SqlServer" ? x.sqlServerRole : x.managedInstanceRole) === "PRIMARY";
  const oldPrimaryLsn = (x: LinkRoleObservation) =>
    to === "SqlServer" ? x.managedInstanceLastHardenedLsn : x.sqlServerLastHardenedLsn;
  const newPrimaryLsn = (x: LinkRoleObservation) =>
    to === "SqlServer" ? x.sqlServerLastHardenedLsn : x.managedInstanceLastHardenedLsn;
  if (!targetIsPrimary(o)) {
    if (isSynchronized(o))
      logInfo(`Link [${ctx.dagName}]: the secondary is synchronized; no data should be lost.`);
    logWarning(
      `Link [${ctx.dagName}]: forced failover to ${SIDE[to]} allowing data loss: ${describeRoles(o)}.`,
    );
    if (failoverMethod(to, ctx.productVersion, true) === "azure-forced-failover") {
      await failoverLink(ctx.target, ctx.dagName, "ForcedAllowDataLoss");
    } else {
      await runOnSqlServer(ctx, buildForceFailoverSql(ctx.dagName), "force SQL Server to become the primary");
    }
    o = await observeLinkRoles(ctx.pool, ctx.target, ctx.dagName, ctx.database);
  }
  const gap = lsnDifference(oldPrimaryLsn(o), newPrimaryLsn(o));
  let splitBrainResolved = false;
  if (isSplitBrain(o)) {
    logWarning(
      `Link [${ctx.dagName}]: split brain, both sides are primary (${describeRoles(o)}). Demoting ` +
        `${to === "SqlServer" ? "the managed instance" : "SQL Server"}; what only it wrote (LSN gap ${gap ?? "unknown"}) is lost.`,
    );
    if (to === "SqlServer") {
      await setLinkRole(ctx.target, ctx.dagName, "Secondary", "Forced");
    } else {
      await runOnSqlServer(ctx, buildSetDagRoleSecondarySql(ctx.dagName), "make SQL Server the secondary");
    }
    splitBrainResolved = true;
  }
  const observation = await verifyRoles(ctx, to);
  const lost = gap !== null && BigInt(gap) > 0n ? gap : "0";
  if (lost !== "0") {
    logWarning(
      `Link [${ctx.dagName}]: the old primary's log was ${lost} LSN ahead of ${SIDE[to]}'s; those transactions ` +
        "are lost.",
    );
  }
  return { observation, changed: true, dataLossLsnGap: gap === null ? null : lost, splitBrainResolved };
}

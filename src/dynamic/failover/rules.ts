/**
 * Which role changes of a link are possible, and how each is carried out, decided from the SQL
 * Server version, the managed instance's update policy and the link's failover mode alone (no
 * network), so `check` can refuse an impossible change before anything is touched.
 *
 * The paths (Microsoft's "Fail over a link" procedure and mi-link.md §3/§6):
 * - SQL Server → managed instance, planned: on SQL Server 2022 CU13 (16.0.4125.3) and later
 *   `ALTER AVAILABILITY GROUP [DAG] FAILOVER` on SQL Server, the primary; on older builds the
 *   Azure `failover` action (Planned), which Azure runs on the managed instance's side.
 * - managed instance → SQL Server (fail back), planned: the T-SQL FAILOVER would have to run on the
 *   managed instance (the primary), which this resource does not connect to, and the Azure
 *   `failover` action only ever makes the managed instance primary. So, once both LSNs are equal
 *   and stable: the Azure `setRole` action (Secondary, Planned) demotes the managed instance, which
 *   then accepts no more writes, and `FORCE_FAILOVER_ALLOW_DATA_LOSS` on SQL Server (the secondary)
 *   makes it primary. Nothing can be lost: both logs ended at the same LSN before the demotion.
 * - forced (only with forceFailoverAllowDataLoss): Azure `failover` ForcedAllowDataLoss towards the
 *   managed instance, `FORCE_FAILOVER_ALLOW_DATA_LOSS` on SQL Server towards SQL Server; a split
 *   brain left behind is resolved by demoting the old primary (`setRole` Secondary on the managed
 *   instance, `SET (ROLE = SECONDARY)` on SQL Server).
 */
import {
  parseProductVersion,
  releaseOf,
  supportsFailback,
  supportsTsqlDagFailover,
  type DatabaseFormat,
  type LinkFailoverMode,
} from "../../tsql";

export type LinkPrimary = "SqlServer" | "ManagedInstance";
export const LINK_PRIMARIES: readonly LinkPrimary[] = ["SqlServer", "ManagedInstance"];

/** How a role change is carried out. */
export type FailoverMethod =
  /** `ALTER AVAILABILITY GROUP [DAG] FAILOVER` on SQL Server (2022 CU13+), to the managed instance. */
  | "tsql-failover"
  /** Azure `failover` Planned, to the managed instance. */
  | "azure-failover"
  /** Azure `setRole` Secondary (Planned) on the managed instance, then FORCE_FAILOVER on SQL Server. */
  | "azure-demote-then-tsql-promote"
  /** Azure `failover` ForcedAllowDataLoss, to the managed instance. */
  | "azure-forced-failover"
  /** `FORCE_FAILOVER_ALLOW_DATA_LOSS` on SQL Server, to SQL Server. */
  | "tsql-forced-failover";

/** What the role change depends on. */
export interface RoleChangeSettings {
  primary: LinkPrimary;
  productVersion: string;
  databaseFormat: DatabaseFormat;
  failoverMode: LinkFailoverMode;
  cutover?: boolean;
  forceFailoverAllowDataLoss?: boolean;
}

export interface RoleChangeRefusal {
  property: string;
  reason: string;
}

function majorRelease(productVersion: string): string {
  return releaseOf(productVersion)?.name ?? `SQL Server ${productVersion}`;
}

/**
 * Why changing the link's primary to `settings.primary` cannot be done as asked, or undefined when
 * it can. `productVersion` must already be valid.
 */
export function refuseRoleChange(settings: RoleChangeSettings): RoleChangeRefusal | undefined {
  const release = majorRelease(settings.productVersion);
  const oneWay = parseProductVersion(settings.productVersion).major < 16;
  if (settings.primary === "ManagedInstance") {
    if (settings.failoverMode === "None" && !settings.cutover) {
      return {
        property: "cutover",
        reason:
          'the link\'s failover mode is "None" (one-way replication to Azure): failing over to the managed ' +
          "instance is a migration cutover after which the database cannot come back over this link. " +
          'Set cutover: true to confirm the cutover, or create the link with failoverMode "Manual".',
      };
    }
    if (oneWay && !settings.cutover) {
      return {
        property: "cutover",
        reason:
          `${release} cannot be the secondary of a link: failing over to the managed instance ends the link ` +
          "(a one-way migration cutover). Set cutover: true to confirm it, or upgrade SQL Server to 2022 or later " +
          "for a link that can fail back.",
      };
    }
    return undefined;
  }
  if (settings.failoverMode === "None") {
    return {
      property: "primary",
      reason:
        'the link\'s failover mode is "None" (one-way replication to Azure): it cannot fail back to SQL Server. ' +
        'Recreate the link with failoverMode "Manual" (SQL Server 2022 or later, managed instance on the ' +
        "SQLServer2022 update policy).",
    };
  }
  if (settings.databaseFormat === "AlwaysUpToDate") {
    return {
      property: "databaseFormat",
      reason:
        "a managed instance on the AlwaysUpToDate update policy accepts the link but cannot fail back to SQL " +
        "Server: its database format is newer than any SQL Server's. Use a managed instance on the update policy " +
        "of your SQL Server release (SQLServer2022 for SQL Server 2022) to keep a way back.",
    };
  }
  if (!supportsFailback(settings.productVersion, settings.databaseFormat)) {
    return {
      property: "productVersion",
      reason:
        `${release} ${settings.productVersion} cannot become the primary again through the link with a managed ` +
        `instance on the ${settings.databaseFormat} update policy: failing back needs SQL Server 2022 CU10 ` +
        "(16.0.4095.4) or later with the SQLServer2022 policy (or SQL Server 2025 with the SQLServer2025 policy). " +
        "Upgrade SQL Server, or move the database back with a backup instead.",
    };
  }
  return undefined;
}

/** How to make `primary` the primary (see the module comment for why). */
export function failoverMethod(
  primary: LinkPrimary,
  productVersion: string,
  forced: boolean,
): FailoverMethod {
  if (primary === "ManagedInstance") {
    if (forced) return "azure-forced-failover";
    return supportsTsqlDagFailover(productVersion) ? "tsql-failover" : "azure-failover";
  }
  return forced ? "tsql-forced-failover" : "azure-demote-then-tsql-promote";
}

/** A sentence for previews and logs: what an update to `primary` will do. */
export function describePlannedAction(
  from: LinkPrimary | null,
  to: LinkPrimary,
  productVersion: string,
  forced: boolean,
): string {
  if (from === to) return `none: ${to} is the primary`;
  const method = failoverMethod(to, productVersion, forced);
  const target = to === "ManagedInstance" ? "the managed instance" : "SQL Server";
  if (forced) {
    const how =
      method === "azure-forced-failover"
        ? "the Azure failover action (ForcedAllowDataLoss)"
        : "ALTER AVAILABILITY GROUP ... FORCE_FAILOVER_ALLOW_DATA_LOSS on SQL Server";
    return (
      `forced failover to ${target} through ${how}: transactions not yet hardened on ${target} are lost; ` +
      "a split brain is resolved by demoting the old primary"
    );
  }
  const how: Record<FailoverMethod, string> = {
    "tsql-failover": "ALTER AVAILABILITY GROUP ... FAILOVER on SQL Server",
    "azure-failover": "the Azure failover action (Planned)",
    "azure-demote-then-tsql-promote":
      "the Azure setRole action (managed instance to Secondary), then FORCE_FAILOVER_ALLOW_DATA_LOSS on SQL " +
      "Server once both logs end at the same LSN",
    "azure-forced-failover": "",
    "tsql-forced-failover": "",
  };
  return (
    `planned failover to ${target}: synchronous commit on both sides, wait until the database is SYNCHRONIZED ` +
    `with equal and stable last hardened LSNs, fail over through ${how[method]}, verify the roles, then restore ` +
    "the configured replication mode"
  );
}

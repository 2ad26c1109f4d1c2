/**
 * One observation of a link from both sides: SQL Server's role, synchronization and last
 * hardened LSN from its DMVs (one query), the managed instance's role and last hardened LSN
 * from the Azure link (one GET).
 */
import type * as mssql from "mssql";
import { getLink, type LinkInfo } from "../../azure/links";
import type { AzureTarget } from "../../azure/client";
import { readLinkState, type LinkState } from "../../sql";
import type { LinkPrimary } from "./rules";

export type ReplicaRole = "PRIMARY" | "SECONDARY";

export interface LinkRoleObservation {
  /** SQL Server's role in the link's DAG; null when SQL Server does not know (DAG missing). */
  sqlServerRole: ReplicaRole | null;
  /** The managed instance's role as Azure reports it; null when the link is missing in Azure. */
  managedInstanceRole: ReplicaRole | null;
  /** The secondary database's synchronization state as SQL Server sees it. */
  synchronizationState: string | null;
  sqlServerLastHardenedLsn: string | null;
  managedInstanceLastHardenedLsn: string | null;
  /** The DAG's replication mode on Azure's side. */
  azureReplicationMode: string | null;
  dagExists: boolean;
  linkExists: boolean;
}

function role(value: string | null | undefined): ReplicaRole | null {
  const upper = value?.toUpperCase();
  return upper === "PRIMARY" || upper === "SECONDARY" ? upper : null;
}

/** Digits only, leading zeros dropped, so LSNs from both sources compare as text. */
export function normalizeLsn(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === "") return null;
  const text = String(value).trim();
  return /^\d+$/.test(text) ? text.replace(/^0+(?=\d)/, "") : text;
}

/** SQL Server's LSN minus the managed instance's, when both are numbers. */
export function lsnDifference(a: string | null, b: string | null): string | null {
  if (a === null || b === null || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return null;
  return (BigInt(a) - BigInt(b)).toString();
}

/** Combines SQL Server's view (`state`) and Azure's (`link`) of one database of the link. */
export function combine(
  state: LinkState | null,
  link: LinkInfo | undefined,
  database: string,
): LinkRoleObservation {
  const rows = (state?.databases ?? []).filter(
    (row) => row.database === null || row.database.toLowerCase() === database.toLowerCase(),
  );
  const localRow = rows.find((row) => row.isLocal);
  const localReplica = state?.replicas.find((replica) => replica.isLocal);
  const secondaryRow = rows.find((row) => !row.isPrimaryReplica) ?? localRow;
  const sqlServerRole =
    role(localReplica?.role) ?? (localRow ? (localRow.isPrimaryReplica ? "PRIMARY" : "SECONDARY") : null);
  const azureDatabase = link?.databases.find((d) => d.databaseName?.toLowerCase() === database.toLowerCase());
  return {
    sqlServerRole,
    managedInstanceRole: role(link?.instanceLinkRole),
    synchronizationState: secondaryRow?.synchronizationState ?? null,
    sqlServerLastHardenedLsn: normalizeLsn(localRow?.lastHardenedLsn),
    managedInstanceLastHardenedLsn: normalizeLsn(azureDatabase?.lastHardenedLsn),
    azureReplicationMode: link?.replicationMode ?? null,
    dagExists: state !== null,
    linkExists: link !== undefined,
  };
}

/** Reads both sides once. */
export async function observeLinkRoles(
  pool: mssql.ConnectionPool,
  target: AzureTarget,
  dagName: string,
  database: string,
): Promise<LinkRoleObservation> {
  const state = await readLinkState(pool, dagName);
  const link = await getLink(target, dagName);
  return combine(state, link, database);
}

/** Which side is primary: null when neither or both are (split brain), or a side is unknown. */
export function actualPrimary(o: LinkRoleObservation): LinkPrimary | null {
  if (o.sqlServerRole === "PRIMARY" && o.managedInstanceRole === "SECONDARY") return "SqlServer";
  if (o.managedInstanceRole === "PRIMARY" && o.sqlServerRole === "SECONDARY") return "ManagedInstance";
  return null;
}

export function isSplitBrain(o: LinkRoleObservation): boolean {
  return o.sqlServerRole === "PRIMARY" && o.managedInstanceRole === "PRIMARY";
}

/** "SQL Server PRIMARY (LSN 123), managed instance SECONDARY (LSN 120), SYNCHRONIZING": evidence for messages. */
export function describeRoles(o: LinkRoleObservation): string {
  return (
    `SQL Server ${o.sqlServerRole ?? "unknown role"} (last hardened LSN ${o.sqlServerLastHardenedLsn ?? "unknown"}), ` +
    `managed instance ${o.managedInstanceRole ?? "unknown role"} (last hardened LSN ` +
    `${o.managedInstanceLastHardenedLsn ?? "unknown"}), database ${o.synchronizationState ?? "state unknown"}`
  );
}

import type { PartnerLinkStatus, SqlServerPartner } from "../sqlserver/model/partner";
import type { LinkDatabaseState, LinkRole, LinkSpec, LinkView } from "./link-shape";
import type { TrustFailureKind } from "./link-trust";

export interface LinkError {
  number: number;
  description: string;
  kind: TrustFailureKind;
  timestamp: Date;
}

export interface LinkRecord {
  name: string;
  distributedAvailabilityGroupId: string;
  instanceReplicaId: string;
  partnerReplicaId: string;
  spec: LinkSpec;
  createdAt: number;
  connected: boolean;
  /** The last failed join; `reported` once it is visible (failRemote called, replicaState ...Error). */
  lastError?: LinkError & { reported: boolean };
  roleChangeInProgress?: "failover" | "setRole";
}

export function toRole(role: "PRIMARY" | "SECONDARY"): LinkRole {
  return role === "PRIMARY" ? "Primary" : "Secondary";
}

/** The resource view of a link: its spec plus the state the SQL Server model reports. */
export function deriveLinkView(
  link: LinkRecord,
  partner: SqlServerPartner | undefined,
  resourceId: string,
): LinkView {
  const status = link.connected ? partner?.linkStatus(link.name) : undefined;
  const instanceLinkRole = status ? toRole(status.managedInstanceRole) : link.spec.instanceLinkRole;
  const partnerLinkRole = status
    ? toRole(status.sqlServerRole)
    : instanceLinkRole === "Primary"
      ? "Secondary"
      : "Primary";
  return {
    id: `${resourceId}/distributedAvailabilityGroups/${link.name}`,
    name: link.name,
    distributedAvailabilityGroupId: link.distributedAvailabilityGroupId,
    spec: link.spec,
    instanceLinkRole,
    partnerLinkRole,
    databases: link.spec.databases.map((databaseName) => databaseState(link, databaseName, status, partner)),
  };
}

function databaseState(
  link: LinkRecord,
  databaseName: string,
  status: PartnerLinkStatus | undefined,
  partner: SqlServerPartner | undefined,
): LinkDatabaseState {
  const base = {
    databaseName,
    instanceReplicaId: link.instanceReplicaId,
    partnerReplicaId: link.partnerReplicaId,
    partnerAuthCertValidity: partnerCertificateValidity(partner),
  };
  if (!status) {
    const error = link.lastError?.reported ? link.lastError : undefined;
    return {
      ...base,
      replicaState: error
        ? error.kind === "network"
          ? "LinkInitError"
          : "LinkCreationError"
        : "CreatingLink",
      seedingProgress: "0%",
      synchronizationHealth: "NotHealthy",
      connectedState: "Disconnected",
      ...(error ? { mostRecentLinkError: `Error ${error.number}: ${error.description}` } : {}),
    };
  }
  const miIsPrimary = status.managedInstanceRole === "PRIMARY";
  const primaryLsn = miIsPrimary ? status.managedInstanceLastHardenedLsn : status.sqlServerLastHardenedLsn;
  const secondaryLsn = miIsPrimary ? status.sqlServerLastHardenedLsn : status.managedInstanceLastHardenedLsn;
  const lagging = status.connected && primaryLsn > secondaryLsn ? 1 : 0;
  const healthy =
    status.connected &&
    (status.synchronizationState === "SYNCHRONIZED" ||
      (status.synchronizationState === "SYNCHRONIZING" && status.availabilityMode === "ASYNCHRONOUS_COMMIT"));
  return {
    ...base,
    replicaState: link.roleChangeInProgress
      ? "LinkFailoverInProgress"
      : !status.connected
        ? "LinkDisconnected"
        : status.seedingState === "FAILED"
          ? "LinkSeedingError"
          : status.seedingState !== "COMPLETED"
            ? "Seeding"
            : "LinkSynchronizing",
    seedingProgress: `${status.seedingProgressPercent}%`,
    synchronizationHealth: healthy ? "Healthy" : status.connected ? "PartiallyHealthy" : "NotHealthy",
    connectedState: status.connected ? "Connected" : "Disconnected",
    lastHardenedLsn: status.managedInstanceLastHardenedLsn.toString(),
    lastHardenedTime: new Date().toISOString(),
    ...(status.lastConnectError
      ? {
          mostRecentLinkError: `Error ${status.lastConnectError.number}: ${status.lastConnectError.description}`,
        }
      : {}),
    instanceSendReplicationLagSeconds: miIsPrimary ? lagging : 0,
    instanceRedoReplicationLagSeconds: miIsPrimary ? 0 : lagging,
  };
}

function partnerCertificateValidity(
  partner: SqlServerPartner | undefined,
): { certificateName: string; expiryDate: string } | undefined {
  const certificateName = partner?.mirroringEndpoint()?.certificateName;
  const certificate = certificateName ? partner?.certificate(certificateName) : undefined;
  return certificate
    ? { certificateName: certificate.name, expiryDate: certificate.expiryDate.toISOString() }
    : undefined;
}

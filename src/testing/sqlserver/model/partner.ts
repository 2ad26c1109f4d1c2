/**
 * The contract between the SQL Server instance model and the emulated managed
 * instance (src/testing/arm): what the MI can observe of SQL Server when it
 * joins a distributed availability group, and how it drives the remote
 * replica's state. HADR state (roles, connection, seeding, LSNs) lives in the
 * SQL Server model only; the ARM emulator reads it back for its link
 * properties, so both sides always agree.
 */
import type { DistributedMemberSpec, EndpointAlgorithm, WindowsAuth } from "./contract";

export interface PartnerEndpointView {
  name: string;
  state: "STARTED" | "STOPPED" | "DISABLED";
  port: number;
  windowsAuth?: WindowsAuth;
  /** Name of the certificate used for CERTIFICATE authentication, if any. */
  certificateName?: string;
  encryption: "DISABLED" | "SUPPORTED" | "REQUIRED";
  algorithms: EndpointAlgorithm[];
}

export interface PartnerCertificateView {
  name: string;
  certificateId: number;
  /** DER, as CERTENCODED returns it. */
  der: Buffer;
  hasPrivateKey: boolean;
  subject: string;
  issuerName: string;
  startDate: Date;
  expiryDate: Date;
}

export interface PartnerDagView {
  name: string;
  members: DistributedMemberSpec[];
  /** The member AG that exists on this SQL Server. */
  localAgName: string;
  /** The member AG that lives on the other side (the MI). */
  remoteAgName: string;
  /** The database of the local AG (undefined when the AG has none yet: MI as initial primary). */
  database?: string;
  localRole: "PRIMARY" | "SECONDARY";
}

export type SynchronizationState =
  "NOT SYNCHRONIZING" | "SYNCHRONIZING" | "SYNCHRONIZED" | "REVERTING" | "INITIALIZING";

/** What the MI reports about one link, derived from the SQL Server model's HADR state. */
export interface PartnerLinkStatus {
  connected: boolean;
  lastConnectError?: { number: number; description: string; timestamp: Date };
  /** Role of the SQL Server side. */
  sqlServerRole: "PRIMARY" | "SECONDARY";
  /** Role of the MI side. Both PRIMARY = split brain after a forced failover. */
  managedInstanceRole: "PRIMARY" | "SECONDARY";
  synchronizationState: SynchronizationState;
  /** 0-100 while seeding, 100 after. */
  seedingProgressPercent: number;
  seedingState: "PENDING" | "SEEDING" | "COMPLETED" | "FAILED";
  /** last_hardened_lsn of the database on each side (numeric(25,0) as bigint). */
  sqlServerLastHardenedLsn: bigint;
  managedInstanceLastHardenedLsn: bigint;
  availabilityMode: "SYNCHRONOUS_COMMIT" | "ASYNCHRONOUS_COMMIT";
}

export interface RemoteReplicaJoin {
  /** MI short name (the replica server name the SQL Server sees). */
  managedInstanceName: string;
  /** Role the MI takes: "SECONDARY" when SQL Server is the initial primary. */
  managedInstanceRole: "PRIMARY" | "SECONDARY";
  /** Replication mode of the MI side at creation (replicationMode); default: as the SQL Server DAG says. */
  availabilityMode?: "SYNCHRONOUS_COMMIT" | "ASYNCHRONOUS_COMMIT";
}

/** The SQL Server instance as the emulated MI sees it over the mirroring endpoint. */
export interface SqlServerPartner {
  serverName(): string;
  mirroringEndpoint(): PartnerEndpointView | undefined;
  certificate(name: string): PartnerCertificateView | undefined;
  /** Certificates bound as trusted issuers with sp_certificate_add_issuer. */
  trustedIssuers(): Array<{ certificateName: string; dnsName: string }>;
  /** The same check as sp_validate_certificate_ca_chain: ok, or the reason it fails. */
  validateCaChain(certificateName: string): { ok: true } | { ok: false; reason: string };
  distributedAvailabilityGroup(name: string): PartnerDagView | undefined;
  /** The MI joined (trust correct): remote replica CONNECTED, then seeding and sync run on timers. */
  connectRemote(dagName: string, join: RemoteReplicaJoin): void;
  /** The MI could not join: remote replica DISCONNECTED with last_connect_error_*. */
  failRemote(dagName: string, error: { number: number; description: string }): void;
  /** The link was deleted on the MI: remote replica DISCONNECTED, no error. */
  disconnectRemote(dagName: string): void;
  /** Azure `failover` action executed on the MI. */
  remoteFailover(dagName: string, type: "Planned" | "ForcedAllowDataLoss"): void;
  /** Azure `setRole` action executed on the MI. */
  remoteSetRole(dagName: string, role: "PRIMARY" | "SECONDARY"): void;
  /** Replication mode of the MI side (PATCH replicationMode). */
  setRemoteAvailabilityMode(dagName: string, mode: "SYNCHRONOUS_COMMIT" | "ASYNCHRONOUS_COMMIT"): void;
  linkStatus(dagName: string): PartnerLinkStatus | undefined;
}

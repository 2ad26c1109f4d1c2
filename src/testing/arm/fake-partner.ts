import type {
  PartnerCertificateView,
  PartnerDagView,
  PartnerEndpointView,
  PartnerLinkStatus,
  RemoteReplicaJoin,
  SqlServerPartner,
} from "../sqlserver/model/partner";

/**
 * A scriptable SqlServerPartner for tests of the ARM side: state is plain data the test
 * sets up; connectRemote makes the link seeded and synchronizing at once. The SQL Server
 * model (src/testing/sqlserver/model) is the full implementation.
 */
export class FakeSqlServerPartner implements SqlServerPartner {
  endpoint: PartnerEndpointView | undefined;
  certificates = new Map<string, PartnerCertificateView>();
  issuers: Array<{ certificateName: string; dnsName: string }> = [];
  /** Names of certificates whose CA chain validates. */
  validChains = new Set<string>();
  dags = new Map<string, PartnerDagView>();
  status = new Map<string, PartnerLinkStatus>();
  readonly calls: Array<{ method: string; args: unknown[] }> = [];

  constructor(private readonly name = "SQLHOST01") {}

  serverName(): string {
    return this.name;
  }

  mirroringEndpoint(): PartnerEndpointView | undefined {
    return this.endpoint;
  }

  certificate(name: string): PartnerCertificateView | undefined {
    return this.certificates.get(name);
  }

  trustedIssuers(): Array<{ certificateName: string; dnsName: string }> {
    return this.issuers;
  }

  validateCaChain(certificateName: string): { ok: true } | { ok: false; reason: string } {
    return this.validChains.has(certificateName)
      ? { ok: true }
      : { ok: false, reason: "The certificate chain does not lead to a trusted issuer for its DNS name." };
  }

  distributedAvailabilityGroup(name: string): PartnerDagView | undefined {
    return this.dags.get(name);
  }

  private requireDag(dagName: string): PartnerDagView {
    const dag = this.dags.get(dagName);
    if (!dag) throw new Error(`No distributed availability group '${dagName}'.`);
    return dag;
  }

  connectRemote(dagName: string, join: RemoteReplicaJoin): void {
    this.calls.push({ method: "connectRemote", args: [dagName, join] });
    const dag = this.requireDag(dagName);
    this.status.set(dagName, {
      connected: true,
      sqlServerRole: join.managedInstanceRole === "PRIMARY" ? "SECONDARY" : "PRIMARY",
      managedInstanceRole: join.managedInstanceRole,
      synchronizationState: "SYNCHRONIZING",
      seedingProgressPercent: 100,
      seedingState: "COMPLETED",
      sqlServerLastHardenedLsn: 42000000000000001n,
      managedInstanceLastHardenedLsn: 42000000000000001n,
      availabilityMode:
        dag.members[0]?.availabilityMode === "SYNCHRONOUS_COMMIT"
          ? "SYNCHRONOUS_COMMIT"
          : "ASYNCHRONOUS_COMMIT",
    });
  }

  failRemote(dagName: string, error: { number: number; description: string }): void {
    this.calls.push({ method: "failRemote", args: [dagName, error] });
    const dag = this.requireDag(dagName);
    this.status.set(dagName, {
      ...(this.status.get(dagName) ?? this.disconnected(dag)),
      connected: false,
      lastConnectError: { ...error, timestamp: new Date() },
    });
  }

  disconnectRemote(dagName: string): void {
    this.calls.push({ method: "disconnectRemote", args: [dagName] });
    const current = this.status.get(dagName);
    if (current) this.status.set(dagName, { ...current, connected: false, lastConnectError: undefined });
  }

  /** The MI takes the primary role; a planned failover demotes SQL Server, a forced one does not ask it. */
  remoteFailover(dagName: string, type: "Planned" | "ForcedAllowDataLoss"): void {
    this.calls.push({ method: "remoteFailover", args: [dagName, type] });
    const current = this.requireStatus(dagName);
    this.status.set(dagName, {
      ...current,
      managedInstanceRole: "PRIMARY",
      sqlServerRole: type === "Planned" ? "SECONDARY" : current.sqlServerRole,
    });
  }

  remoteSetRole(dagName: string, role: "PRIMARY" | "SECONDARY"): void {
    this.calls.push({ method: "remoteSetRole", args: [dagName, role] });
    this.status.set(dagName, { ...this.requireStatus(dagName), managedInstanceRole: role });
  }

  setRemoteAvailabilityMode(dagName: string, mode: "SYNCHRONOUS_COMMIT" | "ASYNCHRONOUS_COMMIT"): void {
    this.calls.push({ method: "setRemoteAvailabilityMode", args: [dagName, mode] });
    const current = this.status.get(dagName);
    if (current) this.status.set(dagName, { ...current, availabilityMode: mode });
  }

  linkStatus(dagName: string): PartnerLinkStatus | undefined {
    return this.status.get(dagName);
  }

  private requireStatus(dagName: string): PartnerLinkStatus {
    const status = this.status.get(dagName);
    if (!status) throw new Error(`The link '${dagName}' never connected.`);
    return status;
  }

  private disconnected(dag: PartnerDagView): PartnerLinkStatus {
    return {
      connected: false,
      sqlServerRole: dag.localRole,
      managedInstanceRole: dag.localRole === "PRIMARY" ? "SECONDARY" : "PRIMARY",
      synchronizationState: "NOT SYNCHRONIZING",
      seedingProgressPercent: 0,
      seedingState: "PENDING",
      sqlServerLastHardenedLsn: 0n,
      managedInstanceLastHardenedLsn: 0n,
      availabilityMode: "ASYNCHRONOUS_COMMIT",
    };
  }
}

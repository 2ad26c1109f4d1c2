/**
 * The SQL Server instance as the emulated managed instance sees it
 * (SqlServerPartner): read views over the model state, and the remote
 * replica's side of the link (join, failure, failover, role changes).
 */
import type { ModelContext } from "./context";
import { demoteRemote, restartSynchronization } from "./alter-availability-group";
import { validateCaChain } from "./ca-chain";
import { errors } from "./errors";
import { advance } from "./hadr-clock";
import { databaseFromListenerUrl, linkView } from "./hadr-status";
import type {
  PartnerCertificateView,
  PartnerDagView,
  PartnerEndpointView,
  PartnerLinkStatus,
  RemoteReplicaJoin,
  SqlServerPartner,
} from "./partner";
import { findCertificate, parsedCertificate } from "./security";
import type { DistributedGroupState } from "./state";

export class PartnerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "PartnerError";
  }
}

/** Seeding restarts from the beginning after any loss of the connection. */
function interruptSeeding(dag: DistributedGroupState): void {
  if (dag.link.seeding === "SEEDING") dag.link.seeding = "PENDING";
}

export class ModelPartner implements SqlServerPartner {
  constructor(
    private readonly m: ModelContext,
    /** Called after every change the MI makes, so the instance can emit events and re-arm timers. */
    private readonly changed: (what: string, dag: string) => void,
  ) {}

  private dag(name: string): DistributedGroupState {
    advance(this.m);
    const dag = this.m.distributedGroup(name);
    if (!dag)
      throw new PartnerError(
        "DistributedAvailabilityGroupNotFound",
        `Distributed availability group '${name}' does not exist on SQL Server '${this.m.state.serverName}'.`,
      );
    return dag;
  }

  serverName(): string {
    return this.m.state.serverName;
  }

  mirroringEndpoint(): PartnerEndpointView | undefined {
    const e = this.m.state.endpoint;
    if (!e) return undefined;
    return {
      name: e.name,
      state: e.state,
      port: e.port,
      windowsAuth: e.windowsAuth,
      certificateName: e.certificateName,
      encryption: e.encryption,
      algorithms: [...e.algorithms],
    };
  }

  certificate(name: string): PartnerCertificateView | undefined {
    const c = findCertificate(this.m, "master", name);
    if (!c) return undefined;
    const p = parsedCertificate(c);
    return {
      name: c.name,
      certificateId: c.id,
      der: Buffer.from(c.derHex, "hex"),
      hasPrivateKey: c.keyEncryption !== "NA",
      subject: p.subject,
      issuerName: p.issuerName,
      startDate: p.notBefore,
      expiryDate: p.notAfter,
    };
  }

  trustedIssuers(): Array<{ certificateName: string; dnsName: string }> {
    return this.m.state.trustedIssuers.map((t) => ({ ...t }));
  }

  validateCaChain(certificateName: string): { ok: true } | { ok: false; reason: string } {
    return validateCaChain(this.m, certificateName);
  }

  distributedAvailabilityGroup(name: string): PartnerDagView | undefined {
    advance(this.m);
    const dag = this.m.distributedGroup(name);
    if (!dag) return undefined;
    const remote = dag.members.find((mb) => this.m.sameName(mb.agName, dag.remoteAgName));
    return {
      name: dag.name,
      members: dag.members.map((mb) => ({
        agName: mb.agName,
        listenerUrl: mb.listenerUrl,
        availabilityMode: mb.availabilityMode,
        failoverMode: mb.failoverMode,
        seedingMode: mb.seedingMode,
        sessionTimeout: mb.sessionTimeout,
      })),
      localAgName: dag.localAgName,
      remoteAgName: dag.remoteAgName,
      database:
        linkView(this.m, dag).database?.name ??
        (remote ? databaseFromListenerUrl(remote.listenerUrl) : undefined),
      localRole: dag.localRole,
    };
  }

  connectRemote(dagName: string, join: RemoteReplicaJoin): void {
    const dag = this.dag(dagName);
    const l = dag.link;
    l.joined = true;
    l.managedInstanceName = join.managedInstanceName;
    l.connectRequestedAt = this.m.now();
    l.connectedAt = undefined;
    if (join.availabilityMode) l.remoteAvailabilityMode = join.availabilityMode;
    if (l.seeding === "FAILED") l.seeding = "PENDING";
    dag.remoteRole = join.managedInstanceRole;
    if (join.managedInstanceRole === "PRIMARY" && !linkView(this.m, dag).database)
      dag.localRole = "SECONDARY";
    this.changed("connecting", dag.name);
  }

  failRemote(dagName: string, error: { number: number; description: string }): void {
    const dag = this.dag(dagName);
    const l = dag.link;
    l.joined = false;
    l.connectRequestedAt = undefined;
    l.connectedAt = undefined;
    l.lastConnectError = { ...error, timestamp: this.m.now() };
    interruptSeeding(dag);
    this.changed("disconnected", dag.name);
  }

  disconnectRemote(dagName: string): void {
    const dag = this.dag(dagName);
    const l = dag.link;
    l.joined = false;
    l.connectRequestedAt = undefined;
    l.connectedAt = undefined;
    l.lastConnectError = undefined;
    interruptSeeding(dag);
    this.changed("disconnected", dag.name);
  }

  remoteFailover(dagName: string, type: "Planned" | "ForcedAllowDataLoss"): void {
    const dag = this.dag(dagName);
    if (type === "Planned") {
      const view = linkView(this.m, dag);
      if (dag.remoteRole === "PRIMARY") {
        throw new PartnerError(
          "InvalidDistributedAvailabilityGroupFailoverInstanceRole",
          `The managed instance is already the primary of '${dag.name}'.`,
        );
      }
      if (
        !view.synchronousCommit ||
        view.secondaryState !== "SYNCHRONIZED" ||
        view.sqlServerLsn !== view.managedInstanceLsn
      ) {
        throw new PartnerError(
          "DistributedAvailabilityGroupFailoverSecondariesNotSynchronizing",
          errors.dagNotSynchronized(dag.name).message,
        );
      }
      dag.localRole = "SECONDARY";
      dag.remoteRole = "PRIMARY";
      if (this.m.product.major < 16) {
        // SQL Server 2019 and earlier cannot be a link's secondary: failing over to the MI ends the link.
        dag.link.joined = false;
        dag.link.connectRequestedAt = undefined;
        dag.link.connectedAt = undefined;
      }
    } else {
      // The MI takes over without asking SQL Server: when SQL Server is still primary, both are (split brain).
      dag.remoteRole = "PRIMARY";
    }
    this.changed("role", dag.name);
  }

  remoteSetRole(dagName: string, role: "PRIMARY" | "SECONDARY"): void {
    const dag = this.dag(dagName);
    if (dag.remoteRole === role) {
      throw new PartnerError(
        "DistributedAvailabilityGroupSetRoleInstanceAlreadyInRequestedRole",
        `The managed instance is already ${role} in '${dag.name}'.`,
      );
    }
    if (role === "SECONDARY") {
      demoteRemote(this.m, dag);
    } else {
      // When SQL Server is still primary it keeps its role until told otherwise (split brain).
      dag.remoteRole = "PRIMARY";
      if (dag.localRole === "SECONDARY") restartSynchronization(this.m, dag);
    }
    this.changed("role", dag.name);
  }

  setRemoteAvailabilityMode(dagName: string, mode: "SYNCHRONOUS_COMMIT" | "ASYNCHRONOUS_COMMIT"): void {
    const dag = this.dag(dagName);
    const wasSync = linkView(this.m, dag).synchronousCommit;
    dag.link.remoteAvailabilityMode = mode;
    if (!wasSync && linkView(this.m, dag).synchronousCommit) restartSynchronization(this.m, dag);
    this.changed("availability-mode", dag.name);
  }

  linkStatus(dagName: string): PartnerLinkStatus | undefined {
    advance(this.m);
    const dag = this.m.distributedGroup(dagName);
    if (!dag) return undefined;
    const view = linkView(this.m, dag);
    const error = dag.link.lastConnectError;
    const synchronizationState =
      dag.localRole === "SECONDARY" || dag.remoteRole === "SECONDARY"
        ? view.secondaryState
        : "NOT SYNCHRONIZING";
    return {
      connected: view.connected,
      lastConnectError: error
        ? { number: error.number, description: error.description, timestamp: new Date(error.timestamp) }
        : undefined,
      sqlServerRole: dag.localRole,
      managedInstanceRole: dag.remoteRole,
      synchronizationState,
      seedingProgressPercent: view.seedingProgressPercent,
      seedingState: view.seedingState,
      sqlServerLastHardenedLsn: view.sqlServerLsn,
      managedInstanceLastHardenedLsn: view.managedInstanceLsn,
      availabilityMode: view.synchronousCommit ? "SYNCHRONOUS_COMMIT" : "ASYNCHRONOUS_COMMIT",
    };
  }
}

import { randomUUID } from "node:crypto";
import type { PartnerLinkStatus, SqlServerPartner } from "../sqlserver/model/partner";
import { ArmError, badRequest, conflict, notFound } from "./errors";
import { evaluateLinkTrust, LINK_NOT_INITIATED, type LinkTrustInput } from "./link-trust";
import type { LinkSpec, LinkView } from "./link-shape";
import type { LinkedDatabaseObservation } from "./managed-databases";
import { deriveLinkView, toRole, type LinkRecord } from "./link-status";

export interface LinkTiming {
  /** How often a link that is not connected retries the join. */
  trustPollMs: number;
  /** How long network failures are retried before the link reports 41962. */
  linkInitWindowMs: number;
}

/** What a link needs to know about its managed instance. */
export interface LinkHost {
  name: string;
  fqdn: string;
  resourceId: string;
  partner(): SqlServerPartner | undefined;
  trustInput(): LinkTrustInput["managedInstance"];
  /** A link is about to be deleted: its databases' fate on the managed instance is decided now. */
  beforeLinkDeleted?(databases: string[]): void;
}

const LINK_TYPE = "Microsoft.Sql/managedInstances/distributedAvailabilityGroups";

/** The links (distributed availability groups) of one managed instance. */
export class LinkManager {
  private readonly links = new Map<string, LinkRecord>();
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: LinkHost,
    private readonly timing: LinkTiming,
  ) {}

  list(): string[] {
    return [...this.links.values()].map((link) => link.name);
  }

  has(name: string): boolean {
    return this.links.has(name.toLowerCase());
  }

  private get(name: string): LinkRecord {
    const link = this.links.get(name.toLowerCase());
    if (!link) throw notFound(LINK_TYPE, name);
    return link;
  }

  /** Creates a link and starts joining the SQL Server DAG. */
  create(name: string, spec: LinkSpec): void {
    const link: LinkRecord = {
      name,
      distributedAvailabilityGroupId: randomUUID(),
      instanceReplicaId: randomUUID(),
      partnerReplicaId: randomUUID(),
      spec,
      createdAt: Date.now(),
      connected: false,
    };
    this.links.set(name.toLowerCase(), link);
    this.tryJoin(link);
    this.ensurePolling();
  }

  /**
   * A PUT on an existing link: only replicationMode may change. The role is not compared
   * because failover and setRole change it outside the writable properties.
   */
  update(name: string, spec: LinkSpec): void {
    const link = this.get(name);
    const fixed: Array<keyof LinkSpec> = [
      "partnerAvailabilityGroupName",
      "instanceAvailabilityGroupName",
      "partnerEndpoint",
      "failoverMode",
      "seedingMode",
    ];
    const changed = fixed.filter((key) => String(link.spec[key]) !== String(spec[key]));
    if (link.spec.databases.join("\u0000") !== spec.databases.join("\u0000")) changed.push("databases");
    if (changed.length > 0) {
      throw badRequest(
        "DistributedAvailabilityGroupPropertyUpdateNotSupported",
        `The properties ${changed.join(", ")} of the link '${link.name}' cannot be changed; ` +
          "delete and recreate the link.",
      );
    }
    this.setReplicationMode(name, spec.replicationMode);
  }

  /** A change to a link whose role is changing is refused, as ARM does for a busy resource. */
  assertIdle(name: string): void {
    const link = this.links.get(name.toLowerCase());
    if (link?.roleChangeInProgress) {
      throw conflict(
        "AnotherOperationInProgress",
        `A ${link.roleChangeInProgress} of '${link.name}' is in progress; retry when it has completed.`,
      );
    }
  }

  setReplicationMode(name: string, mode: "Async" | "Sync"): void {
    const link = this.get(name);
    link.spec = { ...link.spec, replicationMode: mode };
    const partner = this.host.partner();
    if (link.connected && partner) {
      partner.setRemoteAvailabilityMode(
        link.name,
        mode === "Sync" ? "SYNCHRONOUS_COMMIT" : "ASYNCHRONOUS_COMMIT",
      );
    }
  }

  delete(name: string): void {
    const link = this.get(name);
    this.host.beforeLinkDeleted?.(link.spec.databases);
    this.links.delete(name.toLowerCase());
    const partner = this.host.partner();
    if (partner && (link.connected || link.lastError?.reported)) {
      try {
        partner.disconnectRemote(link.name);
      } catch {
        // The DAG may already be gone on SQL Server: deleting the link must still succeed.
      }
    }
    if (this.links.size === 0) this.stopPolling();
  }

  /** Validates a failover request now; the returned work runs when the operation executes. */
  beginFailover(name: string, failoverType: unknown): () => void {
    const link = this.get(name);
    if (failoverType !== "Planned" && failoverType !== "ForcedAllowDataLoss") {
      throw badRequest(
        "InvalidParameterValue",
        `Invalid value '${String(failoverType)}' for 'failoverType'. Allowed values: Planned, ForcedAllowDataLoss.`,
      );
    }
    const { status, partner } = this.connectedStatus(link);
    this.refuseConcurrentRoleChange(link);
    // The action runs on the MI and makes it the primary; a planned one must lose no data.
    if (failoverType === "Planned") {
      if (status.managedInstanceRole === "PRIMARY") {
        throw badRequest(
          "InvalidDistributedAvailabilityGroupFailoverInstanceRole",
          `The managed instance is already the primary of '${link.name}': a planned failover moves the ` +
            "primary role from SQL Server to the managed instance.",
        );
      }
      const synchronized =
        status.availabilityMode === "SYNCHRONOUS_COMMIT" &&
        status.synchronizationState === "SYNCHRONIZED" &&
        status.sqlServerLastHardenedLsn === status.managedInstanceLastHardenedLsn;
      if (!synchronized) {
        throw conflict(
          "DistributedAvailabilityGroupFailoverSecondariesNotSynchronizing",
          `The secondary of '${link.name}' is not synchronized (${status.synchronizationState}, ` +
            `${status.availabilityMode}): switch both sides to synchronous commit and wait until ` +
            "the last hardened LSNs are equal.",
        );
      }
    }
    link.roleChangeInProgress = "failover";
    return () => {
      try {
        asArmError(() => partner.remoteFailover(link.name, failoverType));
      } finally {
        link.roleChangeInProgress = undefined;
      }
    };
  }

  beginSetRole(name: string, instanceRole: unknown, roleChangeType: unknown): () => void {
    const link = this.get(name);
    if (instanceRole !== "Primary" && instanceRole !== "Secondary") {
      throw badRequest(
        "InvalidParameterValue",
        `Invalid value '${String(instanceRole)}' for 'instanceRole'. Allowed values: Primary, Secondary.`,
      );
    }
    if (roleChangeType !== undefined && roleChangeType !== "Planned" && roleChangeType !== "Forced") {
      throw badRequest(
        "InvalidParameterValue",
        `Invalid value '${String(roleChangeType)}' for 'roleChangeType'. Allowed values: Planned, Forced.`,
      );
    }
    const { status, partner } = this.connectedStatus(link, true);
    this.refuseConcurrentRoleChange(link);
    if (toRole(status.managedInstanceRole) === instanceRole) {
      throw conflict(
        "DistributedAvailabilityGroupSetRoleInstanceAlreadyInRequestedRole",
        `The managed instance is already ${instanceRole} in '${link.name}'.`,
      );
    }
    link.roleChangeInProgress = "setRole";
    return () => {
      try {
        asArmError(() =>
          partner.remoteSetRole(link.name, instanceRole === "Primary" ? "PRIMARY" : "SECONDARY"),
        );
      } finally {
        link.roleChangeInProgress = undefined;
      }
    };
  }

  private refuseConcurrentRoleChange(link: LinkRecord): void {
    if (link.roleChangeInProgress) {
      throw conflict(
        "DistributedAvailabilityGroupSetRoleChangeRoleAlreadyInProgress",
        `A ${link.roleChangeInProgress} of '${link.name}' is already in progress.`,
      );
    }
  }

  /** Role changes need the SQL Server side; setRole also works on a disconnected link (split brain repair). */
  private connectedStatus(
    link: LinkRecord,
    allowDisconnected = false,
  ): { status: PartnerLinkStatus; partner: SqlServerPartner } {
    const partner = this.host.partner();
    const status = partner?.linkStatus(link.name);
    if (!partner || !status || (!allowDisconnected && !link.connected)) {
      throw conflict(
        "DistributedAvailabilityGroupNotConnected",
        `The link '${link.name}' is not connected to SQL Server; it cannot change roles.`,
      );
    }
    return { status, partner };
  }

  /**
   * Retries the join of every link that is not connected, and re-checks the certificates of every
   * connected one: called when trust objects change and on every poll.
   */
  reevaluate(): void {
    for (const link of this.links.values()) {
      if (link.connected) this.recheckCertificates(link);
      else this.tryJoin(link);
    }
  }

  /**
   * Every reconnection of the mirroring transport authenticates both endpoints again with the
   * certificates they hold then: a connected link whose SQL Server endpoint switched to a
   * certificate the managed instance does not trust (41973), or whose managed instance
   * certificate SQL Server no longer trusts (41974), drops to DISCONNECTED with that error and
   * rejoins once the trust is right again. A switch to a certificate already uploaded keeps
   * the link connected, as rotating the certificate in the documented order does.
   */
  private recheckCertificates(link: LinkRecord): void {
    const partner = this.host.partner();
    if (!partner) return;
    const result = evaluateLinkTrust(partner, {
      managedInstance: this.host.trustInput(),
      link: { name: link.name, ...link.spec },
    });
    if (
      result.ok ||
      (result.kind !== "sqlServerCertificate" && result.kind !== "managedInstanceCertificate")
    ) {
      return;
    }
    link.connected = false;
    link.lastError = { ...result.error, kind: result.kind, timestamp: new Date(), reported: true };
    try {
      partner.failRemote(link.name, result.error);
    } catch {
      // No such DAG on SQL Server any more: nothing to disconnect there.
    }
  }

  private tryJoin(link: LinkRecord): void {
    const partner = this.host.partner();
    const result = partner
      ? evaluateLinkTrust(partner, {
          managedInstance: this.host.trustInput(),
          link: { name: link.name, ...link.spec },
        })
      : {
          ok: false as const,
          kind: "network" as const,
          error: {
            number: LINK_NOT_INITIATED,
            description: `The link was not initiated: no SQL Server answers at '${link.spec.partnerEndpoint}'.`,
          },
        };
    if (result.ok) {
      if (!partner) return;
      partner.connectRemote(link.name, result.join);
      link.connected = true;
      link.lastError = undefined;
      if (link.spec.replicationMode === "Sync")
        partner.setRemoteAvailabilityMode(link.name, "SYNCHRONOUS_COMMIT");
      return;
    }
    const windowPassed = Date.now() - link.createdAt >= this.timing.linkInitWindowMs;
    const visible = result.kind !== "network" || windowPassed;
    const previous = link.lastError;
    const same =
      previous?.number === result.error.number &&
      previous.description === result.error.description &&
      previous.reported;
    link.lastError = { ...result.error, kind: result.kind, timestamp: new Date(), reported: visible };
    if (visible && !same && partner) {
      try {
        partner.failRemote(link.name, result.error);
      } catch {
        // No such DAG on SQL Server: the error is visible on the Azure side only.
      }
    }
  }

  private ensurePolling(): void {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.reevaluate(), this.timing.trustPollMs);
    this.pollTimer.unref();
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  stop(): void {
    this.stopPolling();
  }

  /** What each link shows of its databases now, as SQL Server's side of the link reports it. */
  databaseObservations(): LinkedDatabaseObservation[] {
    const partner = this.host.partner();
    return [...this.links.values()].flatMap((link) => {
      const status = partner?.linkStatus(link.name);
      const primary = status?.managedInstanceRole === "PRIMARY";
      const present = primary || status?.seedingState === "COMPLETED";
      return link.spec.databases.map((database) => ({ database, present, managedInstancePrimary: primary }));
    });
  }

  view(name: string): LinkView {
    return deriveLinkView(this.get(name), this.host.partner(), this.host.resourceId);
  }
}

/**
 * The SQL Server model refuses a role change that became invalid after the request was
 * accepted with a coded error: the operation then fails with that code.
 */
function asArmError(action: () => void): void {
  try {
    action();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && error instanceof Error) {
      throw new ArmError(code.startsWith("Invalid") ? 400 : 409, code, error.message);
    }
    throw error;
  }
}

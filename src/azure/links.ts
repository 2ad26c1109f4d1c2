/**
 * The link resource (Microsoft.Sql/managedInstances/distributedAvailabilityGroups)
 * in the 2023-08-01 shape, and its actions. @azure/arm-sql 10 only knows the
 * 2021-11-01-preview shape and has no failover or setRole, so these go through the
 * SDK client's pipeline (auth, TLS, retries) and poll with @azure/core-lro.
 */
import {
  armEndpointOf,
  createSqlClient,
  describeManagedInstance,
  managedInstanceResourceId,
  type AzureTarget,
} from "./client";
import { AzureOperationError, type ArmCallContext } from "./errors";
import { linkFixes } from "./link-errors";
import { armLongRunning, armRequest } from "./request";
import { validateLinkName } from "./validate";

export const LINK_API_VERSION = "2023-08-01";

export type LinkRole = "Primary" | "Secondary";
export type FailoverType = "Planned" | "ForcedAllowDataLoss";
export type RoleChangeType = "Planned" | "Forced";
export type ReplicationMode = "Async" | "Sync";

/** One database of a link, as Azure reports it. */
export interface LinkDatabase {
  databaseName: string;
  replicaState?: string;
  seedingProgress?: string;
  synchronizationHealth?: string;
  connectedState?: string;
  lastHardenedLsn?: string;
  lastHardenedTime?: string;
  mostRecentLinkError?: string;
  partnerAuthCertValidity?: { certificateName?: string; expiryDate?: string };
  instanceSendReplicationLagSeconds?: number;
  instanceRedoReplicationLagSeconds?: number;
  [other: string]: unknown;
}

/** A link as GET returns it (2023-08-01). */
export interface LinkInfo {
  id: string;
  name: string;
  distributedAvailabilityGroupId?: string;
  partnerAvailabilityGroupName?: string;
  partnerEndpoint?: string;
  instanceAvailabilityGroupName?: string;
  instanceLinkRole?: LinkRole;
  partnerLinkRole?: LinkRole;
  failoverMode?: string;
  replicationMode?: ReplicationMode;
  seedingMode?: string;
  databases: LinkDatabase[];
}

function linkUrl(target: AzureTarget, name: string, action?: string): string {
  validateLinkName(name);
  return (
    `${armEndpointOf(target)}${managedInstanceResourceId(target)}/distributedAvailabilityGroups/` +
    `${encodeURIComponent(name)}${action ? `/${action}` : ""}?api-version=${LINK_API_VERSION}`
  );
}

function linkContext(target: AzureTarget, name: string, action: string): ArmCallContext {
  return { action, resource: `link ${name} of ${describeManagedInstance(target)}` };
}

function toLinkInfo(body: unknown): LinkInfo {
  const resource = (body ?? {}) as { id?: string; name?: string; properties?: Record<string, unknown> };
  const p = resource.properties ?? {};
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return {
    id: resource.id ?? "",
    name: resource.name ?? "",
    distributedAvailabilityGroupId: text(p.distributedAvailabilityGroupId),
    partnerAvailabilityGroupName: text(p.partnerAvailabilityGroupName),
    partnerEndpoint: text(p.partnerEndpoint),
    instanceAvailabilityGroupName: text(p.instanceAvailabilityGroupName),
    instanceLinkRole: text(p.instanceLinkRole) as LinkRole | undefined,
    partnerLinkRole: text(p.partnerLinkRole) as LinkRole | undefined,
    failoverMode: text(p.failoverMode),
    replicationMode: text(p.replicationMode) as ReplicationMode | undefined,
    seedingMode: text(p.seedingMode),
    databases: Array.isArray(p.databases) ? (p.databases as LinkDatabase[]) : [],
  };
}

/** The link, or undefined when it does not exist. */
export async function getLink(target: AzureTarget, name: string): Promise<LinkInfo | undefined> {
  const answer = await armRequest(
    createSqlClient(target),
    target,
    linkContext(target, name, "read the link"),
    "GET",
    linkUrl(target, name),
    { accept: [404], fixes: linkFixes },
  );
  return answer.statusCode === 404 ? undefined : toLinkInfo(answer.body);
}

/**
 * Every link of the managed instance (GET .../distributedAvailabilityGroups, following nextLink),
 * through the client's authentication, TLS settings and retry policy.
 */
export async function listLinks(target: AzureTarget): Promise<LinkInfo[]> {
  const client = createSqlClient(target);
  const context: ArmCallContext = {
    action: "list the links",
    resource: describeManagedInstance(target),
  };
  const links: LinkInfo[] = [];
  const seen = new Set<string>();
  let url: string | undefined =
    `${armEndpointOf(target)}${managedInstanceResourceId(target)}/distributedAvailabilityGroups` +
    `?api-version=${LINK_API_VERSION}`;
  while (url !== undefined) {
    // A nextLink that comes back is a server fault; stop instead of looping.
    if (seen.has(url)) break;
    seen.add(url);
    const answer = await armRequest(client, target, context, "GET", url, { fixes: linkFixes });
    const page = (answer.body ?? {}) as { value?: unknown; nextLink?: unknown };
    if (Array.isArray(page.value)) links.push(...page.value.map(toLinkInfo));
    url = typeof page.nextLink === "string" && page.nextLink.length > 0 ? page.nextLink : undefined;
    if (url !== undefined && new URL(url).origin !== new URL(armEndpointOf(target)).origin) {
      // The token goes with every request: never to another host.
      throw new AzureOperationError({
        context,
        detail: `The answer's nextLink points to another host (${new URL(url).origin}).`,
        fix: `check armEndpoint (${armEndpointOf(target)}): it must be Azure Resource Manager.`,
      });
    }
  }
  return links;
}

/** Re-reads the link after an action: the action's final answer is not always the resource. */
async function linkAfter(target: AzureTarget, name: string, action: string): Promise<LinkInfo> {
  const link = await getLink(target, name);
  if (!link) {
    throw new AzureOperationError({
      context: linkContext(target, name, action),
      detail: "The link is gone after the operation.",
      fix: "on SQL Server 2019 and earlier a failover ends the link; otherwise check the link in the portal.",
    });
  }
  return link;
}

/**
 * POST .../failover: makes the managed instance primary. "Planned" needs a synchronized
 * link (replicationMode Sync on both sides); "ForcedAllowDataLoss" may lose data.
 */
export async function failoverLink(
  target: AzureTarget,
  name: string,
  failoverType: FailoverType,
): Promise<LinkInfo> {
  const action = `fail over the link (${failoverType})`;
  await armLongRunning(
    createSqlClient(target),
    target,
    linkContext(target, name, action),
    "POST",
    linkUrl(target, name, "failover"),
    {
      body: { failoverType },
      fixes: linkFixes,
    },
  );
  return linkAfter(target, name, action);
}

/** POST .../setRole: sets the managed instance's role in the link (split-brain repair, fail back). */
export async function setLinkRole(
  target: AzureTarget,
  name: string,
  instanceRole: LinkRole,
  roleChangeType: RoleChangeType,
): Promise<LinkInfo> {
  const action = `set the managed instance's role in the link to ${instanceRole} (${roleChangeType})`;
  await armLongRunning(
    createSqlClient(target),
    target,
    linkContext(target, name, action),
    "POST",
    linkUrl(target, name, "setRole"),
    {
      body: { instanceRole, roleChangeType },
      fixes: linkFixes,
    },
  );
  return linkAfter(target, name, action);
}

/** PATCH the link's replicationMode (Sync before a planned failover, Async afterwards). */
export async function setLinkReplicationMode(
  target: AzureTarget,
  name: string,
  replicationMode: ReplicationMode,
): Promise<LinkInfo> {
  const action = `set the link's replication mode to ${replicationMode}`;
  await armLongRunning(
    createSqlClient(target),
    target,
    linkContext(target, name, action),
    "PATCH",
    linkUrl(target, name),
    {
      body: { properties: { replicationMode } },
      fixes: linkFixes,
    },
  );
  return linkAfter(target, name, action);
}

/** DELETE the link. Returns false when it was already gone. */
export async function deleteLink(target: AzureTarget, name: string): Promise<boolean> {
  const client = createSqlClient(target);
  const context = linkContext(target, name, "delete the link");
  const existing = await armRequest(client, target, context, "GET", linkUrl(target, name), {
    accept: [404],
    fixes: linkFixes,
  });
  if (existing.statusCode === 404) return false;
  await armLongRunning(client, target, context, "DELETE", linkUrl(target, name), { fixes: linkFixes });
  return true;
}

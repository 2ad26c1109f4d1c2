import { usesInstancePartnerLinkShape } from "./api-versions";
import { badRequest } from "./errors";
import { parseTcpUrl } from "./link-trust";

export type LinkRole = "Primary" | "Secondary";

/** The writable properties of a link (distributedAvailabilityGroups resource). */
export interface LinkSpec {
  partnerAvailabilityGroupName: string;
  partnerEndpoint: string;
  instanceAvailabilityGroupName: string;
  instanceLinkRole: LinkRole;
  databases: string[];
  failoverMode: "None" | "Manual";
  replicationMode: "Async" | "Sync";
  seedingMode: "Automatic" | "Manual";
}

/** The read-only view of one database of a link, derived from the SQL Server model. */
export interface LinkDatabaseState {
  databaseName: string;
  instanceReplicaId: string;
  partnerReplicaId: string;
  replicaState: string;
  seedingProgress: string;
  synchronizationHealth: "Healthy" | "PartiallyHealthy" | "NotHealthy";
  connectedState: "Connected" | "Disconnected";
  lastHardenedLsn?: string;
  lastHardenedTime?: string;
  mostRecentLinkError?: string;
  partnerAuthCertValidity?: { certificateName: string; expiryDate: string };
  instanceSendReplicationLagSeconds?: number;
  instanceRedoReplicationLagSeconds?: number;
}

export interface LinkView {
  id: string;
  name: string;
  distributedAvailabilityGroupId: string;
  spec: LinkSpec;
  /** Current roles: they change with failover/setRole, outside the writable spec. */
  instanceLinkRole: LinkRole;
  partnerLinkRole: LinkRole;
  databases: LinkDatabaseState[];
}

function requireString(value: unknown, property: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw badRequest("InvalidParameterValue", `The property '${property}' is required and must be a string.`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, property: string): T {
  if (value === undefined || value === null) return fallback;
  const match = allowed.find(
    (candidate) => typeof value === "string" && candidate.toLowerCase() === value.toLowerCase(),
  );
  if (!match) {
    throw badRequest(
      "InvalidParameterValue",
      `Invalid value '${String(value)}' for '${property}'. Allowed values: ${allowed.join(", ")}.`,
    );
  }
  return match;
}

function validateEndpoint(endpoint: string, property: string): string {
  if (!parseTcpUrl(endpoint)) {
    throw badRequest("InvalidParameterValue", `The property '${property}' must look like 'TCP://host:port'.`);
  }
  return endpoint;
}

/** Reads a PUT body in the shape of its api-version. */
export function parseLinkSpec(apiVersion: string, body: unknown): LinkSpec {
  const properties = (body as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!properties || typeof properties !== "object") {
    throw badRequest("InvalidRequestContent", "The request content must have a 'properties' object.");
  }
  const replicationMode = oneOf(
    properties.replicationMode,
    ["Async", "Sync"] as const,
    "Async",
    "replicationMode",
  );
  if (!usesInstancePartnerLinkShape(apiVersion)) {
    return {
      partnerAvailabilityGroupName: requireString(
        properties.primaryAvailabilityGroupName,
        "primaryAvailabilityGroupName",
      ),
      instanceAvailabilityGroupName: requireString(
        properties.secondaryAvailabilityGroupName,
        "secondaryAvailabilityGroupName",
      ),
      partnerEndpoint: validateEndpoint(
        requireString(properties.sourceEndpoint, "sourceEndpoint"),
        "sourceEndpoint",
      ),
      databases: [requireString(properties.targetDatabase, "targetDatabase")],
      instanceLinkRole: "Secondary",
      failoverMode: "None",
      replicationMode,
      seedingMode: "Automatic",
    };
  }
  const databases = properties.databases;
  if (!Array.isArray(databases) || databases.length === 0) {
    throw badRequest("InvalidParameterValue", "The property 'databases' must list at least one database.");
  }
  return {
    partnerAvailabilityGroupName: requireString(
      properties.partnerAvailabilityGroupName,
      "partnerAvailabilityGroupName",
    ),
    instanceAvailabilityGroupName: requireString(
      properties.instanceAvailabilityGroupName,
      "instanceAvailabilityGroupName",
    ),
    partnerEndpoint: validateEndpoint(
      requireString(properties.partnerEndpoint, "partnerEndpoint"),
      "partnerEndpoint",
    ),
    databases: databases.map((entry, index) =>
      requireString(
        (entry as { databaseName?: unknown } | null)?.databaseName,
        `databases[${index}].databaseName`,
      ),
    ),
    instanceLinkRole: oneOf(
      properties.instanceLinkRole,
      ["Primary", "Secondary"] as const,
      "Secondary",
      "instanceLinkRole",
    ),
    failoverMode: oneOf(properties.failoverMode, ["None", "Manual"] as const, "None", "failoverMode"),
    replicationMode,
    seedingMode: oneOf(properties.seedingMode, ["Automatic", "Manual"] as const, "Automatic", "seedingMode"),
  };
}

export function parseReplicationModePatch(body: unknown): "Async" | "Sync" | undefined {
  const properties = (body as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  if (properties.replicationMode === undefined) return undefined;
  return oneOf(properties.replicationMode, ["Async", "Sync"] as const, "Async", "replicationMode");
}

const LINK_TYPE = "Microsoft.Sql/managedInstances/distributedAvailabilityGroups";

/** The resource JSON of a link in the shape of the api-version. */
export function renderLink(apiVersion: string, view: LinkView): Record<string, unknown> {
  const head = { id: view.id, name: view.name, type: LINK_TYPE };
  const first = view.databases[0];
  if (!usesInstancePartnerLinkShape(apiVersion)) {
    return {
      ...head,
      properties: {
        targetDatabase: view.spec.databases[0],
        sourceEndpoint: view.spec.partnerEndpoint,
        primaryAvailabilityGroupName: view.spec.partnerAvailabilityGroupName,
        secondaryAvailabilityGroupName: view.spec.instanceAvailabilityGroupName,
        replicationMode: view.spec.replicationMode,
        distributedAvailabilityGroupId: view.distributedAvailabilityGroupId,
        sourceReplicaId: first?.partnerReplicaId,
        targetReplicaId: first?.instanceReplicaId,
        linkState: first?.replicaState,
        lastHardenedLsn: first?.lastHardenedLsn,
      },
    };
  }
  return {
    ...head,
    properties: {
      distributedAvailabilityGroupName: view.name,
      distributedAvailabilityGroupId: view.distributedAvailabilityGroupId,
      partnerAvailabilityGroupName: view.spec.partnerAvailabilityGroupName,
      partnerEndpoint: view.spec.partnerEndpoint,
      instanceAvailabilityGroupName: view.spec.instanceAvailabilityGroupName,
      instanceLinkRole: view.instanceLinkRole,
      partnerLinkRole: view.partnerLinkRole,
      failoverMode: view.spec.failoverMode,
      replicationMode: view.spec.replicationMode,
      seedingMode: view.spec.seedingMode,
      databases: view.databases,
    },
  };
}

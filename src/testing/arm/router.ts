import { isSupportedApiVersion } from "./api-versions";
import { ArmError, badRequest, notFound } from "./errors";
import { parseLinkSpec, parseReplicationModePatch, renderLink } from "./link-shape";
import type { EndpointType, ManagedInstance } from "./managed-instance";
import { validateDistributedAvailabilityGroupName } from "./names";
import type { AsyncOperation, OperationResult, OperationTracker } from "./operations";

export interface ArmRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** scheme://host:port the client used: operation URLs point back to it. */
  baseUrl: string;
}

export interface ArmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouterContext {
  subscriptionId: string;
  managedInstances: Map<string, ManagedInstance>;
  operations: OperationTracker;
  /** Retry-After of accepted long-running operations (seconds; 0 lets clients use their own interval). */
  lroRetryAfterSeconds: number;
  /** Items per page of a list; the rest through nextLink ($skiptoken). Default 100. */
  listPageSize?: number;
}

const MI_PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Sql\/managedInstances(?:\/([^/]+)(?:\/(.*))?)?$/i;
const OPERATION_PATH =
  /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Sql\/locations\/([^/]+)\/(managedInstanceAzureAsyncOperation|managedInstanceOperationResults)\/([^/]+)$/i;

/** A short operation name for counters: "PUT distributedAvailabilityGroups", "POST failover", ... */
export function operationName(method: string, path: string): string {
  const operation = OPERATION_PATH.exec(path);
  if (operation) return `${method} ${operation[3]}`;
  const match = MI_PATH.exec(path);
  if (!match) return `${method} unknown`;
  const rest = (match[4] ?? "").split("/").filter(Boolean);
  if (!match[3]) return `${method} managedInstances`;
  if (rest.length === 0) return `${method} managedInstances`;
  if (rest.length === 3) return `${method} ${rest[2]}`;
  return `${method} ${rest[0]}`;
}

function pathNotFound(path: string): ArmError {
  return new ArmError(404, "NotFound", `The requested path '${path}' does not exist.`);
}

function methodNotAllowed(method: string, path: string): ArmError {
  return new ArmError(405, "MethodNotAllowed", `The method '${method}' is not allowed on '${path}'.`);
}

export function route(ctx: RouterContext, request: ArmRequest): ArmResponse {
  const apiVersion = request.query.get("api-version");
  if (!apiVersion) {
    throw badRequest(
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  }
  if (!isSupportedApiVersion(apiVersion)) {
    throw badRequest(
      "InvalidApiVersionParameter",
      `The api-version '${apiVersion}' is invalid. The supported versions are listed by the Microsoft.Sql provider.`,
    );
  }
  const operation = OPERATION_PATH.exec(request.path);
  if (operation) return operationStatus(ctx, request, operation[3], operation[4], apiVersion);

  const match = MI_PATH.exec(request.path);
  if (!match) throw pathNotFound(request.path);
  const [, subscriptionId, resourceGroupName, miName, rest] = match;
  if (subscriptionId !== ctx.subscriptionId) {
    throw new ArmError(
      404,
      "SubscriptionNotFound",
      `The subscription '${subscriptionId}' could not be found.`,
    );
  }
  const inGroup = [...ctx.managedInstances.values()].filter(
    (mi) => mi.resourceGroupName.toLowerCase() === resourceGroupName.toLowerCase(),
  );
  if (inGroup.length === 0) {
    throw new ArmError(
      404,
      "ResourceGroupNotFound",
      `Resource group '${resourceGroupName}' could not be found.`,
    );
  }
  if (!miName) {
    if (request.method !== "GET") throw methodNotAllowed(request.method, request.path);
    return { status: 200, body: { value: inGroup.map((mi) => mi.toResource()) } };
  }
  const mi = inGroup.find((candidate) => candidate.name === miName.toLowerCase());
  if (!mi) throw notFound("Microsoft.Sql/managedInstances", miName);

  const segments = (rest ?? "").split("/").filter(Boolean).map(decodeURIComponent);
  const ctxFor = { ctx, request, mi, apiVersion };
  if (segments.length === 0) {
    if (request.method !== "GET") throw methodNotAllowed(request.method, request.path);
    return { status: 200, body: mi.toResource() };
  }
  switch (segments[0].toLowerCase()) {
    case "endpointcertificates":
      return endpointCertificates(ctxFor, segments[1]);
    case "servertrustcertificates":
      return serverTrustCertificates(ctxFor, segments[1]);
    case "distributedavailabilitygroups":
      return links(ctxFor, segments.slice(1));
    case "databases":
      return managedDatabases(ctxFor, segments[1]);
    default:
      throw pathNotFound(request.path);
  }
}

interface Scope {
  ctx: RouterContext;
  request: ArmRequest;
  mi: ManagedInstance;
  apiVersion: string;
}

function endpointCertificates({ request, mi }: Scope, type: string | undefined): ArmResponse {
  if (request.method !== "GET") throw methodNotAllowed(request.method, request.path);
  const render = (endpointType: EndpointType) => ({
    id: `${mi.resourceId}/endpointCertificates/${endpointType}`,
    name: endpointType,
    type: "Microsoft.Sql/managedInstances/endpointCertificates",
    properties: { publicBlob: mi.endpointCertificate(endpointType).der.toString("hex").toUpperCase() },
  });
  if (type === undefined)
    return { status: 200, body: { value: [render("DATABASE_MIRRORING"), render("SERVICE_BROKER")] } };
  const endpointType = type.toUpperCase();
  if (endpointType !== "DATABASE_MIRRORING" && endpointType !== "SERVICE_BROKER") {
    throw notFound("Microsoft.Sql/managedInstances/endpointCertificates", type);
  }
  return { status: 200, body: render(endpointType) };
}

/** GET only: the databases the links brought; earliestRestorePoint once the first full backup exists. */
function managedDatabases({ request, mi }: Scope, name: string | undefined): ArmResponse {
  if (request.method !== "GET") throw methodNotAllowed(request.method, request.path);
  if (name === undefined) {
    return { status: 200, body: { value: mi.managedDatabases().map((d) => mi.managedDatabaseResource(d)) } };
  }
  const database = mi.managedDatabase(name);
  if (!database) throw notFound("Microsoft.Sql/managedInstances/databases", name);
  return { status: 200, body: mi.managedDatabaseResource(database) };
}

function serverTrustCertificates(
  { ctx, request, mi, apiVersion }: Scope,
  name: string | undefined,
): ArmResponse {
  const render = (certificateName: string) => {
    const record = mi.trustCertificates.get(certificateName);
    return {
      id: `${mi.resourceId}/serverTrustCertificates/${record.name}`,
      name: record.name,
      type: "Microsoft.Sql/managedInstances/serverTrustCertificates",
      properties: {
        publicBlob: record.der.toString("hex").toUpperCase(),
        thumbprint: record.thumbprint,
        certificateName: record.name,
      },
    };
  };
  if (name === undefined) {
    if (request.method !== "GET") throw methodNotAllowed(request.method, request.path);
    return { status: 200, body: { value: mi.trustCertificates.list().map((record) => render(record.name)) } };
  }
  switch (request.method) {
    case "GET":
      return { status: 200, body: render(name) };
    case "PUT": {
      const publicBlob = (request.body as { properties?: { publicBlob?: unknown } } | undefined)?.properties
        ?.publicBlob;
      const record = mi.trustCertificates.validatePut(name, publicBlob);
      return accepted(ctx, request, mi, apiVersion, `Upsert server trust certificate ${name}`, () => {
        mi.trustCertificates.put(mi.trustCertificates.validatePut(name, publicBlob));
        mi.links.reevaluate();
        return { status: 200, body: () => render(record.name) };
      });
    }
    case "DELETE":
      if (!mi.trustCertificates.find(name)) return { status: 204 };
      return accepted(ctx, request, mi, apiVersion, `Drop server trust certificate ${name}`, () => {
        mi.trustCertificates.delete(name);
        return { status: 204 };
      });
    default:
      throw methodNotAllowed(request.method, request.path);
  }
}

/** One page of a list as ARM answers it: `value`, and `nextLink` (with a `$skiptoken`) while more remain. */
function page<T>(
  ctx: RouterContext,
  request: ArmRequest,
  items: T[],
  render: (item: T) => unknown,
): { value: unknown[]; nextLink?: string } {
  const size = Math.max(1, ctx.listPageSize ?? 100);
  const token = request.query.get("$skiptoken");
  const start = token === null ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0) {
    throw badRequest("InvalidSkipToken", `The $skiptoken '${token}' is not valid.`);
  }
  const value = items.slice(start, start + size).map(render);
  if (start + size >= items.length) return { value };
  const next = new URLSearchParams(request.query);
  next.set("$skiptoken", String(start + size));
  return { value, nextLink: `${request.baseUrl}${request.path}?${next.toString()}` };
}

function links({ ctx, request, mi, apiVersion }: Scope, segments: string[]): ArmResponse {
  const render = (name: string) => renderLink(apiVersion, mi.links.view(name));
  if (segments.length === 0) {
    if (request.method !== "GET") throw methodNotAllowed(request.method, request.path);
    return { status: 200, body: page(ctx, request, mi.links.list(), render) };
  }
  const name = segments[0];
  validateDistributedAvailabilityGroupName(name);
  const renderLater = () => (version: string) => renderLink(version, mi.links.view(name));
  if (segments.length === 2) {
    if (request.method !== "POST") throw methodNotAllowed(request.method, request.path);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const action = segments[1].toLowerCase();
    if (action === "failover") {
      const work = mi.links.beginFailover(name, body.failoverType);
      return accepted(ctx, request, mi, apiVersion, `Failover ${name}`, () => {
        work();
        return { status: 200, body: renderLater() };
      });
    }
    if (action === "setrole") {
      const work = mi.links.beginSetRole(name, body.instanceRole, body.roleChangeType);
      return accepted(ctx, request, mi, apiVersion, `Set role ${name}`, () => {
        work();
        return { status: 200, body: renderLater() };
      });
    }
    throw pathNotFound(request.path);
  }
  if (segments.length !== 1) throw pathNotFound(request.path);
  switch (request.method) {
    case "GET":
      return { status: 200, body: render(name) };
    case "PUT": {
      const spec = parseLinkSpec(apiVersion, request.body);
      mi.links.assertIdle(name);
      if (mi.links.has(name)) {
        mi.links.update(name, spec);
        return { status: 200, body: render(name) };
      }
      mi.links.create(name, spec);
      const response = accepted(ctx, request, mi, apiVersion, `Create link ${name}`, () => ({
        status: 200,
        body: renderLater(),
      }));
      return { ...response, status: 201, body: render(name) };
    }
    case "PATCH": {
      mi.links.view(name);
      mi.links.assertIdle(name);
      const mode = parseReplicationModePatch(request.body);
      return accepted(ctx, request, mi, apiVersion, `Update link ${name}`, () => {
        if (mode) mi.links.setReplicationMode(name, mode);
        return { status: 200, body: renderLater() };
      });
    }
    case "DELETE":
      if (!mi.links.has(name)) return { status: 204 };
      mi.links.assertIdle(name);
      return accepted(ctx, request, mi, apiVersion, `Drop link ${name}`, () => {
        if (mi.links.has(name)) mi.links.delete(name);
        return { status: 204 };
      });
    default:
      throw methodNotAllowed(request.method, request.path);
  }
}

/** 202 with the polling headers of a Microsoft.Sql managed instance operation. */
function accepted(
  ctx: RouterContext,
  request: ArmRequest,
  mi: ManagedInstance,
  apiVersion: string,
  name: string,
  work: () => OperationResult,
): ArmResponse {
  const operation = ctx.operations.start(name, work);
  const base = `${request.baseUrl}/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Sql/locations/${mi.location}`;
  return {
    status: 202,
    headers: {
      "Azure-AsyncOperation": `${base}/managedInstanceAzureAsyncOperation/${operation.id}?api-version=${apiVersion}`,
      Location: `${base}/managedInstanceOperationResults/${operation.id}?api-version=${apiVersion}`,
      "Retry-After": String(ctx.lroRetryAfterSeconds),
    },
  };
}

function operationStatus(
  ctx: RouterContext,
  request: ArmRequest,
  kind: string,
  id: string,
  apiVersion: string,
): ArmResponse {
  if (request.method !== "GET") throw methodNotAllowed(request.method, request.path);
  const operation: AsyncOperation | undefined = ctx.operations.get(id);
  if (!operation) throw notFound("Microsoft.Sql/locations/operations", id);
  const retry = { "Retry-After": String(ctx.lroRetryAfterSeconds) };
  if (kind.toLowerCase() === "managedinstanceazureasyncoperation") {
    return {
      status: 200,
      body: ctx.operations.statusBody(operation),
      headers: operation.status === "InProgress" ? retry : {},
    };
  }
  if (operation.status === "InProgress")
    return {
      status: 202,
      headers: { ...retry, Location: request.baseUrl + request.path + `?api-version=${apiVersion}` },
    };
  if (operation.status === "Failed" && operation.error) throw operation.error;
  const result = operation.result ?? { status: 204 };
  const body =
    typeof result.body === "function" ? (result.body as (v: string) => unknown)(apiVersion) : result.body;
  return { status: body === undefined ? 204 : result.status, body };
}

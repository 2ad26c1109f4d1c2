/**
 * What azure-native would do for the few resources and functions the link uses, played against ARM with
 * API version 2023-08-01: a create GETs first and refuses a resource that already exists ("cannot create
 * already existing resource", as azure-native does), then PUTs and polls; a read is a GET (404 = gone)
 * that carries into the inputs what changed in ARM's answer since the last one (so the next diff sees an
 * out-of-band change); an update is a PUT of the whole body; a delete is a DELETE that tolerates 404.
 * Outputs are the ARM body flattened the way azure-native flattens it (`properties.*` at the top level,
 * plus `azureApiVersion`).
 */
import { isDeepStrictEqual } from "node:util";
import { ArmTarget, armLongRunning, armRequest, ensureSuccess } from "./arm-client";
import { WireMap, WireValue, isSecretValue, secretValue, stripSecrets } from "./wire";

export const AZURE_API_VERSION = "2023-08-01";

interface AzureResourceSpec {
  /** Path below the managed instance, from the inputs. */
  childPath(inputs: WireMap, name: string): string;
  /** Inputs that are part of the resource id: changing one replaces the resource. */
  idInputs: string[];
  /** Inputs sent as `properties`. */
  propertyInputs: string[];
}

const managedInstanceChild =
  (collection: string, nameInput: string) =>
  (inputs: WireMap, name: string): string =>
    `${collection}/${encodeURIComponent(String(inputs[nameInput] ?? name))}`;

const SPECS: Record<string, AzureResourceSpec> = {
  "azure-native:sql:ServerTrustCertificate": {
    childPath: managedInstanceChild("serverTrustCertificates", "certificateName"),
    idInputs: ["resourceGroupName", "managedInstanceName", "certificateName"],
    propertyInputs: ["publicBlob"],
  },
  "azure-native:sql:DistributedAvailabilityGroup": {
    childPath: managedInstanceChild("distributedAvailabilityGroups", "distributedAvailabilityGroupName"),
    idInputs: ["resourceGroupName", "managedInstanceName", "distributedAvailabilityGroupName"],
    propertyInputs: [
      "databases",
      "failoverMode",
      "instanceAvailabilityGroupName",
      "instanceLinkRole",
      "partnerAvailabilityGroupName",
      "partnerEndpoint",
      "replicationMode",
      "seedingMode",
    ],
  },
};

/** The azure-native resource types the rehearsal serves. */
export function isSupportedAzureType(type: string): boolean {
  return type in SPECS;
}

function specOf(type: string): AzureResourceSpec {
  const spec = SPECS[type];
  if (!spec) {
    throw new Error(
      `the rehearsal does not serve ${type}; it serves ${Object.keys(SPECS).join(", ")} and the ` +
        `azure-native:sql:getManagedInstance function`,
    );
  }
  return spec;
}

function managedInstancePath(target: ArmTarget, resourceGroupName: WireValue, name: WireValue): string {
  return (
    `/subscriptions/${encodeURIComponent(target.subscriptionId)}` +
    `/resourceGroups/${encodeURIComponent(String(resourceGroupName))}` +
    `/providers/Microsoft.Sql/managedInstances/${encodeURIComponent(String(name))}`
  );
}

/** The ARM resource id the inputs address. */
export function azureResourceId(target: ArmTarget, type: string, inputs: WireMap, name: string): string {
  const plain = stripSecrets(inputs);
  const mi = managedInstancePath(target, plain.resourceGroupName, plain.managedInstanceName);
  return `${mi}/${specOf(type).childPath(plain, name)}`;
}

const withVersion = (id: string) => `${id}?api-version=${AZURE_API_VERSION}`;

function flatten(body: unknown, inputs: WireMap): WireMap {
  const resource = (body ?? {}) as Record<string, WireValue>;
  const properties = (resource.properties ?? {}) as Record<string, WireValue>;
  const flat: WireMap = { ...inputs, ...properties, azureApiVersion: AZURE_API_VERSION };
  for (const key of ["id", "name", "type"]) if (resource[key] !== undefined) flat[key] = resource[key];
  return flat;
}

function bodyOf(type: string, inputs: WireMap): { properties: WireMap } {
  const plain = stripSecrets(inputs);
  const properties: WireMap = {};
  for (const key of specOf(type).propertyInputs) if (plain[key] !== undefined) properties[key] = plain[key];
  return { properties };
}

/** GET: the outputs, or undefined when ARM answers 404. */
export async function readAzureResource(
  target: ArmTarget,
  type: string,
  id: string,
  inputs: WireMap,
): Promise<WireMap | undefined> {
  const res = await armRequest(target, "GET", withVersion(id));
  if (res.status === 404) return undefined;
  ensureSuccess("GET", id, res);
  return flatten(res.body, inputs);
}

/**
 * The inputs a read records, as azure-native's read records them: the property inputs whose value in ARM's
 * answer changed since the last answer (`oldOutputs`) take the new value; the others are kept as given.
 * ARM's own spelling of a value (a certificate's blob in upper-case hex without 0x) therefore never shows
 * as a change, and an out-of-band change always does. Nested objects keep the fields the inputs gave.
 */
export function refreshedAzureInputs(
  type: string,
  inputs: WireMap,
  oldOutputs: WireMap,
  newOutputs: WireMap,
): WireMap {
  const result = { ...inputs };
  for (const key of specOf(type).propertyInputs) {
    if (!(key in inputs) || newOutputs[key] === undefined) continue;
    const before = shapedAs(inputs[key], oldOutputs[key] ?? null);
    const after = shapedAs(inputs[key], newOutputs[key]);
    // A secret input stays secret with its new value, as the engine keeps an input's secretness.
    if (!isDeepStrictEqual(stripSecrets(before), stripSecrets(after)))
      result[key] = isSecretValue(inputs[key]) ? secretValue(after) : after;
  }
  return result;
}

/** `value` with only the object fields `shape` has, element by element. */
function shapedAs(shape: WireValue, value: WireValue): WireValue {
  if (isSecretValue(shape)) return shapedAs(shape.value, stripSecrets(value));
  if (Array.isArray(shape) && Array.isArray(value)) {
    return value.map((item, index) => shapedAs(shape[index] ?? shape[0] ?? null, item));
  }
  if (isObject(shape) && isObject(value)) {
    return Object.fromEntries(Object.keys(shape).map((key) => [key, value[key] ?? null]));
  }
  return value;
}

function isObject(value: WireValue): value is { [key: string]: WireValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** GET (must be 404), PUT, poll, GET: the created resource's id and outputs. */
export async function createAzureResource(
  target: ArmTarget,
  type: string,
  name: string,
  inputs: WireMap,
): Promise<{ id: string; outputs: WireMap }> {
  const id = azureResourceId(target, type, inputs, name);
  if (await readAzureResource(target, type, id, inputs)) {
    throw new Error(
      `cannot create already existing resource '${id}': delete it, or import it into the stack ` +
        `(pulumi import) before running up again`,
    );
  }
  const outputs = await putAzureResource(target, type, id, inputs);
  return { id, outputs };
}

/** PUT of the whole body, poll, GET: the outputs. */
export async function putAzureResource(
  target: ArmTarget,
  type: string,
  id: string,
  inputs: WireMap,
): Promise<WireMap> {
  await armLongRunning(target, "PUT", withVersion(id), bodyOf(type, inputs));
  const outputs = await readAzureResource(target, type, id, inputs);
  if (!outputs) throw new Error(`PUT ${id} succeeded but the resource cannot be read back`);
  return outputs;
}

/** DELETE and poll; a resource already gone is fine. */
export async function deleteAzureResource(target: ArmTarget, id: string): Promise<void> {
  const res = await armRequest(target, "GET", withVersion(id));
  if (res.status === 404) return;
  await armLongRunning(target, "DELETE", withVersion(id));
}

export type AzurePlan = "same" | "update" | "replace";

/**
 * azure-native's diff: id inputs replace, other inputs update in place, unless the resource's
 * `replaceOnChanges` option names them (or `*`), as the engine applies that option to a provider's diff.
 */
export function diffAzureInputs(
  type: string,
  olds: WireMap,
  news: WireMap,
  replaceOnChanges: readonly string[] = [],
): AzurePlan {
  const spec = specOf(type);
  const changed = new Set(
    [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
      (key) => !isDeepStrictEqual(stripSecrets(olds[key] ?? null), stripSecrets(news[key] ?? null)),
    ),
  );
  if (changed.size === 0) return "same";
  const replacing = [...spec.idInputs, ...replaceOnChanges];
  return replacing.some((key) => key === "*" || changed.has(key)) ? "replace" : "update";
}

/** `azure-native:sql:getManagedInstance`: the managed instance, flattened. */
export async function invokeAzureFunction(
  target: ArmTarget,
  token: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (token !== "azure-native:sql:getManagedInstance") {
    throw new Error(`the rehearsal does not serve the function ${token}`);
  }
  const path = managedInstancePath(
    target,
    args.resourceGroupName as string,
    args.managedInstanceName as string,
  );
  const res = ensureSuccess("GET", path, await armRequest(target, "GET", withVersion(path)));
  return flatten(res.body, {}) as Record<string, unknown>;
}

/**
 * Syntax of the values that name an ARM resource, checked before any request so
 * a bad value never becomes part of a request path. The rules are Azure's.
 */

/** A value that cannot name an Azure resource; `field` is the input at fault. */
export class AzureInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.message = message;
    this.name = "AzureInputError";
  }
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const RESOURCE_GROUP = /^[-\w.()]{1,90}$/u;
const MANAGED_INSTANCE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const LINK_NAME = /^[#a-zA-Z_][\w@#$]*$/;

function requireText(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new AzureInputError(field, `is required and must be a non-empty string.`);
  }
  return value;
}

/** A subscription id: a GUID. */
export function validateSubscriptionId(value: unknown, field = "subscriptionId"): void {
  const text = requireText(field, value);
  if (!GUID.test(text)) {
    throw new AzureInputError(
      field,
      `must be the subscription's GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); see 'az account show --query id'.`,
    );
  }
}

/** A resource group name: 1-90 of letters, digits, `-_.()`, not ending with '.'. */
export function validateResourceGroupName(value: unknown, field = "resourceGroupName"): void {
  const text = requireText(field, value);
  if (!RESOURCE_GROUP.test(text) || text.endsWith(".")) {
    throw new AzureInputError(
      field,
      `must be 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'; pass the resource group of the managed instance.`,
    );
  }
}

/** A managed instance name: 1-63 lowercase letters, digits and inner hyphens. */
export function validateManagedInstanceName(value: unknown, field = "managedInstanceName"): void {
  const text = requireText(field, value);
  if (text.length > 63 || !MANAGED_INSTANCE.test(text)) {
    throw new AzureInputError(
      field,
      `must be the managed instance's name: 1-63 lowercase letters, digits and inner hyphens (not its FQDN).`,
    );
  }
}

/** A link (distributed availability group) name: 1-128 characters, a letter, `_` or `#` first. */
export function validateLinkName(value: unknown, field = "distributedAvailabilityGroupName"): void {
  const text = requireText(field, value);
  if (text.length > 128 || !LINK_NAME.test(text)) {
    throw new AzureInputError(
      field,
      `must be 1-128 characters: a letter, '_' or '#', then letters, digits, '_', '@', '#' or '$'.`,
    );
  }
}

/** The ARM endpoint: an https origin without path, query or credentials. */
export function validateArmEndpoint(value: unknown, field = "armEndpoint"): void {
  const text = requireText(field, value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AzureInputError(field, `must be an https URL such as https://management.azure.com.`);
  }
  if (url.protocol !== "https:") {
    throw new AzureInputError(field, `must use https: Azure SDKs never send a bearer token over http.`);
  }
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== "/" && url.pathname !== "")
  ) {
    throw new AzureInputError(
      field,
      `must be only scheme, host and port (such as https://management.azure.com), without path, query or user.`,
    );
  }
}

/** PEM certificates to trust for the ARM endpoint's TLS (emulators, TLS-inspecting proxies). */
export function validateTlsCaPem(value: unknown, field = "tlsCaPem"): void {
  const text = requireText(field, value);
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text)) {
    throw new AzureInputError(field, `must hold PEM certificates (-----BEGIN CERTIFICATE----- ...).`);
  }
}

/** A deadline in seconds: more than 0, at most a week. */
export function validateTimeoutSeconds(value: unknown, field = "operationTimeoutSeconds"): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 7 * 24 * 3600) {
    throw new AzureInputError(field, `must be a number of seconds greater than 0 (at most a week).`);
  }
}

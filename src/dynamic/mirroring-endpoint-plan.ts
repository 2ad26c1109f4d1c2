/**
 * What the mirroring endpoint provider decides from the catalog, without I/O: whether an existing
 * endpoint already serves the link, what the ALTER that makes it do so keeps, how to put it back,
 * and what SQL Server's catalog will say after a statement (so create needs no read after its
 * last statement: a failure can then only happen before the change, and re-running converges).
 */
import type { MirroringEndpointInfo } from "../sql/catalog/mirroring-endpoint";
import {
  parseEndpointAuthentication,
  parseEndpointEncryption,
  type EndpointAlgorithm,
} from "../sql/catalog/endpoint-settings";
import type { EndpointRestoreSpec } from "../tsql/statements/endpoint-restore";

export const DEFAULT_ENDPOINT_NAME = "database_mirroring_endpoint";
export const DEFAULT_ENDPOINT_PORT = 5022;
export const DEFAULT_ALGORITHMS: readonly EndpointAlgorithm[] = ["AES"];

/** The endpoint as found before the first ALTER, recorded in outputs so delete can restore it. */
export interface EndpointOriginal {
  originalAuthentication: string;
  originalCertificateName: string | null;
  originalAlgorithms: string;
  originalState: string;
  originalRole: string;
}

/** True when the endpoint already authenticates with `certificateName`, encrypts with AES and is started. */
export function servesLink(endpoint: MirroringEndpointInfo, certificateName: string): boolean {
  const auth = endpoint.authentication;
  return (
    auth.certificate &&
    (auth.certificateName ?? "").toLowerCase() === certificateName.toLowerCase() &&
    endpoint.encryption.mode === "REQUIRED" &&
    endpoint.encryption.algorithms.includes("AES") &&
    endpoint.state === "STARTED" &&
    (endpoint.role === "ALL" || endpoint.role === "PARTNER")
  );
}

/** The settings to record before altering an endpoint that was found in place. */
export function originalOf(endpoint: MirroringEndpointInfo): EndpointOriginal {
  return {
    originalAuthentication: endpoint.authentication.description,
    originalCertificateName: endpoint.authentication.certificateName,
    originalAlgorithms: endpoint.encryption.description,
    originalState: endpoint.state,
    originalRole: endpoint.role,
  };
}

/** The ALTER that restores `original` on endpoint `name`. */
export function restoreSpec(name: string, original: EndpointOriginal): EndpointRestoreSpec {
  const auth = parseEndpointAuthentication(original.originalAuthentication);
  const description = original.originalAlgorithms;
  const encryption = parseEndpointEncryption(description.trim().toUpperCase() !== "NONE", description);
  return {
    name,
    state: original.originalState,
    role: original.originalRole,
    windows: auth.windows,
    certificateName: auth.certificate ? original.originalCertificateName : null,
    certificateFirst: auth.certificateFirst,
    encryptionMode: encryption.mode,
    algorithms: encryption.algorithms,
  };
}

/** The algorithms of an adopted endpoint: its own, in its order, then the requested ones it lacks. */
export function mergedAlgorithms(
  existing: readonly string[],
  requested: readonly EndpointAlgorithm[] | undefined,
): EndpointAlgorithm[] {
  const result = existing.filter((a): a is EndpointAlgorithm => a === "AES" || a === "RC4");
  for (const algorithm of requested ?? DEFAULT_ALGORITHMS)
    if (!result.includes(algorithm)) result.push(algorithm);
  if (!result.includes("AES")) result.push("AES");
  return result;
}

/** connection_auth_desc after `AUTHENTICATION = [WINDOWS w] CERTIFICATE [c]`. */
export function expectedConnectionAuth(windows: string | null): string {
  return windows ? `${windows}, CERTIFICATE` : "CERTIFICATE";
}

/** encryption_algorithm_desc after `ENCRYPTION = REQUIRED ALGORITHM a b`. */
export function expectedEncryption(algorithms: readonly string[]): string {
  return [...new Set(algorithms)].join(", ");
}

/**
 * Whether the last read found the endpoint no longer serving the link (stopped, certificate
 * authentication or AES removed): `diff` then asks for an update that repairs it.
 */
export function driftedFromLink(state: {
  state?: string;
  connectionAuth?: string;
  encryptionAlgorithm?: string;
}): boolean {
  if (state.state === undefined) return false;
  const encryption = parseEndpointEncryption(
    (state.encryptionAlgorithm ?? "NONE").trim().toUpperCase() !== "NONE",
    state.encryptionAlgorithm ?? null,
  );
  return (
    state.state !== "STARTED" ||
    !parseEndpointAuthentication(state.connectionAuth ?? null).certificate ||
    encryption.mode !== "REQUIRED" ||
    !encryption.algorithms.includes("AES")
  );
}

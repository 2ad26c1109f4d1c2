/**
 * Putting an adopted mirroring endpoint back the way it was found, so that the link's
 * certificate can be dropped without breaking what used the endpoint before.
 */
import { quoteIdentifier, TsqlInputError, validateIdentifier } from "../quote";

export type RestoreWindowsMethod = "NTLM" | "KERBEROS" | "NEGOTIATE";

export interface EndpointRestoreSpec {
  /** The endpoint's name. */
  name: string;
  /** STARTED, STOPPED or DISABLED, as found. */
  state: string;
  /** ALL, PARTNER or WITNESS, as found. */
  role: string;
  /** Windows authentication as found; null when the endpoint used a certificate only. */
  windows: RestoreWindowsMethod | null;
  /** The certificate it authenticated with, if any (certificate authentication as found). */
  certificateName: string | null;
  /** The certificate came before Windows authentication ("CERTIFICATE, NEGOTIATE"). */
  certificateFirst: boolean;
  /** DISABLED, SUPPORTED or REQUIRED, as found. */
  encryptionMode: string;
  /** The algorithms in their order of preference, as found (empty when disabled). */
  algorithms: readonly string[];
}

const STATES: readonly string[] = ["STARTED", "STOPPED", "DISABLED"];
const ROLES: readonly string[] = ["ALL", "PARTNER", "WITNESS"];
const WINDOWS: readonly string[] = ["NTLM", "KERBEROS", "NEGOTIATE"];
const MODES: readonly string[] = ["DISABLED", "SUPPORTED", "REQUIRED"];
const ALGORITHMS: readonly string[] = ["AES", "RC4"];

function oneOf(value: unknown, allowed: readonly string[], field: string): string {
  if (typeof value !== "string" || !allowed.includes(value)) {
    throw new TsqlInputError(
      field,
      `"${String(value)}" is not one of ${allowed.join(", ")}`,
      `Use one of ${allowed.join(", ")}.`,
    );
  }
  return value;
}

function authenticationClause(spec: EndpointRestoreSpec): string {
  const windows = spec.windows === null ? null : `WINDOWS ${oneOf(spec.windows, WINDOWS, "windows")}`;
  const certificate =
    spec.certificateName === null
      ? null
      : `CERTIFICATE ${quoteIdentifier(validateIdentifier(spec.certificateName, "certificateName"), "certificateName")}`;
  if (windows && certificate)
    return spec.certificateFirst ? `${certificate} ${windows}` : `${windows} ${certificate}`;
  if (windows ?? certificate) return (windows ?? certificate) as string;
  throw new TsqlInputError(
    "windows",
    "and certificateName are both empty",
    "An endpoint authenticates with Windows, a certificate, or both; give at least one.",
  );
}

function encryptionClause(spec: EndpointRestoreSpec): string {
  const mode = oneOf(spec.encryptionMode, MODES, "encryptionMode");
  if (mode === "DISABLED") return "DISABLED";
  const algorithms = spec.algorithms.map((a) => oneOf(a, ALGORITHMS, "algorithms"));
  if (algorithms.length === 0) {
    throw new TsqlInputError(
      "algorithms",
      "is empty",
      `List the algorithms of ${mode} encryption, e.g. ["RC4"].`,
    );
  }
  return `${mode} ALGORITHM ${[...new Set(algorithms)].join(" ")}`;
}

/**
 * `ALTER ENDPOINT [name] STATE = s FOR DATABASE_MIRRORING (ROLE = r, AUTHENTICATION = ..., ENCRYPTION = ...);`
 * restoring the state, role, authentication and encryption an endpoint had before it was adopted.
 * @throws TsqlInputError naming the field for anything that is not a valid endpoint setting
 */
export function buildRestoreEndpointSql(spec: EndpointRestoreSpec): string {
  const name = quoteIdentifier(spec.name, "name");
  return [
    `ALTER ENDPOINT ${name}`,
    `    STATE = ${oneOf(spec.state, STATES, "state")}`,
    "    FOR DATABASE_MIRRORING (",
    `        ROLE = ${oneOf(spec.role, ROLES, "role")},`,
    `        AUTHENTICATION = ${authenticationClause(spec)},`,
    `        ENCRYPTION = ${encryptionClause(spec)}`,
    "    );",
  ].join("\n");
}

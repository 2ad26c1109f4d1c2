import { quoteIdentifier, TsqlInputError, validateCertificateName, validatePort } from "../quote";

/** Encryption algorithms of a mirroring endpoint, in order of preference. */
export type EndpointAlgorithm = "AES" | "RC4";

/** Windows authentication methods a mirroring endpoint can keep next to the certificate. */
export type WindowsAuthMethod = "NTLM" | "KERBEROS" | "NEGOTIATE";

export interface MirroringEndpointSpec {
  /** Endpoint name, e.g. database_mirroring_endpoint. */
  name: string;
  /** Listener port (the default instance conventionally uses 5022). */
  port: number;
  /** The SQL Server endpoint certificate the managed instance trusts. */
  certificateName: string;
  /** Defaults to ["AES"], which the link requires. */
  algorithms?: readonly EndpointAlgorithm[];
}

export interface AlterEndpointForLinkSpec extends Omit<MirroringEndpointSpec, "algorithms"> {
  /** The endpoint's current algorithms in order of preference; NONE entries are dropped. */
  algorithms?: readonly (EndpointAlgorithm | "NONE")[];
  /**
   * The endpoint's current Windows authentication, kept so existing availability groups keep
   * working (`AUTHENTICATION = WINDOWS <method> CERTIFICATE [cert]`). `true` means NEGOTIATE,
   * as Microsoft's runbook suggests; absent or false means certificate only.
   */
  windowsAuth?: boolean | WindowsAuthMethod;
}

const ALGORITHMS: readonly string[] = ["AES", "RC4"];
const WINDOWS_METHODS: readonly string[] = ["NTLM", "KERBEROS", "NEGOTIATE"];

function checkedAlgorithms(algorithms: readonly string[] | undefined, field: string): string[] {
  const list = algorithms ?? ["AES"];
  if (!Array.isArray(list) || list.length === 0) {
    throw new TsqlInputError(field, "is empty", 'List the encryption algorithms, e.g. ["AES"].');
  }
  for (const algorithm of list) {
    if (!ALGORITHMS.includes(algorithm)) {
      throw new TsqlInputError(
        field,
        `"${String(algorithm)}" is not AES or RC4`,
        'Use "AES" and, if needed, "RC4".',
      );
    }
  }
  return [...new Set(list)];
}

function endpointBody(port: number, authentication: string, algorithms: readonly string[]): string {
  return [
    "    STATE = STARTED",
    `    AS TCP (LISTENER_PORT = ${validatePort(port, "port")}, LISTENER_IP = ALL)`,
    "    FOR DATABASE_MIRRORING (",
    "        ROLE = ALL,",
    `        AUTHENTICATION = ${authentication},`,
    `        ENCRYPTION = REQUIRED ALGORITHM ${algorithms.join(" ")}`,
    "    );",
  ].join("\n");
}

function certificateRef(name: string): string {
  return `CERTIFICATE ${quoteIdentifier(validateCertificateName(name, "certificateName"), "certificateName")}`;
}

/**
 * `CREATE ENDPOINT [name] STATE = STARTED AS TCP (...) FOR DATABASE_MIRRORING (ROLE = ALL,
 * AUTHENTICATION = CERTIFICATE [cert], ENCRYPTION = REQUIRED ALGORITHM AES);`
 * @throws TsqlInputError for a bad name, port, certificate name, or algorithms without AES
 */
export function buildCreateMirroringEndpointSql(spec: MirroringEndpointSpec): string {
  const algorithms = checkedAlgorithms(spec.algorithms, "algorithms");
  if (!algorithms.includes("AES")) {
    throw new TsqlInputError(
      "algorithms",
      "do not include AES",
      'The link requires AES; use ["AES"] or ["AES", "RC4"].',
    );
  }
  const name = quoteIdentifier(spec.name, "name");
  return `CREATE ENDPOINT ${name}\n${endpointBody(spec.port, certificateRef(spec.certificateName), algorithms)}`;
}

/**
 * `ALTER ENDPOINT [name] ...` making an existing mirroring endpoint usable by the link: adds
 * certificate authentication while keeping its Windows authentication, and keeps its algorithms
 * (in their order of preference) with AES appended when missing.
 */
export function buildAlterEndpointForLinkSql(spec: AlterEndpointForLinkSpec): string {
  const current = (spec.algorithms ?? []).filter((algorithm) => algorithm !== "NONE");
  const algorithms = checkedAlgorithms(current.length === 0 ? ["AES"] : current, "algorithms");
  if (!algorithms.includes("AES")) algorithms.push("AES");
  let windows = "";
  if (spec.windowsAuth === true) {
    windows = "WINDOWS NEGOTIATE ";
  } else if (typeof spec.windowsAuth === "string") {
    if (!WINDOWS_METHODS.includes(spec.windowsAuth)) {
      throw new TsqlInputError(
        "windowsAuth",
        `"${spec.windowsAuth}" is not a Windows authentication method`,
        'Use "NTLM", "KERBEROS" or "NEGOTIATE".',
      );
    }
    windows = `WINDOWS ${spec.windowsAuth} `;
  }
  const name = quoteIdentifier(spec.name, "name");
  return `ALTER ENDPOINT ${name}\n${endpointBody(spec.port, windows + certificateRef(spec.certificateName), algorithms)}`;
}

/** `DROP ENDPOINT [name];` */
export function buildDropEndpointSql(name: string): string {
  return `DROP ENDPOINT ${quoteIdentifier(name, "name")};`;
}

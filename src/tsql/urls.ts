/**
 * Endpoint and listener URLs used in availability group DDL. They end up inside string literals
 * (already safe), but SQL Server and the managed instance also parse them, so hosts are held to
 * a DNS name, an IPv4 address or a bracketed IPv6 address and nothing else.
 */
import { validateManagedInstanceName } from "./names";
import { TsqlInputError, validateIdentifier, validatePort } from "./quote";

/** The port every managed instance uses for the link; it cannot be changed. */
export const MANAGED_INSTANCE_LINK_PORT = 5022;

const DNS_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const IPV4_OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function isIpv4(host: string): boolean {
  const parts = host.split(".");
  return parts.length === 4 && parts.every((part) => IPV4_OCTET.test(part));
}

/**
 * Why a host is not a DNS name: labels of letters, digits, `-` (not at either end) and `_`
 * (Windows host names may contain it), 1-63 characters each, at most 253 in all; an all-numeric
 * last label is only valid as part of an IPv4 address.
 */
function dnsNameProblem(host: string): string | undefined {
  if (host.length === 0) return "is empty";
  if (host.length > 253) return `is ${host.length} characters long, the limit for a DNS name is 253`;
  const labels = host.split(".");
  const bad = labels.find((label) => !DNS_LABEL.test(label));
  if (bad !== undefined) {
    return bad === "" ? "has an empty label" : `has an invalid label "${bad}"`;
  }
  if (/^\d+$/.test(labels[labels.length - 1])) return "is neither a DNS name nor a valid IPv4 address";
  return undefined;
}

/**
 * Validates a host for an endpoint URL: a DNS name, an IPv4 address, or an IPv6 address in
 * brackets (`[fd00::1]`, no zone index).
 * @returns the host
 * @throws TsqlInputError naming the field
 */
export function validateHost(host: unknown, field = "host"): string {
  if (typeof host !== "string") {
    throw new TsqlInputError(field, `expected a string, got ${typeof host}`, `Pass ${field} as a string.`);
  }
  const fix =
    "Use a DNS name (sqlserver1.contoso.com), an IPv4 address (10.0.0.4) or a bracketed IPv6 address ([fd00::4]).";
  if (host.startsWith("[") && host.endsWith("]")) {
    const { isIPv6 } = require("node:net") as typeof import("node:net");
    if (isIPv6(host.slice(1, -1)) && !host.includes("%")) return host;
    throw new TsqlInputError(field, `"${host}" is not a valid IPv6 address`, fix);
  }
  if (isIpv4(host)) return host;
  const problem = dnsNameProblem(host);
  if (problem) {
    throw new TsqlInputError(field, `"${host}" ${problem}`, fix);
  }
  return host;
}

/**
 * The mirroring endpoint URL of a SQL Server: `TCP://<host>:<port>`.
 * @param host DNS name, IPv4 or bracketed IPv6 address reachable from the managed instance
 * @param port the mirroring endpoint port (1-65535)
 */
export function endpointUrl(host: string, port: number): string {
  return `TCP://${validateHost(host, "host")}:${validatePort(port, "port")}`;
}

/**
 * The managed instance's listener URL for a distributed availability group:
 * `tcp://<fqdn>:5022;Server=[<mi name>]`, with `;Database=[<db>]` appended when the managed
 * instance is the initial primary.
 * @param fqdn the managed instance's fully qualified domain name
 * @param miName the managed instance's short name
 * @param database the database, only when the managed instance is the initial primary
 * @throws TsqlInputError for an invalid FQDN or name, or a database name containing `]` or `;`,
 *   which would end the bracketed value or the URL attribute
 */
export function miListenerUrl(fqdn: string, miName: string, database?: string): string {
  const host = validateHost(fqdn, "miFqdn");
  if (host.startsWith("[") || isIpv4(host)) {
    throw new TsqlInputError(
      "miFqdn",
      `"${host}" is an address, not the managed instance's host name`,
      "Use the managed instance's fully qualified domain name (properties.fullyQualifiedDomainName).",
    );
  }
  const name = validateManagedInstanceName(miName, "miName");
  const base = `tcp://${host}:${MANAGED_INSTANCE_LINK_PORT};Server=[${name}]`;
  if (database === undefined) return base;
  const db = validateIdentifier(database, "database");
  if (/[\];]/.test(db)) {
    throw new TsqlInputError(
      "database",
      `"${db}" contains "]" or ";", which cannot be carried in the listener URL`,
      "Rename the database, or make SQL Server the initial primary.",
    );
  }
  return `${base};Database=[${db}]`;
}

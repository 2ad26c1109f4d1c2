/**
 * Validation and quoting of every value that goes into a host preparation command. Values are
 * validated to their product's rules first and then quoted anyway, so a value that slipped past
 * validation still cannot start another command.
 */

/** A value that cannot be used in a host preparation command; names the input at fault. */
export class HostPrepInputError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
    this.name = "HostPrepInputError";
  }
}

/** The default instance's service name on Windows (and its only name on Linux). */
export const DEFAULT_INSTANCE = "MSSQLSERVER";

/**
 * SQL Server instance name rules: 1-16 characters, a letter, "_" or "&" first, then letters,
 * digits, "_" or "$"; not a reserved word. Kept to what is safe in a service name.
 */
export function validateInstanceName(value: unknown, field = "instanceName"): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new HostPrepInputError(
      field,
      `must be the SQL Server instance name, e.g. "${DEFAULT_INSTANCE}" or "SQL2022"`,
    );
  }
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,15}$/.test(value)) {
    throw new HostPrepInputError(
      field,
      `"${printable(value)}" is not a SQL Server instance name: 1-16 characters, a letter or "_" first, then ` +
        'letters, digits, "_" or "$" (the part after the backslash of HOST\\INSTANCE)',
    );
  }
  if (/^(default|mssqlserver_?)$/i.test(value) && value.toUpperCase() !== DEFAULT_INSTANCE) {
    throw new HostPrepInputError(
      field,
      `"${value}" is reserved; use "${DEFAULT_INSTANCE}" for the default instance`,
    );
  }
  return value;
}

/** A DNS name, IPv4 address or IPv6 address (no brackets, ports, paths or spaces). */
export function validateHostName(value: unknown, field = "host"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 253) {
    throw new HostPrepInputError(field, "must be a host name or IP address of 1-253 characters");
  }
  const label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
  const dns = new RegExp(`^${label}(?:\\.${label})*\\.?$`);
  const ipv4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
  const ipv6 = /^[0-9A-Fa-f:.]+$/;
  const ok = dns.test(value) || ipv4.test(value) || (value.includes(":") && ipv6.test(value));
  if (!ok) {
    throw new HostPrepInputError(
      field,
      `"${printable(value)}" is not a host name or IP address (letters, digits, "-" and "." only; IPv6 without brackets)`,
    );
  }
  return value;
}

/** A TCP port 1-65535. */
export function validatePortNumber(value: unknown, field = "port"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new HostPrepInputError(
      field,
      `must be a whole number from 1 to 65535, not ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A port range { from, to } with from ≤ to. */
export interface PortRange {
  from: number;
  to: number;
}

export function validatePortRange(value: unknown, field = "ports"): PortRange {
  const range = value as Partial<PortRange> | null;
  if (!range || typeof range !== "object") {
    throw new HostPrepInputError(field, "must be a port or a range { from, to }");
  }
  const from = validatePortNumber(range.from, `${field}.from`);
  const to = validatePortNumber(range.to, `${field}.to`);
  if (from > to) throw new HostPrepInputError(field, `starts after it ends (${from} > ${to})`);
  return { from, to };
}

/** A trace flag number 1-32767 (`-T<n>`). */
export function validateTraceFlag(value: unknown, field = "traceFlags"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 32767) {
    throw new HostPrepInputError(field, `must hold trace flag numbers 1-32767, not ${JSON.stringify(value)}`);
  }
  return value;
}

/** A PowerShell single-quoted string: nothing inside is interpreted; `'` (and its look-alikes) doubled. */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

/** A POSIX shell single-quoted string: nothing inside is interpreted; `'` closed, escaped, reopened. */
export function quotePosix(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Control characters shown escaped in messages. */
function printable(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

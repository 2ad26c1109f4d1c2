/**
 * Reading what node-mssql / tedious put on their errors: SQL Server error numbers (also of the
 * errors that preceded the thrown one in the same request), driver codes (ESOCKET, ETIMEOUT,
 * ELOGIN, ...) and the system error codes of socket failures (ECONNREFUSED, ECONNRESET, ...).
 */

/** One SQL Server message as the driver reported it. */
export interface ServerErrorDetail {
  number?: number;
  message: string;
  state?: number;
  severity?: number;
  procName?: string;
  lineNumber?: number;
}

type Bag = Record<string, unknown>;

function asBag(value: unknown): Bag | undefined {
  return typeof value === "object" && value !== null ? (value as Bag) : undefined;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

function messageOf(value: unknown): string {
  const bag = asBag(value);
  if (bag && typeof bag.message === "string") return bag.message;
  return String(value);
}

function detailOf(value: unknown): ServerErrorDetail {
  const bag = asBag(value) ?? {};
  const info = asBag(bag.info) ?? asBag(asBag(bag.originalError)?.info);
  return {
    number: numberOf(bag.number) ?? numberOf(info?.number),
    message: messageOf(value),
    state: numberOf(bag.state) ?? numberOf(info?.state),
    severity: numberOf(bag.class) ?? numberOf(info?.class),
    procName: typeof bag.procName === "string" && bag.procName ? bag.procName : undefined,
    lineNumber: numberOf(bag.lineNumber),
  };
}

/** The server errors of a failed request, in the order SQL Server sent them. */
export function serverErrorsOf(err: unknown): ServerErrorDetail[] {
  const bag = asBag(err);
  const preceding = Array.isArray(bag?.precedingErrors) ? bag.precedingErrors : [];
  const nested = err instanceof AggregateError ? err.errors : [];
  return [...preceding, ...nested, err].map(detailOf);
}

/** The driver's code: ESOCKET, ETIMEOUT, ELOGIN, EREQUEST, ECONNCLOSED, EENCRYPT, ... */
export function driverCodeOf(err: unknown): string | undefined {
  const bag = asBag(err);
  const code = bag?.code ?? asBag(bag?.originalError)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The operating system's code under a socket failure (ECONNREFUSED, ENOTFOUND, ECONNRESET, ...). */
export function systemCodeOf(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const pending: unknown[] = [err];
  while (pending.length > 0) {
    const current = pending.shift();
    const bag = asBag(current);
    if (!bag || seen.has(current)) continue;
    seen.add(current);
    if (typeof bag.code === "string" && SOCKET_CODES.includes(bag.code)) return bag.code;
    const match = typeof bag.message === "string" ? /\b(E[A-Z_]{3,})\b/.exec(bag.message) : null;
    if (match && SOCKET_CODES.includes(match[1])) return match[1];
    // tedious reports "Could not connect (sequence)" with the socket errors in an AggregateError cause.
    if (Array.isArray(bag.errors)) pending.push(...bag.errors);
    pending.push(bag.cause, bag.originalError);
  }
  return undefined;
}

/**
 * Operating-system codes of socket and name-resolution failures. (Arrays, not Sets, at module
 * level: Pulumi's closure serializer copies module values by their own properties.)
 */
export const SOCKET_CODES: readonly string[] = [
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "EPIPE",
];

/** True when the failure happened while opening the connection (not while running a request). */
export function isConnectionFailure(err: unknown): boolean {
  const bag = asBag(err);
  if (bag?.name === "ConnectionError") return true;
  const code = driverCodeOf(err);
  return code === "ELOGIN" || code === "EINSTLOOKUP" || code === "EENCRYPT" || code === "EFEDAUTH";
}

/** True when TLS refused the server's certificate. */
export function isCertificateFailure(err: unknown): boolean {
  const text = messageOf(err) + " " + messageOf(asBag(err)?.cause ?? asBag(asBag(err)?.originalError)?.cause);
  return /certificate|self[- ]signed|unable to verify|Hostname\/IP does not match|CERT_/i.test(text);
}

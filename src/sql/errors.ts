/**
 * Turning driver failures into messages a DBA can act on: what failed, on which object, the SQL
 * Server error number and text, and what to do. No secret may survive into a message.
 */
import {
  driverCodeOf,
  isCertificateFailure,
  isConnectionFailure,
  serverErrorsOf,
  systemCodeOf,
  type ServerErrorDetail,
} from "./driver-errors";
import { GENERIC_FOLLOW_UP_ERRORS, SQL_ERROR_FIXES } from "./error-fixes";
import { scrubSecrets } from "./secrets";
import { NO_TLS_CODE } from "./tls-guard";

export interface SqlErrorContext {
  /** What was being done, as a verb phrase: "create certificate", "read the mirroring endpoint". */
  action: string;
  /** The object acted on, e.g. "[Cert_SQL1_endpoint]". */
  object?: string;
  /** The SQL Server, e.g. "sql1.contoso.com:1433". */
  server?: string;
  /** Secret values to remove from every text (passwords, tokens). */
  secrets?: readonly string[];
}

/** A failed SQL Server operation, described. Carries no secret and no driver object. */
export class SqlServerOperationError extends Error {
  /** The SQL Server error number that explains the failure, when the server sent one. */
  readonly number?: number;
  /** Every SQL Server error number of the request, in order. */
  readonly numbers: readonly number[];
  /** The driver's code (ESOCKET, ETIMEOUT, ELOGIN, EREQUEST, ...). */
  readonly code?: string;
  /** The operating system's code under a socket failure (ECONNREFUSED, ...). */
  readonly systemCode?: string;
  /** The server's (or driver's) message, secrets removed. */
  readonly serverMessage: string;
  /** What to do about it, when known. */
  readonly fix?: string;
  readonly action: string;
  readonly object?: string;

  constructor(fields: {
    message: string;
    number?: number;
    numbers: number[];
    code?: string;
    systemCode?: string;
    serverMessage: string;
    fix?: string;
    action: string;
    object?: string;
  }) {
    super(fields.message);
    // Pulumi's closure serializer turns classes into functions that call Error without `new`,
    // which sets neither message nor stack on `this`: set both explicitly.
    this.message = fields.message;
    if (!this.stack?.includes(fields.message)) Error.captureStackTrace?.(this, SqlServerOperationError);
    this.name = "SqlServerOperationError";
    this.number = fields.number;
    this.numbers = fields.numbers;
    this.code = fields.code;
    this.systemCode = fields.systemCode;
    this.serverMessage = fields.serverMessage;
    this.fix = fields.fix;
    this.action = fields.action;
    this.object = fields.object;
  }
}

/** Login failures arrive from tedious as ELOGIN without a number; the text tells which. */
function inferLoginErrorNumber(detail: ServerErrorDetail, code: string | undefined): number | undefined {
  if (detail.number !== undefined || code !== "ELOGIN") return detail.number;
  if (/Login failed/i.test(detail.message)) return 18456;
  if (/Cannot open database/i.test(detail.message)) return 4060;
  return undefined;
}

function primaryError(details: ServerErrorDetail[]): ServerErrorDetail {
  const withNumber = details.filter(
    (d) => d.number !== undefined && !GENERIC_FOLLOW_UP_ERRORS.includes(d.number),
  );
  return (
    withNumber.find((d) => SQL_ERROR_FIXES[d.number!] !== undefined) ??
    withNumber[0] ??
    details[details.length - 1]
  );
}

function connectionAdvice(
  err: unknown,
  code: string | undefined,
  systemCode: string | undefined,
): string | undefined {
  if (isCertificateFailure(err)) {
    return (
      "The server's TLS certificate is not trusted. Install a certificate on SQL Server that chains to a " +
      "trusted root and matches the host name, or set trustServerCertificate: true (only on a network you trust)."
    );
  }
  if (code === "EENCRYPT") return "The server requires encryption. Set encrypt: true.";
  if (code === NO_TLS_CODE) {
    return (
      "The server did not offer TLS, so the password was not sent. Give SQL Server a certificate (it " +
      "normally always offers TLS; check for a proxy in between), or set encrypt: false on a network you trust."
    );
  }
  switch (systemCode) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "The host name does not resolve. Check `host` and DNS.";
    case "ECONNREFUSED":
      return (
        "Nothing accepts connections at that address. Check `host` and `port`, that SQL Server is running " +
        "and listens on TCP (Configuration Manager → TCP/IP enabled), and that the firewall allows the port."
      );
    case "ECONNRESET":
    case "EPIPE":
      return (
        "The server closed the connection. If it happens at every attempt, the encryption settings may not " +
        "match the server's (check `encrypt` and the server's Force Encryption setting); otherwise the server " +
        "may be restarting: retry."
      );
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "The host cannot be reached. Check `host`, `port`, routing and firewall rules between here and SQL Server.";
  }
  if (code === "ETIMEOUT" && isConnectionFailure(err)) {
    return (
      "SQL Server did not answer within connectTimeoutMs. Check `host`, `port` and the firewall rules, or " +
      "raise connectTimeoutMs."
    );
  }
  if (code === "ETIMEOUT") {
    return "The statement did not finish within requestTimeoutMs. Raise requestTimeoutMs (large backups take long).";
  }
  if (code === "ESOCKET" || code === "ECONNCLOSED") {
    return "The connection to SQL Server was lost. Check the network and the server, then retry.";
  }
  return undefined;
}

/** Describes `err` (anything the driver threw) for `context`; the result never contains a secret. */
export function describeSqlError(err: unknown, context: SqlErrorContext): SqlServerOperationError {
  if (err instanceof SqlServerOperationError) return err;
  const secrets = context.secrets ?? [];
  const code = driverCodeOf(err);
  const systemCode = systemCodeOf(err);
  const details = serverErrorsOf(err).map((d) => ({ ...d, number: inferLoginErrorNumber(d, code) }));
  const primary = primaryError(details);
  const numbers = details.map((d) => d.number).filter((n): n is number => n !== undefined);
  const serverMessage = scrubSecrets(primary.message, secrets);
  const fix =
    primary.number !== undefined
      ? SQL_ERROR_FIXES[primary.number]
      : // Connection advice only for failures SQL Server did not number: a numbered error
        // about a certificate (15299, 15232, ...) is not a TLS problem.
        connectionAdvice(err, code, systemCode);

  const target = [context.object, context.server ? `on ${context.server}` : undefined]
    .filter(Boolean)
    .join(" ");
  const what = `Failed to ${context.action}${target ? ` ${target}` : ""}`;
  const text = serverMessage.replace(/\.\s*$/, "");
  const why =
    primary.number !== undefined
      ? `SQL Server error ${primary.number}: ${text}`
      : `${code ?? systemCode ?? "error"}: ${text}`;
  const others = numbers.filter((n) => n !== primary.number);
  const also = others.length > 0 ? ` (also reported: ${[...new Set(others)].join(", ")})` : "";
  const message = scrubSecrets(`${what}: ${why}${also}.${fix ? ` ${fix}` : ""}`, secrets);

  return new SqlServerOperationError({
    message,
    number: primary.number,
    numbers,
    code,
    systemCode,
    serverMessage,
    fix,
    action: context.action,
    object: context.object,
  });
}

/** The SQL Server error numbers of `err` (also of a described error). */
export function sqlErrorNumbersOf(err: unknown): number[] {
  if (err instanceof SqlServerOperationError) return [...err.numbers];
  return serverErrorsOf(err)
    .map((d) => d.number)
    .filter((n): n is number => n !== undefined);
}

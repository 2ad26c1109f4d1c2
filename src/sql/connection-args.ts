/**
 * How the product reaches a SQL Server: the user-facing connection arguments, their validation
 * (pure, no network) and their translation into a node-mssql configuration.
 *
 * Only types are imported from mssql: this module is captured by the closure serializer of Pulumi
 * dynamic providers, so it must not load the driver (see pool.ts).
 */
import type * as mssql from "mssql";

/** SQL authentication with `user`/`password` of {@link SqlServerConnectionArgs}. */
export interface SqlAuthentication {
  type: "default";
}

/** Windows (domain) authentication over NTLM. */
export interface NtlmAuthentication {
  type: "ntlm";
  domain: string;
  userName: string;
  password: string;
}

/** A Microsoft Entra ID access token obtained by the caller. */
export interface AccessTokenAuthentication {
  type: "azure-active-directory-access-token";
  token: string;
}

export type SqlServerAuthentication = SqlAuthentication | NtlmAuthentication | AccessTokenAuthentication;

export interface SqlServerConnectionArgs {
  /** Host name or IP address; `host\INSTANCE` for a named instance reached through SQL Browser. */
  host: string;
  /** TCP port. Default 1433 (not used with a named instance). */
  port?: number;
  /** SQL login, for the default (SQL) authentication. */
  user?: string;
  /** Password of the SQL login. A secret. */
  password?: string;
  /** Default `{ type: "default" }`: SQL authentication with `user` and `password`. */
  authentication?: SqlServerAuthentication;
  /** Encrypt the connection (TLS). Default true. */
  encrypt?: boolean;
  /** Accept a server certificate that does not chain to a trusted root. Default false. */
  trustServerCertificate?: boolean;
  /** Database the session starts in. Default "master" (where the link's objects live). */
  database?: string;
  /** Time allowed to open a connection, in milliseconds. Default 15 000. */
  connectTimeoutMs?: number;
  /** Time allowed for one statement, in milliseconds. Default 600 000: BACKUP and AG DDL are slow. */
  requestTimeoutMs?: number;
}

export const DEFAULT_PORT = 1433;
export const DEFAULT_DATABASE = "master";
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 600_000;
/**
 * Connections per server and process, in two lanes of one pool each: the server-level objects
 * (master key, certificates, mirroring endpoint) are one short chain the link's Azure steps wait
 * for, while the per-database work is as wide as the number of databases. In their own lane the
 * chain never queues behind a hundred databases' statements; together the lanes stay at 8. The
 * links' certificate check (endpoint and links in one read) ends the up in the server lane too.
 */
export const POOL_LANES = { server: 2, databases: 6 } as const;
export type PoolLane = keyof typeof POOL_LANES;
export const DEFAULT_POOL_MAX = POOL_LANES.server + POOL_LANES.databases;
export const APP_NAME = "pulumi-mi-link";

const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/**
 * The value Pulumi gives a dynamic provider's `check` for an input not known yet (during preview).
 * Such a field cannot be judged; it is checked again once known.
 */
export const PULUMI_UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function isUnknown(value: unknown): boolean {
  return value === PULUMI_UNKNOWN_VALUE;
}

export interface ConnectionArgsFailure {
  /** The argument at fault, e.g. `port` or `authentication.domain`. */
  field: string;
  reason: string;
}

/** The parts of a `host` argument. */
export interface ParsedHost {
  server: string;
  instanceName?: string;
}

/** Splits `host\INSTANCE` into the server and the named instance. */
export function parseHost(host: string): ParsedHost {
  const slash = host.indexOf("\\");
  if (slash < 0) return { server: host };
  return { server: host.slice(0, slash), instanceName: host.slice(slash + 1) };
}

const HOST_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const INSTANCE_NAME = /^[A-Za-z_][A-Za-z0-9_$#]{0,15}$/;

function hostNameProblem(server: string): string | undefined {
  if (server.length === 0) return "is empty";
  const { isIP } = require("node:net") as typeof import("node:net");
  if (isIP(server)) return undefined;
  if (/\s/.test(server)) return "contains white space";
  if (/^[^,]+,\d+$/.test(server)) {
    return "uses the 'host,port' form of connection strings; put the port in `port` instead";
  }
  if (server.includes(":")) return "is neither a host name nor a valid IP address";
  if (server.length > 253) return "is longer than 253 characters";
  const labels = server.replace(/\.$/, "").split(".");
  if (!labels.every((label) => HOST_LABEL.test(label))) {
    return "is not a valid host name (letters, digits, '-' and '.' only, labels of 1-63 characters)";
  }
  return undefined;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

function checkTimeout(value: unknown, field: string, failures: ConnectionArgsFailure[]): void {
  if (value === undefined || isUnknown(value)) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    failures.push({
      field,
      reason: `must be a whole number of milliseconds between 1 and ${MAX_TIMEOUT_MS}`,
    });
  }
}

function checkAuthentication(args: SqlServerConnectionArgs, failures: ConnectionArgsFailure[]): void {
  const auth = args.authentication ?? { type: "default" };
  if (isUnknown(auth) || isUnknown(auth.type)) return;
  switch (auth.type) {
    case "default":
      if (!isNonEmptyString(args.user)) {
        failures.push({ field: "user", reason: "is required for SQL authentication" });
      }
      if (!isNonEmptyString(args.password) && !isUnknown(args.password)) {
        failures.push({ field: "password", reason: "is required for SQL authentication" });
      }
      return;
    case "ntlm":
      for (const key of ["domain", "userName", "password"] as const) {
        if (!isNonEmptyString(auth[key])) {
          failures.push({ field: `authentication.${key}`, reason: "is required for NTLM authentication" });
        }
      }
      break;
    case "azure-active-directory-access-token":
      if (!isNonEmptyString(auth.token)) {
        failures.push({
          field: "authentication.token",
          reason: "is required for access-token authentication",
        });
      }
      break;
    default:
      failures.push({
        field: "authentication.type",
        reason: `must be "default", "ntlm" or "azure-active-directory-access-token"`,
      });
      return;
  }
  for (const key of ["user", "password"] as const) {
    if (args[key] !== undefined) {
      failures.push({
        field: key,
        reason: `is only used by SQL authentication; remove it or set authentication.type to "default"`,
      });
    }
  }
}

/** Every problem of `args` that would stop a connection, without touching the network. */
export function validateConnectionArgs(args: SqlServerConnectionArgs): ConnectionArgsFailure[] {
  const failures: ConnectionArgsFailure[] = [];
  if (typeof args !== "object" || args === null) {
    return [{ field: "connection", reason: "must be an object with at least `host`" }];
  }
  if (isUnknown(args.host)) {
    // Known at deployment time only.
  } else if (typeof args.host !== "string") {
    failures.push({ field: "host", reason: "is required (a host name or IP address)" });
  } else {
    const { server, instanceName } = parseHost(args.host);
    const problem = hostNameProblem(server);
    if (problem) failures.push({ field: "host", reason: `'${server}' ${problem}` });
    if (instanceName !== undefined) {
      if (!INSTANCE_NAME.test(instanceName)) {
        failures.push({ field: "host", reason: `'${instanceName}' is not a valid SQL Server instance name` });
      } else if (args.port !== undefined && !isUnknown(args.port)) {
        failures.push({
          field: "port",
          reason: "cannot be combined with a named instance (host\\INSTANCE); give one or the other",
        });
      }
    }
  }
  if (args.port !== undefined && !isUnknown(args.port)) {
    const port = args.port;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
      failures.push({ field: "port", reason: "must be a whole number between 1 and 65535" });
    }
  }
  for (const key of ["encrypt", "trustServerCertificate"] as const) {
    if (args[key] !== undefined && !isUnknown(args[key]) && typeof args[key] !== "boolean") {
      failures.push({ field: key, reason: "must be true or false" });
    }
  }
  if (
    args.database !== undefined &&
    !isUnknown(args.database) &&
    (!isNonEmptyString(args.database) || args.database.length > 128)
  ) {
    failures.push({ field: "database", reason: "must be a database name of 1 to 128 characters" });
  }
  checkTimeout(args.connectTimeoutMs, "connectTimeoutMs", failures);
  checkTimeout(args.requestTimeoutMs, "requestTimeoutMs", failures);
  checkAuthentication(args, failures);
  return failures;
}

/** The secret values in `args` (passwords, tokens): never to appear in a message or a key. */
export function connectionSecrets(args: SqlServerConnectionArgs): string[] {
  const auth = args.authentication;
  const values = [
    args.password,
    auth?.type === "ntlm" ? auth.password : undefined,
    auth?.type === "azure-active-directory-access-token" ? auth.token : undefined,
  ];
  return values.filter(isNonEmptyString);
}

function tediousAuthentication(args: SqlServerConnectionArgs): NonNullable<mssql.config["authentication"]> {
  const auth = args.authentication ?? { type: "default" };
  switch (auth.type) {
    case "ntlm":
      return {
        type: "ntlm",
        options: { domain: auth.domain, userName: auth.userName, password: auth.password },
      };
    case "azure-active-directory-access-token":
      return { type: "azure-active-directory-access-token", options: { token: auth.token } };
    default:
      return { type: "default", options: { userName: args.user ?? "", password: args.password ?? "" } };
  }
}

/**
 * node-mssql's configuration plus `validateConnection`, which its type definitions lack:
 * "socket" checks a pooled connection's socket instead of sending `SELECT 1` at every acquire.
 */
export type MssqlConfig = mssql.config & { validateConnection?: boolean | "socket" };

/** The node-mssql configuration for `args` (defaults applied), with pools of up to `poolMax` connections. Validate first. */
export function toMssqlConfig(args: SqlServerConnectionArgs, poolMax = DEFAULT_POOL_MAX): MssqlConfig {
  const { server, instanceName } = parseHost(args.host);
  const options: NonNullable<mssql.config["options"]> = {
    encrypt: args.encrypt ?? true,
    trustServerCertificate: args.trustServerCertificate ?? false,
    appName: APP_NAME,
  };
  if (instanceName !== undefined) options.instanceName = instanceName;
  return {
    server,
    port: instanceName === undefined ? (args.port ?? DEFAULT_PORT) : undefined,
    database: args.database ?? DEFAULT_DATABASE,
    connectionTimeout: args.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    requestTimeout: args.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    authentication: tediousAuthentication(args),
    options,
    pool: { min: 0, max: poolMax, idleTimeoutMillis: 30_000 },
    validateConnection: "socket",
  };
}

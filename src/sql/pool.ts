/**
 * One connection pool per SQL Server identity per process, shared by every resource that talks to
 * that server.
 *
 * The driver is `require`d when the first pool opens, so a program that only registers resources never
 * loads it. The registry lives on `globalThis`: every copy of this module loaded in one process (the
 * package installed twice, or its sources and its build in tests) shares the pools.
 */
import type * as mssql from "mssql";
import {
  connectionSecrets,
  DEFAULT_DATABASE,
  DEFAULT_PORT,
  parseHost,
  POOL_LANES,
  toMssqlConfig,
  type PoolLane,
  validateConnectionArgs,
  type SqlServerConnectionArgs,
} from "./connection-args";
import { describeSqlError, SqlServerOperationError } from "./errors";
import { withRetry, type RetryOptions } from "./retry";
import { requireTlsBeforeLogin } from "./tls-guard";

interface PoolEntry {
  pool: Promise<mssql.ConnectionPool>;
  /** "host:port" as shown in messages. */
  server: string;
}

interface PoolRegistry {
  entries: Map<string, PoolEntry>;
  /** What each open pool must hide and how to name its server, for messages of later requests. */
  described: WeakMap<object, { secrets: readonly string[]; server: string }>;
  /** Per-process key of the secret fingerprint in pool keys: the fingerprint cannot be reversed offline. */
  fingerprintKey: Buffer;
}

/** A string key, not a Symbol: Pulumi's closure serializer cannot copy Symbol values. */
const REGISTRY = "__pulumiMiLinkSqlPoolRegistry";

function registry(): PoolRegistry {
  const holder = globalThis as unknown as Record<string, PoolRegistry | undefined>;
  let found = holder[REGISTRY];
  if (!found) {
    const crypto = require("node:crypto") as typeof import("node:crypto");
    found = { entries: new Map(), described: new WeakMap(), fingerprintKey: crypto.randomBytes(32) };
    holder[REGISTRY] = found;
  }
  return found;
}

/** "host:port" (or "host\INSTANCE") for messages. */
export function serverLabel(args: SqlServerConnectionArgs): string {
  const { server, instanceName } = parseHost(args.host);
  return instanceName !== undefined ? `${server}\\${instanceName}` : `${server}:${args.port ?? DEFAULT_PORT}`;
}

/**
 * The identity of a connection: server, database, authentication identity, encryption flags,
 * timeouts and a keyed hash of the secrets. Never contains a secret.
 */
export function poolKey(args: SqlServerConnectionArgs): string {
  const crypto = require("node:crypto") as typeof import("node:crypto");
  const auth = args.authentication ?? { type: "default" as const };
  const identity =
    auth.type === "ntlm"
      ? `${auth.domain}\\${auth.userName}`
      : auth.type === "default"
        ? (args.user ?? "")
        : "";
  const fingerprint = crypto
    .createHmac("sha256", registry().fingerprintKey)
    .update(connectionSecrets(args).join("\u0000"))
    .digest("base64url")
    .slice(0, 22);
  return JSON.stringify([
    args.host.toLowerCase(),
    args.port ?? DEFAULT_PORT,
    args.database ?? DEFAULT_DATABASE,
    auth.type,
    identity,
    args.encrypt ?? true,
    args.trustServerCertificate ?? false,
    args.connectTimeoutMs ?? null,
    args.requestTimeoutMs ?? null,
    fingerprint,
  ]);
}

/** Throws a described error listing every problem of `args`. */
export function assertValidConnectionArgs(args: SqlServerConnectionArgs): void {
  const failures = validateConnectionArgs(args);
  if (failures.length === 0) return;
  const list = failures.map((f) => `${f.field} ${f.reason}`).join("; ");
  throw new SqlServerOperationError({
    message: `Invalid SQL Server connection: ${list}.`,
    numbers: [],
    code: "EARGS",
    serverMessage: list,
    action: "connect to SQL Server",
  });
}

/** The driver's own per-connection hooks, which each of its dialects (tedious, msnodesqlv8) implements. */
interface DriverPoolHooks {
  _poolCreate(): Promise<DriverConnection>;
  _poolDestroy(connection: DriverConnection | undefined): Promise<void>;
  /** True while connect() runs. */
  _connecting: boolean;
  /** The driver's pool of connections; created by connect() once the probe succeeded. */
  pool: unknown;
}

/** A tedious connection as the hooks see it. */
interface DriverConnection {
  closed?: boolean;
  hasError?: boolean;
}

type DriverPool = mssql.ConnectionPool & DriverPoolHooks;

/**
 * A node-mssql pool that logs in once where the driver logs in twice. `connect()` opens a probe
 * connection to check the configuration, closes it, and the first request then opens another:
 * two TCP connections and logins for a pool that needs one. This pool keeps the probe and hands
 * it out as its first connection, through the driver's create/destroy hooks; everything else
 * (validation on acquire, idle timeout, close) stays the driver's.
 */
function newConnectionPool(sql: typeof import("mssql"), config: mssql.config): mssql.ConnectionPool {
  const Base = sql.ConnectionPool as unknown as new (config: mssql.config) => DriverPool;
  class ProbeKeepingPool extends Base {
    private keptProbe: DriverConnection | undefined;

    override _poolDestroy(connection: DriverConnection | undefined): Promise<void> {
      // While connect() runs there is no driver pool yet: the connection it destroys is the probe.
      if (this._connecting && !this.pool && this.keptProbe === undefined && usable(connection)) {
        this.keptProbe = connection;
        return Promise.resolve();
      }
      return super._poolDestroy(connection);
    }

    override _poolCreate(): Promise<DriverConnection> {
      const probe = this.keptProbe;
      this.keptProbe = undefined;
      if (usable(probe)) return Promise.resolve(probe);
      if (probe) void super._poolDestroy(probe).catch(() => undefined);
      return super._poolCreate();
    }

    override close(): Promise<void>;
    override close(callback: (err: unknown) => void): this;
    override close(callback?: (err: unknown) => void): Promise<void> | this {
      // Never handed out (no request was made): the driver's pool does not know it, so close it here.
      const probe = this.keptProbe;
      this.keptProbe = undefined;
      const closing = probe ? super._poolDestroy(probe).catch(() => undefined) : Promise.resolve();
      if (callback) {
        void closing.then(() => super.close(callback));
        return this;
      }
      return closing.then(() => super.close());
    }
  }
  return new ProbeKeepingPool(config);
}

function usable(connection: DriverConnection | undefined): connection is DriverConnection {
  return connection !== undefined && connection !== null && !connection.closed && !connection.hasError;
}

async function openPool(
  args: SqlServerConnectionArgs,
  retry: RetryOptions,
  poolMax?: number,
): Promise<mssql.ConnectionPool> {
  const sql = require("mssql") as typeof import("mssql");
  const secrets = connectionSecrets(args);
  const server = serverLabel(args);
  try {
    return await withRetry(async () => {
      const config = toMssqlConfig(args, poolMax);
      if (config.options?.encrypt === true) config.beforeConnect = requireTlsBeforeLogin;
      const pool = newConnectionPool(sql, config);
      // A pool-level error (a connection dying while idle) must not crash the process;
      // the pool replaces the connection on next use.
      pool.on("error", () => undefined);
      try {
        await pool.connect();
      } catch (error) {
        await pool.close().catch(() => undefined);
        throw error;
      }
      registry().described.set(pool, { secrets, server });
      return pool;
    }, retry);
  } catch (error) {
    throw describeSqlError(error, { action: "connect to SQL Server", server, secrets });
  }
}

export interface PoolOptions {
  /** Retries of the connection attempt. Default: 4 attempts within 60 s. */
  retry?: RetryOptions;
  /** Which lane's pool (`POOL_LANES`): "server" for server-level objects. Default "databases". */
  lane?: PoolLane;
}

/** The shared pool for `args` in its lane, connected (retrying transient failures). */
export async function getPool(
  args: SqlServerConnectionArgs,
  options: PoolOptions = {},
): Promise<mssql.ConnectionPool> {
  assertValidConnectionArgs(args);
  const lane = options.lane ?? "databases";
  const key = `${poolKey(args)}#${lane}`;
  const { entries } = registry();
  const existing = entries.get(key);
  if (existing) {
    const pool = await existing.pool;
    if (pool.connected) return pool;
    if (entries.get(key) === existing) entries.delete(key);
  }
  const entry: PoolEntry = {
    pool: openPool(args, options.retry ?? {}, POOL_LANES[lane]),
    server: serverLabel(args),
  };
  entries.set(key, entry);
  entry.pool.catch(() => {
    if (entries.get(key) === entry) entries.delete(key);
  });
  return entry.pool;
}

/** Runs `fn` with the shared pool for `args`. The pool stays open for later callers. */
export async function withConnection<T>(
  args: SqlServerConnectionArgs,
  fn: (pool: mssql.ConnectionPool) => Promise<T>,
  options: PoolOptions = {},
): Promise<T> {
  return fn(await getPool(args, options));
}

/**
 * Runs `fn` with the shared pool of the "server" lane: for the server-level objects (master key,
 * certificates, mirroring endpoint), whose requests then never wait behind the databases' work.
 */
export async function withServerConnection<T>(
  args: SqlServerConnectionArgs,
  fn: (pool: mssql.ConnectionPool) => Promise<T>,
  options: Omit<PoolOptions, "lane"> = {},
): Promise<T> {
  return withConnection(args, fn, { ...options, lane: "server" });
}

/**
 * Runs `fn` with a pool of its own, closed afterwards. For a short program (a read-only lookup
 * in the user's Pulumi program) that must not leave sockets open: they would keep Node.js running.
 */
export async function withOneShotConnection<T>(
  args: SqlServerConnectionArgs,
  fn: (pool: mssql.ConnectionPool) => Promise<T>,
  options: PoolOptions = {},
): Promise<T> {
  assertValidConnectionArgs(args);
  const pool = await openPool(args, options.retry ?? {});
  try {
    return await fn(pool);
  } finally {
    await pool.close().catch(() => undefined);
  }
}

/** Secrets and server label registered for a pool opened here (for error messages). */
export function describedPool(pool: object): { secrets: readonly string[]; server: string } | undefined {
  return registry().described.get(pool);
}

/** Closes the pools of `args` (every lane), if open. */
export async function closePool(args: SqlServerConnectionArgs): Promise<void> {
  const identity = poolKey(args);
  const { entries } = registry();
  await Promise.all(
    Object.keys(POOL_LANES).map(async (lane) => {
      const key = `${identity}#${lane}`;
      const entry = entries.get(key);
      if (!entry) return;
      entries.delete(key);
      const pool = await entry.pool.catch(() => undefined);
      await pool?.close().catch(() => undefined);
    }),
  );
}

/**
 * Closes every pool of this process. Call at the end of a program that used the layer directly:
 * open connections keep Node.js running.
 */
export async function closeAllPools(): Promise<void> {
  const { entries } = registry();
  const all = [...entries.values()];
  entries.clear();
  await Promise.all(
    all.map(async (entry) => {
      const pool = await entry.pool.catch(() => undefined);
      await pool?.close().catch(() => undefined);
    }),
  );
}

/** How many pools are open (for tests and diagnostics). */
export function openPoolCount(): number {
  return registry().entries.size;
}

/** The keys of the open pools (for diagnostics: they contain no secret). */
export function openPoolKeys(): string[] {
  return [...registry().entries.keys()];
}

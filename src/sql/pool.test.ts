import * as net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../testing/sqlserver";
import { DEFAULT_POOL_MAX, POOL_LANES, type SqlServerConnectionArgs } from "./connection-args";
import { SqlServerOperationError } from "./errors";
import { runQuery } from "./execute";
import {
  closeAllPools,
  closePool,
  getPool,
  openPoolCount,
  poolKey,
  withConnection,
  withOneShotConnection,
  withServerConnection,
} from "./pool";

const base: SqlServerConnectionArgs = { host: "sql1.contoso.com", user: "sa", password: "Pa55-word-secret" };

async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

afterEach(closeAllPools);

describe("poolKey", () => {
  it("is the same for the same identity and never contains a secret", () => {
    expect(poolKey({ ...base })).toBe(poolKey({ ...base, host: "SQL1.contoso.com" }));
    const tokenArgs: SqlServerConnectionArgs = {
      host: "h",
      authentication: { type: "azure-active-directory-access-token", token: "eyJ-token-value" },
    };
    const ntlmArgs: SqlServerConnectionArgs = {
      host: "h",
      authentication: { type: "ntlm", domain: "CONTOSO", userName: "dba", password: "ntlm-pass-value" },
    };
    expect(poolKey(base)).not.toContain("Pa55-word-secret");
    expect(poolKey(tokenArgs)).not.toContain("eyJ-token-value");
    expect(poolKey(ntlmArgs)).not.toContain("ntlm-pass-value");
    expect(poolKey(ntlmArgs)).toContain("CONTOSO\\\\dba");
  });

  it("separates connections that differ in secret, identity, port, database or encryption", () => {
    const keys = [
      base,
      { ...base, password: "other" },
      { ...base, user: "dba" },
      { ...base, port: 14330 },
      { ...base, database: "msdb" },
      { ...base, encrypt: false },
      { ...base, trustServerCertificate: true },
    ].map(poolKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("withConnection", () => {
  it("refuses invalid arguments before touching the network, naming every field", async () => {
    const error = await withConnection({ host: "bad host", port: 0 }, async () => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlServerOperationError);
    expect((error as Error).message).toMatch(/host .*port .*user .*password/);
    expect(openPoolCount()).toBe(0);
  });

  it("describes an unreachable server without its password and keeps no broken pool", async () => {
    const port = await refusedPort();
    let attempts = 0;
    const error = await withConnection(
      { ...base, host: "127.0.0.1", port, connectTimeoutMs: 2_000 },
      async () => "unreachable",
      { retry: { attempts: 2, sleep: async () => undefined, onRetry: () => attempts++ } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlServerOperationError);
    const described = error as SqlServerOperationError;
    expect(described.systemCode).toBe("ECONNREFUSED");
    expect(described.message).toContain(`127.0.0.1:${port}`);
    expect(JSON.stringify({ ...described, message: described.message })).not.toContain("Pa55-word-secret");
    expect(attempts).toBe(1);
    expect(openPoolCount()).toBe(0);
  });
});

describe("connections per pool", () => {
  let emulator: SqlServerEmulator;
  let args: SqlServerConnectionArgs;

  beforeAll(async () => {
    emulator = new SqlServerEmulator();
    await emulator.start();
    const info = emulator.connectionInfo();
    args = {
      host: info.host,
      port: info.port,
      user: info.user,
      password: info.password,
      trustServerCertificate: true,
    };
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
  });

  const openConnections = () => emulator.tds.openConnectionCount();

  it("logs in once for a pool's first request: the connection that checked the login serves it", async () => {
    emulator.tds.resetCounters();
    await withConnection(args, (pool) => runQuery(pool, "SELECT 1 AS one"));
    await withConnection(args, (pool) => runQuery(pool, "SELECT 2 AS two"));
    expect(emulator.tds.counters()).toMatchObject({ connections: 1, logins: 1 });
    expect(openConnections()).toBe(1);
    await closePool(args);
    await expect.poll(openConnections, { timeout: 5_000 }).toBe(0);
  });

  it("opens more connections only for requests that run at the same time", async () => {
    emulator.tds.resetCounters();
    await withConnection(args, (pool) =>
      Promise.all([runQuery(pool, "SELECT 1 AS a"), runQuery(pool, "SELECT 2 AS b")]),
    );
    expect(emulator.tds.counters().connections).toBe(2);
    await closeAllPools();
    await expect.poll(openConnections, { timeout: 5_000 }).toBe(0);
  });

  it("server-level requests have their own lane: served while every connection of the databases' lane is busy, both within 8", async () => {
    emulator.tds.resetCounters();
    let finished = 0;
    const busy = Array.from({ length: DEFAULT_POOL_MAX + 1 }, (_, i) =>
      withConnection(args, (pool) => runQuery(pool, `WAITFOR DELAY '00:00:02'; SELECT ${i} AS n`)).then(
        () => finished++,
      ),
    );
    await expect.poll(openConnections, { timeout: 5_000 }).toBe(POOL_LANES.databases);
    const [row] = await withServerConnection(args, (pool) => runQuery(pool, "SELECT 1 AS server_level"));
    expect(row).toEqual({ server_level: 1 });
    // No database request had its connection back yet: the server-level one did not wait for them.
    expect(finished).toBe(0);
    await Promise.all(busy);
    expect(emulator.tds.counters().connections).toBe(POOL_LANES.databases + 1);
    expect(POOL_LANES.databases + POOL_LANES.server).toBe(DEFAULT_POOL_MAX);
    await closePool(args);
    await expect.poll(openConnections, { timeout: 5_000 }).toBe(0);
  });

  it("closes the checked connection of a pool that never ran a request", async () => {
    emulator.tds.resetCounters();
    await getPool(args);
    expect(openConnections()).toBe(1);
    await closeAllPools();
    await expect.poll(openConnections, { timeout: 5_000 }).toBe(0);
    expect(emulator.tds.counters().connections).toBe(1);
  });

  it("replaces a checked connection that died before its first request", async () => {
    emulator.tds.resetCounters();
    const pool = await getPool(args);
    emulator.tds.dropAllConnections();
    await expect.poll(openConnections, { timeout: 5_000 }).toBe(0);
    const rows = await runQuery(pool, "SELECT 3 AS three");
    expect(rows).toEqual([{ three: 3 }]);
    expect(emulator.tds.counters().connections).toBe(2);
  });

  it("a one-shot connection logs in once and leaves nothing open", async () => {
    emulator.tds.resetCounters();
    await withOneShotConnection(args, (pool) => runQuery(pool, "SELECT 1 AS one"));
    expect(emulator.tds.counters()).toMatchObject({ connections: 1, logins: 1 });
    await expect.poll(openConnections, { timeout: 5_000 }).toBe(0);
    expect(openPoolCount()).toBe(0);
  });
});

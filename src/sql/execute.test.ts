/**
 * The I/O layer against a real TDS endpoint (the emulator's TDS front end) driven by a small
 * engine defined here: what reaches the server (batch or RPC, parameter types), what comes back
 * (rows, info messages, errors), pooling and login failures, through the real mssql driver.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TdsServer } from "../testing/sqlserver/tds-server";
import type { EngineEvent, RpcParam, Session, SqlEngine } from "../testing/sqlserver/types";
import { readCertificate } from "./catalog/certificate";
import { readMirroringEndpoint } from "./catalog/mirroring-endpoint";
import type { SqlServerConnectionArgs } from "./connection-args";
import { SqlServerOperationError } from "./errors";
import { runQuery, runQueryResultSets, runStatement } from "./execute";
import { closeAllPools, openPoolCount, withConnection, withOneShotConnection } from "./pool";
import { CERTIFICATE_QUERY } from "../tsql/queries/certificate";
import { MIRRORING_ENDPOINT_QUERY } from "../tsql/queries/mirroring-endpoint";

const PASSWORD = "Engine-Secret-Pw1";

interface Received {
  kind: "batch" | "rpc";
  sql: string;
  params: RpcParam[];
}

/** Answers a few known texts; records everything. */
class RecordingEngine implements SqlEngine {
  readonly received: Received[] = [];
  readonly answers = new Map<string, (params: RpcParam[]) => EngineEvent[]>();
  private nextId = 51;

  identity() {
    return { serverName: "SQL1", productVersion: "16.0.4125.3", collation: "SQL_Latin1_General_CP1_CI_AS" };
  }
  authenticate(user: string, password: string) {
    return { ok: user === "sa" && password === PASSWORD, database: "master" };
  }
  openSession(login: string, database: string): Session {
    return { id: this.nextId++, login, database, tranCount: 0, cancelled: false };
  }
  closeSession(): void {}
  async executeBatch(_session: Session, sql: string): Promise<EngineEvent[]> {
    if (/^SET /i.test(sql.trim())) return [{ kind: "done" }];
    this.received.push({ kind: "batch", sql, params: [] });
    return this.answer(sql, []);
  }
  async executeRpc(_session: Session, procName: string, params: RpcParam[]): Promise<EngineEvent[]> {
    const sql = String(params[0]?.value ?? procName);
    this.received.push({ kind: "rpc", sql, params: params.slice(2) });
    return [...this.answer(sql, params.slice(2)), { kind: "returnStatus", value: 0 }];
  }
  private answer(sql: string, params: RpcParam[]): EngineEvent[] {
    const script = this.answers.get(sql);
    return script ? script(params) : [{ kind: "done" }];
  }
}

const engine = new RecordingEngine();
const server = new TdsServer({ engine });
let args: SqlServerConnectionArgs;

beforeAll(async () => {
  const { host, port } = await server.start();
  args = {
    host,
    port,
    user: "sa",
    password: PASSWORD,
    trustServerCertificate: true,
    connectTimeoutMs: 5_000,
  };
});
afterEach(() => {
  engine.received.length = 0;
  engine.answers.clear();
});
afterAll(async () => {
  await closeAllPools();
  await server.stop();
});

describe("runStatement", () => {
  it("sends a statement without parameters as a plain batch and collects informational messages", async () => {
    const backup = "BACKUP DATABASE [db1] TO DISK = N'nul'";
    engine.answers.set(backup, () => [
      { kind: "info", message: { number: 4035, state: 1, severity: 0, message: "Processed 10 pages." } },
      {
        kind: "info",
        message: { number: 3014, state: 1, severity: 0, message: "BACKUP DATABASE successfully processed." },
      },
      { kind: "done" },
    ]);
    const result = await withConnection(args, (pool) => runStatement(pool, backup));
    expect(engine.received).toEqual([{ kind: "batch", sql: backup, params: [] }]);
    expect(result.messages.map((m) => m.number)).toEqual([4035, 3014]);
  });

  it("describes the failure by its most precise error and never shows the connection's password", async () => {
    const text = "BACKUP DATABASE [db1] TO DISK = N'x'";
    engine.answers.set(text, () => [
      {
        kind: "error",
        message: {
          number: 3021,
          state: 1,
          severity: 16,
          message: `Cannot perform a backup or restore operation within a transaction (${PASSWORD}).`,
        },
      },
      {
        kind: "error",
        message: {
          number: 3013,
          state: 1,
          severity: 16,
          message: "BACKUP DATABASE is terminating abnormally.",
        },
      },
      { kind: "done", error: true },
    ]);
    const error = await withConnection(args, (pool) =>
      runStatement(pool, text, undefined, { action: "back up database", object: "[db1]" }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlServerOperationError);
    const described = error as SqlServerOperationError;
    expect(described.number).toBe(3021);
    expect(described.numbers).toEqual([3021, 3013]);
    expect(described.message).toContain("Failed to back up database [db1] on 127.0.0.1:");
    expect(described.message).not.toContain(PASSWORD);
  });
});

describe("runQuery", () => {
  it("sends typed parameters through sp_executesql and returns every result set", async () => {
    const text = "SELECT @name AS a; SELECT @n AS b";
    engine.answers.set(text, (params) => [
      {
        kind: "rows",
        resultSet: {
          columns: [{ name: "a", type: { kind: "nvarchar", length: 128 } }],
          rows: [[params[0].value]],
        },
      },
      { kind: "done", rowCount: 1 },
      {
        kind: "rows",
        resultSet: { columns: [{ name: "b", type: { kind: "int" } }], rows: [[params[1].value]] },
      },
      { kind: "done", rowCount: 1 },
    ]);
    const sets = await withConnection(args, (pool) =>
      runQueryResultSets(pool, text, { name: "AG_Sales'Db", n: 42, flag: true, blob: Buffer.from([1, 2]) }),
    );
    expect(sets).toEqual([[{ a: "AG_Sales'Db" }], [{ b: 42 }]]);
    const [request] = engine.received;
    expect(request.kind).toBe("rpc");
    expect(request.params.map((p) => [p.name, p.type.kind])).toEqual([
      ["@name", "nvarchar"],
      ["@n", "int"],
      ["@flag", "bit"],
      ["@blob", "varbinary"],
    ]);
    expect(request.params[3].value).toEqual(Buffer.from([1, 2]));
  });

  it("reuses one pool for every caller with the same connection", async () => {
    await withConnection(args, (pool) => runQuery(pool, "SELECT 1"));
    await withConnection({ ...args }, (pool) => runQuery(pool, "SELECT 1"));
    expect(openPoolCount()).toBe(1);
  });
});

describe("broken connections", () => {
  it("retries a read whose connection dropped, on a fresh connection", async () => {
    const text = "SELECT @database AS d";
    engine.answers.set(text, (params) => [
      {
        kind: "rows",
        resultSet: {
          columns: [{ name: "d", type: { kind: "nvarchar", length: 128 } }],
          rows: [[params[0].value]],
        },
      },
      { kind: "done", rowCount: 1 },
    ]);
    server.addFault({ on: { match: /SELECT @database/ }, action: "drop" });
    const rows = await withConnection(args, (pool) =>
      runQuery(pool, text, { database: "SalesDb" }, { retry: { initialDelayMs: 1 } }),
    );
    expect(rows).toEqual([{ d: "SalesDb" }]);
    expect(server.requestLog().filter((r) => r.text === text)).toHaveLength(2);
    expect(engine.received.filter((r) => r.sql === text)).toHaveLength(1);
  });

  it("never repeats a statement whose connection dropped: it may have run", async () => {
    const text = "ALTER DATABASE [db1] SET RECOVERY FULL";
    server.addFault({ on: { match: /ALTER DATABASE/ }, action: "drop" });
    const error = await withConnection(args, (pool) =>
      runStatement(pool, text, undefined, { action: "set the recovery model of", object: "[db1]" }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlServerOperationError);
    expect((error as Error).message).toContain("Failed to set the recovery model of [db1]");
    expect(server.requestLog().filter((r) => r.text === text)).toHaveLength(1);
  });

  it("recovers after the server dropped every pooled connection", async () => {
    await withConnection(args, (pool) => runQuery(pool, "SELECT 1"));
    server.dropAllConnections();
    await expect(withConnection(args, (pool) => runQuery(pool, "SELECT 2"))).resolves.toEqual([]);
  });
});

describe("withOneShotConnection", () => {
  it("closes its connections when done, leaving the shared pools alone", async () => {
    await closeAllPools();
    await expect.poll(() => server.openConnectionCount(), { timeout: 2_000 }).toBe(0);
    const answer = await withOneShotConnection(args, async (pool) => {
      await runQuery(pool, "SELECT 1");
      return server.openConnectionCount();
    });
    expect(answer).toBeGreaterThan(0);
    await expect.poll(() => server.openConnectionCount(), { timeout: 2_000 }).toBe(0);
    expect(openPoolCount()).toBe(0);
  });
});

describe("catalog readers over the wire", () => {
  it("read a certificate's binary columns as 0x hex", async () => {
    const der = Buffer.from("3082010a0282010100c0ffee", "hex");
    engine.answers.set(CERTIFICATE_QUERY, (params) => [
      {
        kind: "rows",
        resultSet: {
          columns: [
            { name: "name", type: { kind: "nvarchar", length: 128 } },
            { name: "certificate_id", type: { kind: "int" } },
            { name: "thumbprint", type: { kind: "varbinary", length: 32 } },
            { name: "pvt_key_encryption_type", type: { kind: "nvarchar", length: 2 } },
            { name: "expiry_date", type: { kind: "datetime" } },
            { name: "public_key", type: { kind: "varbinary", length: "max" } },
          ],
          rows: [
            [params[0].value, 256, Buffer.from("a1b2", "hex"), "MK", new Date("2030-01-01T00:00:00Z"), der],
          ],
        },
      },
      { kind: "done", rowCount: 1 },
    ]);
    const cert = await withConnection(args, (pool) => readCertificate(pool, "Cert_SQL1_endpoint"));
    expect(cert).toMatchObject({
      name: "Cert_SQL1_endpoint",
      certificateId: 256,
      thumbprint: "0xA1B2",
      privateKeyEncryption: "MK",
      publicKey: "0x3082010A0282010100C0FFEE",
    });
    expect(cert?.expiryDate?.toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect(await withConnection(args, (pool) => readCertificate(pool, "missing").then(() => "asked"))).toBe(
      "asked",
    );
  });

  it("parse the mirroring endpoint's authentication and encryption", async () => {
    engine.answers.set(MIRRORING_ENDPOINT_QUERY, () => [
      {
        kind: "rows",
        resultSet: {
          columns: [
            { name: "name", type: { kind: "nvarchar", length: 128 } },
            { name: "endpoint_id", type: { kind: "int" } },
            { name: "state_desc", type: { kind: "nvarchar", length: 60 } },
            { name: "role_desc", type: { kind: "nvarchar", length: 60 } },
            { name: "connection_auth_desc", type: { kind: "nvarchar", length: 60 } },
            { name: "certificate_id", type: { kind: "int" } },
            { name: "certificate_name", type: { kind: "nvarchar", length: 128 } },
            { name: "is_encryption_enabled", type: { kind: "bit" } },
            { name: "encryption_algorithm_desc", type: { kind: "nvarchar", length: 60 } },
            { name: "port", type: { kind: "int" } },
          ],
          rows: [
            [
              "Hadr_endpoint",
              65536,
              "STARTED",
              "ALL",
              "NEGOTIATE, CERTIFICATE",
              256,
              "Cert_SQL1",
              true,
              "AES",
              5022,
            ],
          ],
        },
      },
      { kind: "done", rowCount: 1 },
    ]);
    const endpoint = await withConnection(args, readMirroringEndpoint);
    expect(endpoint).toMatchObject({
      name: "Hadr_endpoint",
      state: "STARTED",
      port: 5022,
      authentication: {
        windows: "NEGOTIATE",
        certificate: true,
        certificateFirst: false,
        certificateName: "Cert_SQL1",
      },
      encryption: { mode: "REQUIRED", algorithms: ["AES"] },
    });
  });
});

describe("connecting", () => {
  it("reports a failed login as error 18456 without the password tried", async () => {
    const wrong = "Wrong-Password-123";
    const error = await withConnection({ ...args, password: wrong }, async () => "connected").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SqlServerOperationError);
    const described = error as SqlServerOperationError;
    expect(described.number).toBe(18456);
    expect(described.message).toContain("Login failed");
    expect(described.message).not.toContain(wrong);
  });
});

import sql from "mssql";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TdsServer } from "./tds-server";
import { connectPool } from "./tds/test-clients";
import { ScriptedEngine } from "./tds/test-engine";

const one = [
  {
    kind: "rows" as const,
    resultSet: { columns: [{ name: "one", type: { kind: "int" as const } }], rows: [[1]] },
  },
  { kind: "done" as const, rowCount: 1 },
];

describe("TdsServer", () => {
  let engine: ScriptedEngine;
  let server: TdsServer;
  let port: number;
  const pools: sql.ConnectionPool[] = [];
  const pool = async (options: Parameters<typeof connectPool>[1] = {}) => {
    const p = await connectPool(port, options);
    pools.push(p);
    return p;
  };

  beforeEach(async () => {
    engine = new ScriptedEngine();
    engine.scripts.set("SELECT 1", () => one);
    server = new TdsServer({ engine });
    ({ port } = await server.start());
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close().catch(() => undefined)));
    await server.stop();
  });

  it("counts exactly: tedious's post-login SET batch is request 1, each query one more", async () => {
    const tedious = await import("tedious");
    const connection = new tedious.Connection({
      server: "127.0.0.1",
      authentication: { type: "default", options: { userName: "sa", password: "Str0ng!Passw0rd" } },
      options: { port, encrypt: false },
    });
    await new Promise<void>((resolve, reject) => connection.connect((e) => (e ? reject(e) : resolve())));
    const run = (request: (done: (e?: Error | null) => void) => void) =>
      new Promise<void>((resolve, reject) => request((e) => (e ? reject(e) : resolve())));
    await run((done) => connection.execSqlBatch(new tedious.Request("SELECT 1", done)));
    await run((done) => {
      const request = new tedious.Request("SELECT 1", done);
      request.addParameter("p", tedious.TYPES.Int, 5);
      connection.execSql(request);
    });
    await run((done) => connection.callProcedure(new tedious.Request("dbo.missing", () => done())));
    connection.close();

    expect(server.counters()).toEqual({
      connections: 1,
      logins: 1,
      failedLogins: 0,
      requests: 4,
      batches: 2,
      rpcs: 2,
      attentions: 0,
    });
    const log = server.requestLog();
    expect(log[0]).toMatchObject({ n: 1, kind: "batch", login: "sa" });
    expect(log[0].text).toMatch(/^set ansi_nulls on/);
    expect(log.slice(1).map(({ n, kind, text, login }) => ({ n, kind, text, login }))).toEqual([
      { n: 2, kind: "batch", text: "SELECT 1", login: "sa" },
      { n: 3, kind: "rpc", text: "SELECT 1", login: "sa" },
      { n: 4, kind: "rpc", text: "dbo.missing", login: "sa" },
    ]);
    expect(log.every((entry) => entry.at instanceof Date)).toBe(true);

    server.resetCounters();
    expect(server.counters().requests).toBe(0);
    expect(server.requestLog()).toEqual([]);
  });

  it("numbers requests globally across connections and counts failed logins", async () => {
    const a = await pool();
    const b = await pool();
    await a.request().query("SELECT 1");
    await b.request().query("SELECT 1");
    await expect(connectPool(port, { password: "bad" })).rejects.toMatchObject({ code: "ELOGIN" });
    const counters = server.counters();
    // mssql may open and discard a connection while it connects a pool: every one is counted.
    expect(counters.connections).toBe(counters.logins + counters.failedLogins);
    expect(counters.logins).toBeGreaterThanOrEqual(2);
    expect(counters.failedLogins).toBe(1);
    expect(server.requestLog().map((entry) => entry.n)).toEqual(
      Array.from({ length: counters.requests }, (_, i) => i + 1),
    );
  });

  it("fault 'error' at request N answers an ERROR without running it, once", async () => {
    const p = await pool();
    await p.request().query("SELECT 1"); // mssql opens its pooled connection on first use
    const next = server.counters().requests + 1;
    server.addFault({
      on: { requestNumber: next },
      action: "error",
      error: { number: 1205, message: "Deadlock victim" },
    });
    const before = engine.rpcs.length;
    await expect(p.request().query("SELECT 1")).rejects.toMatchObject({
      number: 1205,
      class: 16,
      message: "Deadlock victim",
    });
    expect(engine.rpcs.length).toBe(before); // the engine never saw it
    expect((await p.request().query("SELECT 1")).recordset).toEqual([{ one: 1 }]);
  });

  it("fault 'error' by match applies `times` times, with a default severity-16 error", async () => {
    const p = await pool();
    server.addFault({ on: { match: /^SELECT 1$/ }, action: "error", times: 2 });
    for (let i = 0; i < 2; i++) {
      await expect(p.request().query("SELECT 1")).rejects.toMatchObject({ number: 50000, class: 16 });
    }
    expect((await p.request().query("SELECT 1")).recordset).toEqual([{ one: 1 }]);
  });

  it("fault 'drop' closes the socket unanswered; clearFaults removes rules", async () => {
    const p = await pool();
    server.addFault({ on: { match: /DROP ME/ }, action: "drop", times: 5 });
    const error = await p
      .request()
      .query("DROP ME")
      .then(
        () => undefined,
        (e: { code?: string }) => e,
      );
    expect(error?.code).toMatch(/ESOCKET|ECONNCLOSED|ECONNRESET/);
    server.clearFaults();
    const fresh = await pool();
    engine.scripts.set("DROP ME", () => one);
    expect((await fresh.request().query("DROP ME")).recordset).toEqual([{ one: 1 }]);
  });

  it("latency delays every answer", async () => {
    const p = await pool();
    server.setLatencyMs(120);
    const started = Date.now();
    await p.request().query("SELECT 1");
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    server.setLatencyMs(0);
    const again = Date.now();
    await p.request().query("SELECT 1");
    expect(Date.now() - again).toBeLessThan(100);
  });

  it("a cancel that arrives while latency holds the request back: ECANCEL, and the engine never runs it", async () => {
    const p = await pool();
    await p.request().query("SELECT 1");
    server.setLatencyMs(300);
    const before = engine.rpcs.length;
    const request = p.request();
    const pending = request.query("SELECT 1");
    setTimeout(() => request.cancel(), 50);
    await expect(pending).rejects.toMatchObject({ code: "ECANCEL" });
    expect(engine.rpcs.length).toBe(before);
    expect(server.counters().attentions).toBe(1);
    server.setLatencyMs(0);
    expect((await p.request().query("SELECT 1")).recordset).toEqual([{ one: 1 }]);
  });

  it("dropAllConnections kills open sessions; the server keeps accepting", async () => {
    const p = await pool();
    const sessionsBefore = engine.closed.length;
    expect(server.openConnectionCount()).toBe(1);
    const connectionsBefore = server.counters().connections;
    server.dropAllConnections();
    expect(server.openConnectionCount()).toBe(0);
    expect(engine.closed.length).toBe(sessionsBefore + 1);
    // mssql notices the dead connection and reconnects.
    expect((await p.request().query("SELECT 1")).recordset).toEqual([{ one: 1 }]);
    expect(server.counters().connections).toBe(connectionsBefore + 1);
  });

  it("stop() closes connections and the listener", async () => {
    await pool();
    await server.stop();
    expect(server.openConnectionCount()).toBe(0);
    await expect(connectPool(port)).rejects.toBeTruthy();
  });
});

/**
 * A full emulator with a master key in master and a connection `p` to it; `certificateNames()` reads
 * sys.certificates from the model, not over the wire.
 */
async function withFullEmulator(
  work: (bed: {
    emulator: import("./index").SqlServerEmulator;
    p: sql.ConnectionPool;
    info: ReturnType<import("./index").SqlServerEmulator["connectionInfo"]>;
    certificateNames: () => unknown[];
  }) => Promise<void>,
): Promise<void> {
  const { SqlServerEmulator } = await import("./index");
  const emulator = new SqlServerEmulator();
  await emulator.start();
  const info = emulator.connectionInfo();
  const p = await connectPool(info.port, { user: info.user, password: info.password });
  const certificateNames = () => {
    const context = { login: "sa", database: "master", inTransaction: false, info: () => undefined };
    const table = emulator.model.catalogTable("sys.certificates", context);
    const nameColumn = table!.columns.findIndex((c) => c.name === "name");
    return table!.rows.map((row) => row[nameColumn]);
  };
  try {
    await p.request().batch("CREATE MASTER KEY ENCRYPTION BY PASSWORD = 'Mk-Secret!4f9a2c'");
    await work({ emulator, p, info, certificateNames });
  } finally {
    await p.close().catch(() => undefined);
    await emulator.stop();
  }
}

describe("TdsServer fault 'run-then-drop' on the full emulator", () => {
  it("runs the statement, then closes the socket: the catalog has the object, the client a lost connection", async () => {
    await withFullEmulator(async ({ emulator, p, info, certificateNames }) => {
      emulator.tds.addFault({ on: { match: /CREATE CERTIFICATE/ }, action: "run-then-drop" });
      const error = await p
        .request()
        .batch("CREATE CERTIFICATE [Lost_reply] WITH SUBJECT = 'lost', EXPIRY_DATE = '20990101'")
        .then(
          () => undefined,
          (e: { code?: string; number?: number }) => e,
        );
      expect(error?.code).toMatch(/ESOCKET|ECONNCLOSED|ECONNRESET/);
      // No SQL Server error number: the client cannot tell whether the statement ran.
      expect(typeof error?.number).not.toBe("number");
      expect(certificateNames()).toContain("Lost_reply");
      // The rule applied once: the same statement now gets its answer (here: already exists).
      const again = await connectPool(info.port, { user: info.user, password: info.password });
      await expect(
        again
          .request()
          .batch("CREATE CERTIFICATE [Lost_reply] WITH SUBJECT = 'lost', EXPIRY_DATE = '20990101'"),
      ).rejects.toMatchObject({ number: 15232 });
      await again.close();
    });
  });
});

describe("TdsServer fault 'run-then-error' on the full emulator", () => {
  it("runs the request, then answers with the error: the catalog has the object, the client an SQL error", async () => {
    await withFullEmulator(async ({ emulator, p, certificateNames }) => {
      emulator.tds.addFault({
        on: { match: /CREATE CERTIFICATE/ },
        action: "run-then-error",
        error: { number: 208, message: "Invalid object name 'sys.no_such_view'." },
      });
      await expect(
        p
          .request()
          .batch(
            "CREATE CERTIFICATE [Ran_then_failed] WITH SUBJECT = 'x', EXPIRY_DATE = '20990101'; SELECT 1 AS a",
          ),
      ).rejects.toMatchObject({ number: 208 });
      expect(certificateNames()).toContain("Ran_then_failed");
      // The connection stays usable.
      await expect(p.request().batch("SELECT 1 AS a")).resolves.toMatchObject({ recordset: [{ a: 1 }] });
    });
  });
});

import sql from "mssql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TdsServer } from "../tds-server";
import type { EngineEvent } from "../types";
import { connectPool, connectTedious } from "./test-clients";
import { ScriptedEngine } from "./test-engine";

const intRows = (name: string, ...values: number[]): EngineEvent => ({
  kind: "rows",
  resultSet: { columns: [{ name, type: { kind: "int" } }], rows: values.map((v) => [v]) },
});

describe("requests through mssql", () => {
  const engine = new ScriptedEngine();
  const server = new TdsServer({ engine });
  let port = 0;
  let pool: sql.ConnectionPool;
  beforeAll(async () => {
    ({ port } = await server.start());
    pool = await connectPool(port, { max: 1 });
  });
  afterAll(async () => {
    await pool.close();
    await server.stop();
  });

  it("request.batch sends a SQL batch; several statements give several result sets and row counts", async () => {
    engine.scripts.set("MULTI", () => [
      intRows("a", 1, 2),
      { kind: "done", rowCount: 2 },
      { kind: "done", rowCount: 5 }, // an UPDATE
      intRows("b", 3),
      { kind: "done", rowCount: 1 },
    ]);
    const result = await pool.request().batch("MULTI");
    expect(engine.batches.at(-1)).toBe("MULTI");
    expect(engine.rpcs.some((rpc) => rpc.params[0]?.value === "MULTI")).toBe(false);
    expect(result.recordsets).toEqual([[{ a: 1 }, { a: 2 }], [{ b: 3 }]]);
    expect(result.rowsAffected).toEqual([2, 5, 1]);
  });

  it("request.execute calls a procedure by name and returns its result and return status", async () => {
    engine.procedures.set("dbo.report", (_session, params) => [
      intRows("echo", Number(params[0]?.value)),
      { kind: "done", rowCount: 1 },
      { kind: "returnStatus", value: 3 },
    ]);
    const result = await pool.request().input("x", sql.Int, 41).execute("dbo.report");
    expect(engine.rpcs.at(-1)?.procName).toBe("dbo.report");
    expect(result.recordset).toEqual([{ echo: 41 }]);
    expect(result.returnValue).toBe(3);
  });

  it("INFO messages arrive as info events, in order, without failing the request", async () => {
    engine.scripts.set("PRINT", () => [
      { kind: "info", message: { number: 0, state: 1, severity: 0, message: "first" } },
      { kind: "info", message: { number: 50000, state: 1, severity: 10, message: "second" } },
      { kind: "done" },
    ]);
    const request = pool.request();
    const infos: { number: number; message: string }[] = [];
    request.on("info", (info: { number: number; message: string }) => infos.push(info));
    await request.batch("PRINT");
    expect(infos.map((i) => [i.number, i.message])).toEqual([
      [0, "first"],
      [50000, "second"],
    ]);
  });

  it("an ERROR rejects the request with number, class, state and the procedure/line", async () => {
    engine.scripts.set("FAIL", () => [
      {
        kind: "error",
        message: {
          number: 41145,
          state: 2,
          severity: 16,
          message: "Cannot join database to the availability group.",
          lineNumber: 7,
        },
      },
      { kind: "done", error: true },
    ]);
    const error = await pool
      .request()
      .query("FAIL")
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(sql.RequestError);
    expect(error).toMatchObject({
      number: 41145,
      class: 16,
      state: 2,
      lineNumber: 7,
      serverName: "SQL1",
      message: "Cannot join database to the availability group.",
    });
    // The connection is still good.
    engine.scripts.set("SELECT 1", () => [intRows("one", 1), { kind: "done", rowCount: 1 }]);
    expect((await pool.request().query("SELECT 1")).recordset).toEqual([{ one: 1 }]);
  });

  it("a USE changes the database the client sees (ENVCHANGE)", async () => {
    engine.scripts.set("USE appdb", (session) => {
      const oldValue = session.database;
      session.database = "appdb";
      return [{ kind: "database", oldValue, newValue: "appdb" }, { kind: "done" }];
    });
    const connection = await connectTedious(port);
    const changed = new Promise<string>((resolve) => connection.on("databaseChange", resolve));
    const { Request } = await import("tedious");
    await new Promise<void>((resolve, reject) =>
      connection.execSqlBatch(new Request("USE appdb", (error) => (error ? reject(error) : resolve()))),
    );
    expect(await changed).toBe("appdb");
    connection.close();
  });

  it("a batch larger than one packet arrives whole (multi-packet request)", async () => {
    const text = `SELECT '${"ç".repeat(30_000)}'`; // ~60 KB of UCS-2
    await pool.request().batch(text);
    expect(engine.batches.at(-1)).toBe(text);
  });

  it("a large result spans many packets and decodes completely", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [i, `row ${i} ${"x".repeat(i % 200)}`]);
    engine.scripts.set("BIG", () => [
      {
        kind: "rows",
        resultSet: {
          columns: [
            { name: "n", type: { kind: "int" } },
            { name: "text", type: { kind: "nvarchar", length: 400 } },
          ],
          rows,
        },
      },
      { kind: "done", rowCount: rows.length },
    ]);
    const result = await pool.request().query("BIG");
    expect(result.recordset.length).toBe(3000);
    expect(result.recordset[2999]).toEqual({ n: 2999, text: rows[2999][1] });
    expect(result.rowsAffected).toEqual([3000]);
  });

  it("cancel() on a slow request → ECANCEL, and the same connection then answers normally", async () => {
    const request = pool.request();
    engine.onSlowStart = () => request.cancel();
    const pending = request.batch("WAITFOR DELAY");
    const started = Date.now();
    await expect(pending).rejects.toMatchObject({ code: "ECANCEL" });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.counters().attentions).toBe(1);
    const logins = server.counters().logins;
    engine.scripts.set("SELECT 1", () => [intRows("one", 1), { kind: "done", rowCount: 1 }]);
    expect((await pool.request().query("SELECT 1")).recordset).toEqual([{ one: 1 }]);
    expect(server.counters().logins).toBe(logins); // no reconnect: the pool has one connection
  });

  it("a request cancelled while still being sent (IGNORE bit) is answered but never run", async () => {
    const { Request } = await import("tedious");
    const connection = await connectTedious(port);
    const batchesBefore = engine.batches.length;
    const requestsBefore = server.counters().requests;
    const text = `SELECT '${"q".repeat(200_000)}'`;
    const error = await new Promise<Error | null | undefined>((resolve) => {
      const request = new Request(text, (e) => resolve(e));
      connection.execSqlBatch(request);
      request.cancel();
    });
    expect(error).toMatchObject({ code: "ECANCEL" });
    expect(engine.batches.length).toBe(batchesBefore);
    expect(server.counters().requests).toBe(requestsBefore);
    const rows = await new Promise<number | undefined>((resolve, reject) => {
      engine.scripts.set("SELECT 1", () => [intRows("one", 1), { kind: "done", rowCount: 1 }]);
      connection.execSqlBatch(new Request("SELECT 1", (e, rowCount) => (e ? reject(e) : resolve(rowCount))));
    });
    expect(rows).toBe(1);
    connection.close();
  });
});

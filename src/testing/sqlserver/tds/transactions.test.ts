import sql from "mssql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TdsServer } from "../tds-server";
import { connectPool } from "./test-clients";
import { ScriptedEngine } from "./test-engine";

describe("transactions through mssql", () => {
  const engine = new ScriptedEngine();
  const server = new TdsServer({ engine });
  let pool: sql.ConnectionPool;
  beforeAll(async () => {
    const { port } = await server.start();
    engine.scripts.set("XACT ABORT", (session) => {
      session.tranCount = 0;
      return [
        {
          kind: "error",
          message: { number: 3930, state: 1, severity: 16, message: "The transaction was aborted." },
        },
        { kind: "done", error: true },
      ];
    });
    pool = await connectPool(port, { max: 1 });
    await pool.request().batch("SELECT 1"); // open the pooled connection (and its SET batch) up front
  });
  afterAll(async () => {
    await pool.close();
    await server.stop();
  });

  it("begin/commit travel as transaction manager requests and reach the engine as T-SQL", async () => {
    server.resetCounters();
    const tx = new sql.Transaction(pool);
    await tx.begin();
    await tx.request().batch("UPDATE something");
    await tx.commit();
    expect(server.requestLog().map((e) => [e.kind, e.text])).toEqual([
      ["batch", "BEGIN TRANSACTION"],
      ["batch", "UPDATE something"],
      ["batch", "COMMIT TRANSACTION"],
    ]);
  });

  it("rollback works and the connection is reusable", async () => {
    const tx = new sql.Transaction(pool);
    await tx.begin();
    await tx.rollback();
    expect(engine.batches.at(-1)).toBe("ROLLBACK TRANSACTION");
    await pool.request().batch("SELECT 1");
  });

  it("a transaction the server rolls back is reported to mssql as aborted", async () => {
    const tx = new sql.Transaction(pool);
    await tx.begin();
    const rolledBack = new Promise<boolean>((resolve) => tx.on("rollback", resolve));
    await expect(tx.request().batch("XACT ABORT")).rejects.toMatchObject({ number: 3930 });
    expect(await rolledBack).toBe(true);
  });
});

import sql from "mssql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TdsServer } from "../tds-server";
import { ScriptedEngine } from "./test-engine";

describe("smoke", () => {
  const engine = new ScriptedEngine();
  const server = new TdsServer({ engine });
  let port = 0;
  beforeAll(async () => {
    ({ port } = await server.start());
  });
  afterAll(() => server.stop());

  for (const encrypt of [false, true]) {
    it(`connects encrypt=${encrypt}`, async () => {
      engine.scripts.set("SELECT 1", () => [
        { kind: "rows", resultSet: { columns: [{ name: "one", type: { kind: "int" } }], rows: [[1]] } },
        { kind: "done", rowCount: 1 },
      ]);
      const pool = new sql.ConnectionPool({
        server: "127.0.0.1",
        port,
        user: "sa",
        password: "Str0ng!Passw0rd",
        options: { encrypt, trustServerCertificate: true },
      });
      await pool.connect();
      const result = await pool.request().query("SELECT 1");
      expect(result.recordset).toEqual([{ one: 1 }]);
      await pool.close();
    });
  }
});

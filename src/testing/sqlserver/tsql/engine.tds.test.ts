import sql from "mssql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInstanceModel, type SqlServerInstance } from "../model";
import { TdsServer } from "../tds-server";
import { createSqlEngine } from "./engine";

/** The engine behind the real TDS front end, driven by the real mssql/tedious driver. */
describe("engine over TDS with mssql", () => {
  let model: SqlServerInstance;
  let server: TdsServer;
  let pool: sql.ConnectionPool;

  beforeAll(async () => {
    model = createInstanceModel({
      serverName: "SQL1",
      logins: [{ name: "sa", password: "Passw0rd!", sysadmin: true }],
      databases: [{ name: "SalesDb" }],
    });
    server = new TdsServer({ engine: createSqlEngine(model) });
    const { host, port } = await server.start();
    pool = await new sql.ConnectionPool({
      server: host,
      port,
      user: "sa",
      password: "Passw0rd!",
      database: "master",
      pool: { max: 1 },
      options: { encrypt: false, trustServerCertificate: true },
    }).connect();
  });
  afterAll(async () => {
    await pool?.close();
    await server?.stop();
    model?.dispose();
  });

  it("returns recordsets, rowsAffected and PRINT messages of a batch", async () => {
    const request = pool.request();
    const printed: string[] = [];
    request.on("info", (info: { message: string }) => printed.push(info.message));
    const result = await request.batch(
      "SELECT name FROM sys.databases WHERE name = 'SalesDb'\nPRINT 'between'\nSELECT name FROM sys.databases WHERE name LIKE '%db' ORDER BY name",
    );
    const sets = result.recordsets as Array<sql.IRecordSet<Record<string, unknown>>>;
    expect(sets).toHaveLength(2);
    expect(sets[0]).toEqual([{ name: "SalesDb" }]);
    expect(sets[1]).toEqual([{ name: "msdb" }, { name: "SalesDb" }, { name: "tempdb" }]);
    expect(result.rowsAffected).toEqual([1, 3]);
    expect(printed).toEqual(["between"]);
  });

  it("runs parameterized queries sent as sp_executesql", async () => {
    const result = await pool
      .request()
      .input("db", sql.NVarChar(128), "SalesDb")
      .input("minimum", sql.Int, 1)
      .query("SELECT name, database_id FROM sys.databases WHERE name = @db AND database_id >= @minimum");
    expect(result.recordset).toEqual([{ name: "SalesDb", database_id: model.databaseId("SalesDb") }]);
  });

  it("rejects with the SQL Server error number and class", async () => {
    await expect(pool.request().batch("SELECT * FROM sys.nope")).rejects.toMatchObject({
      number: 208,
      class: 16,
    });
    await expect(pool.request().query("SELEC 1")).rejects.toMatchObject({ number: 102, class: 15 });
    await expect(pool.request().execute("sp_no_such_procedure")).rejects.toMatchObject({ number: 2812 });
  });

  it("cancels a long WAITFOR on request.cancel(), and the connection stays usable", async () => {
    const started = Date.now();
    const request = pool.request();
    const pending = request.batch("WAITFOR DELAY '00:00:20'\nSELECT 1 AS never");
    setTimeout(() => request.cancel(), 100);
    await expect(pending).rejects.toMatchObject({ code: "ECANCEL" });
    expect(Date.now() - started).toBeLessThan(5000);
    const after = await pool.request().query("SELECT 2 AS n");
    expect(after.recordset).toEqual([{ n: 2 }]);
  });

  it("keeps the session's database after USE", async () => {
    await pool.request().batch("USE SalesDb");
    const result = await pool.request().query("SELECT DB_NAME() AS db");
    expect(result.recordset).toEqual([{ db: "SalesDb" }]);
    await pool.request().batch("USE master");
  });

  it("delivers catalog rows of every column type the driver decodes", async () => {
    await pool.request().batch("CREATE MASTER KEY ENCRYPTION BY PASSWORD = 'Str0ng!Key'");
    await pool
      .request()
      .batch(
        `CREATE CERTIFICATE [c1] WITH SUBJECT = 'c1 subject', EXPIRY_DATE = '${new Date().getUTCFullYear() + 1}1231'`,
      );
    const result = await pool
      .request()
      .query(
        "SELECT name, certificate_id, expiry_date, thumbprint, CERTENCODED(certificate_id) AS der FROM sys.certificates WHERE name = 'c1'",
      );
    const [row] = result.recordset;
    expect(row.name).toBe("c1");
    expect(row.certificate_id).toBe(model.certificateId("c1"));
    expect(row.expiry_date).toBeInstanceOf(Date);
    expect(Buffer.isBuffer(row.thumbprint)).toBe(true);
    expect(row.der).toEqual(model.certificateEncoded(row.certificate_id));
  });
});

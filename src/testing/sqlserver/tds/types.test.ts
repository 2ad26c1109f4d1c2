import sql from "mssql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TdsServer } from "../tds-server";
import type { ColumnDef, SqlValue } from "../types";
import { connectPool } from "./test-clients";
import { ScriptedEngine } from "./test-engine";

const LONG_TEXT = "Ünïcödé ".repeat(700); // 5600 characters: nvarchar(max) territory
const BLOB = Buffer.from(Array.from({ length: 20_000 }, (_, i) => i % 251));

const columns: ColumnDef[] = [
  { name: "tiny", type: { kind: "tinyint" } },
  { name: "small", type: { kind: "smallint" } },
  { name: "i", type: { kind: "int" } },
  { name: "big", type: { kind: "bigint" } },
  { name: "flag", type: { kind: "bit" } },
  { name: "name", type: { kind: "nvarchar", length: 128 } },
  { name: "long", type: { kind: "nvarchar", length: "max" } },
  { name: "bin", type: { kind: "varbinary", length: 16 } },
  { name: "blob", type: { kind: "varbinary", length: "max" } },
  { name: "at", type: { kind: "datetime" } },
  { name: "id", type: { kind: "uniqueidentifier" } },
  { name: "lsn", type: { kind: "numeric", precision: 25, scale: 0 } },
  { name: "amount", type: { kind: "numeric", precision: 10, scale: 2 } },
  { name: "v_text", type: { kind: "sql_variant" } },
  { name: "v_int", type: { kind: "sql_variant" } },
];

const values: SqlValue[] = [
  255,
  -32768,
  -2147483648,
  9007199254740993n,
  true,
  "héllo wörld",
  LONG_TEXT,
  Buffer.from("c0ffee", "hex"),
  BLOB,
  new Date("2024-02-29T23:59:58.990Z"),
  "6F9619FF-8B86-D011-B42D-00C04FC964FF",
  "1000000000000000000000",
  "-12345678.91",
  "16.0.4125.3",
  1433,
];

describe("result sets decode in mssql to the right JS values", () => {
  const engine = new ScriptedEngine();
  const server = new TdsServer({ engine });
  let pool: sql.ConnectionPool;
  beforeAll(async () => {
    const { port } = await server.start();
    engine.scripts.set("SELECT everything", () => [
      { kind: "rows", resultSet: { columns, rows: [values, columns.map(() => null)] } },
      { kind: "done", rowCount: 2 },
    ]);
    pool = await connectPool(port);
  });
  afterAll(async () => {
    await pool.close();
    await server.stop();
  });

  it("every SqlType, with values and with NULLs", async () => {
    const result = await pool.request().query("SELECT everything");
    const [row, nulls] = result.recordset;
    expect(row).toEqual({
      tiny: 255,
      small: -32768,
      i: -2147483648,
      big: "9007199254740993", // tedious returns BIGINT as a string
      flag: true,
      name: "héllo wörld",
      long: LONG_TEXT,
      bin: Buffer.from("c0ffee", "hex"),
      blob: BLOB,
      at: new Date("2024-02-29T23:59:58.990Z"),
      id: "6F9619FF-8B86-D011-B42D-00C04FC964FF",
      lsn: 1e21,
      amount: -12345678.91,
      v_text: "16.0.4125.3",
      v_int: 1433,
    });
    expect(Object.values(nulls).every((value) => value === null)).toBe(true);
    expect(result.rowsAffected).toEqual([2]);
  });

  it("column metadata reaches the client: names, types, nullability", async () => {
    const result = await pool.request().query("SELECT everything");
    const meta = result.recordset.columns;
    expect(meta.long.type).toBe(sql.NVarChar);
    expect(meta.name.length).toBe(256); // mssql reports nvarchar lengths in bytes, as from SQL Server
    expect(meta.lsn.type).toBe(sql.Numeric);
    expect(meta.lsn.precision).toBe(25);
    expect(meta.lsn.scale).toBe(0);
    expect(meta.at.type).toBe(sql.DateTime);
    expect(meta.id.type).toBe(sql.UniqueIdentifier);
    expect(meta.v_int.type).toBe(sql.Variant);
    expect(meta.i.nullable).toBe(true);
  });
});

describe("RPC parameters arrive decoded with their types", () => {
  const engine = new ScriptedEngine();
  const server = new TdsServer({ engine });
  let pool: sql.ConnectionPool;
  beforeAll(async () => {
    const { port } = await server.start();
    pool = await connectPool(port);
  });
  afterAll(async () => {
    await pool.close();
    await server.stop();
  });

  const lastParams = () => {
    const rpc = engine.rpcs.at(-1);
    if (!rpc) throw new Error("no RPC received");
    return Object.fromEntries(rpc.params.map((p) => [p.name, p]));
  };

  it("explicitly typed parameters", async () => {
    const longText = "x".repeat(4001) + "ü";
    const blob = Buffer.alloc(9000, 7);
    await pool
      .request()
      .input("s", sql.NVarChar(50), "héllo")
      .input("m", sql.NVarChar(sql.MAX), longText)
      .input("e", sql.NVarChar(sql.MAX), "")
      .input("i", sql.Int, -42)
      .input("b", sql.BigInt, 2 ** 40)
      .input("f", sql.Bit, true)
      .input("vb", sql.VarBinary(sql.MAX), blob)
      .input("n", sql.NVarChar(10), null)
      .input("d", sql.Decimal(25, 0), 123456789)
      .input("c", sql.VarChar(20), "plain")
      .input("g", sql.UniqueIdentifier, "6F9619FF-8B86-D011-B42D-00C04FC964FF")
      .input("t", sql.DateTime2, new Date("2024-05-06T07:08:09.123Z"))
      .query("SELECT @s");
    const rpc = engine.rpcs.at(-1)!;
    expect(rpc.procName).toBe("sp_executesql");
    expect(rpc.params[0]).toMatchObject({ value: "SELECT @s", type: { kind: "nvarchar" } });
    const p = lastParams();
    expect(p["@s"]).toEqual({
      name: "@s",
      type: { kind: "nvarchar", length: 50 },
      value: "héllo",
      output: false,
    });
    expect(p["@m"]).toMatchObject({ type: { kind: "nvarchar", length: "max" }, value: longText });
    expect(p["@e"]).toMatchObject({ type: { kind: "nvarchar", length: "max" }, value: "" });
    expect(p["@i"]).toMatchObject({ type: { kind: "int" }, value: -42 });
    expect(p["@b"]).toMatchObject({ type: { kind: "bigint" }, value: 2 ** 40 });
    expect(p["@f"]).toMatchObject({ type: { kind: "bit" }, value: true });
    expect(p["@vb"]).toMatchObject({ type: { kind: "varbinary", length: "max" }, value: blob });
    expect(p["@n"]).toMatchObject({ type: { kind: "nvarchar", length: 10 }, value: null });
    expect(p["@d"]).toMatchObject({ type: { kind: "numeric", precision: 25, scale: 0 }, value: "123456789" });
    expect(p["@c"]).toMatchObject({ type: { kind: "nvarchar" }, value: "plain" });
    expect(p["@g"]).toMatchObject({
      type: { kind: "uniqueidentifier" },
      value: "6F9619FF-8B86-D011-B42D-00C04FC964FF",
    });
    expect(p["@t"]).toMatchObject({
      type: { kind: "datetime" },
      value: new Date("2024-05-06T07:08:09.123Z"),
    });
  });

  it("parameters typed from JS values (mssql's inference)", async () => {
    await pool
      .request()
      .input("text", "abc")
      .input("count", 7)
      .input("huge", 2 ** 33)
      .input("yes", false)
      .input("bytes", Buffer.from([1, 2, 3]))
      .input("when", new Date("2023-01-02T03:04:05.000Z"))
      .input("ratio", 0.25)
      .query("SELECT 1");
    const p = lastParams();
    expect(p["@text"]).toMatchObject({ type: { kind: "nvarchar" }, value: "abc" });
    expect(p["@count"]).toMatchObject({ type: { kind: "int" }, value: 7 });
    expect(p["@huge"]).toMatchObject({ type: { kind: "bigint" }, value: 2 ** 33 });
    expect(p["@yes"]).toMatchObject({ type: { kind: "bit" }, value: false });
    expect(p["@bytes"]).toMatchObject({ type: { kind: "varbinary" }, value: Buffer.from([1, 2, 3]) });
    expect(p["@when"]).toMatchObject({
      type: { kind: "datetime" },
      value: new Date("2023-01-02T03:04:05.000Z"),
    });
    expect(p["@ratio"]).toMatchObject({ value: 0.25 });
  });

  it("output parameters are flagged", async () => {
    engine.procedures.set("dbo.get_value", () => [{ kind: "returnStatus", value: 0 }]);
    await pool.request().input("in", sql.Int, 1).output("out", sql.Int).execute("dbo.get_value");
    const p = lastParams();
    expect(p["@in"].output).toBe(false);
    expect(p["@out"]).toMatchObject({ output: true, value: null, type: { kind: "int" } });
  });
});

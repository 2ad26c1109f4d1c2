/**
 * The DROP step of delete against the SQL Server emulator: an object already gone (15151) is
 * success; any other failure still surfaces, described.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeAllPools,
  runStatement,
  SqlServerOperationError,
  withConnection,
  type SqlServerConnectionArgs,
} from "../../sql";
import { SqlServerEmulator } from "../../testing/sqlserver";
import { buildDropAgSql, buildDropCertificateSql } from "../../tsql";
import { dropUnlessGone } from "./drop";

const emulator = new SqlServerEmulator();
let args: SqlServerConnectionArgs;

beforeAll(async () => {
  await emulator.start();
  args = emulator.connectionArgs();
});

afterAll(async () => {
  await closeAllPools();
  await emulator.stop();
});

describe("dropUnlessGone", () => {
  it("drops the object", async () => {
    await withConnection(args, async (pool) => {
      await pool.request().batch("CREATE MASTER KEY ENCRYPTION BY PASSWORD = 'Mk-Secret!4f9a2c'");
      await pool.request().batch("CREATE CERTIFICATE [Cert_Drop] WITH SUBJECT = 'drop'");
      await dropUnlessGone(pool, buildDropCertificateSql("Cert_Drop"), {
        action: "drop",
        object: "[Cert_Drop]",
      });
      const left = await pool.request().query("SELECT name FROM sys.certificates WHERE name = 'Cert_Drop'");
      expect(left.recordset).toHaveLength(0);
    });
  });

  it("counts an object that is already gone (15151) as dropped", async () => {
    const sql = buildDropCertificateSql("Cert_Missing");
    const plain = await withConnection(args, (pool) =>
      runStatement(pool, sql, undefined, { action: "drop" }),
    ).catch((e: unknown) => e);
    expect((plain as SqlServerOperationError).number).toBe(15151);
    await withConnection(args, (pool) =>
      dropUnlessGone(pool, sql, { action: "drop", object: "[Cert_Missing]" }),
    );
  });

  it("lets any other failure through, described", async () => {
    emulator.tds.addFault({ on: { match: /^DROP AVAILABILITY GROUP/ }, action: "error", times: 1 });
    const error = await withConnection(args, (pool) =>
      dropUnlessGone(pool, buildDropAgSql("AG_Sales"), {
        action: "drop availability group",
        object: "[AG_Sales]",
      }),
    ).catch((e: unknown) => e);
    emulator.tds.clearFaults();
    expect(error).toBeInstanceOf(SqlServerOperationError);
    expect((error as SqlServerOperationError).number).not.toBe(15151);
    expect((error as Error).message).toContain("drop availability group");
  });
});

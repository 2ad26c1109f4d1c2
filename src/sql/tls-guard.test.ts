import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInstanceModel } from "../testing/sqlserver/model";
import { TdsServer } from "../testing/sqlserver/tds-server";
import { createSqlEngine } from "../testing/sqlserver/tsql/engine";
import type { SqlServerConnectionArgs } from "./connection-args";
import { SqlServerOperationError } from "./errors";
import { runQuery } from "./execute";
import { closeAllPools, withConnection } from "./pool";

const PASSWORD = "Tls-Guard-Passw0rd";
const model = createInstanceModel({ serverName: "SQL1", logins: [{ name: "sa", password: PASSWORD }] });
/** A server that answers "encryption not supported" to every client. */
const clearTextServer = new TdsServer({ engine: createSqlEngine(model), encryption: "none" });
let args: SqlServerConnectionArgs;

beforeAll(async () => {
  const { host, port } = await clearTextServer.start();
  args = { host, port, user: "sa", password: PASSWORD, connectTimeoutMs: 5_000 };
});

afterAll(async () => {
  await closeAllPools();
  await clearTextServer.stop();
  model.dispose();
});

describe("a server that does not offer TLS", () => {
  it("never receives the login when encryption is asked for (the default)", async () => {
    const error = await withConnection(args, (pool) => runQuery(pool, "SELECT 1 AS one")).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SqlServerOperationError);
    expect((error as SqlServerOperationError).code).toBe("ENOTLS");
    expect((error as SqlServerOperationError).fix).toMatch(/password was not sent/);
    expect(clearTextServer.counters().logins + clearTextServer.counters().failedLogins).toBe(0);
  });

  it("is used when the caller turned encryption off", async () => {
    const rows = await withConnection({ ...args, encrypt: false }, (pool) =>
      runQuery(pool, "SELECT 1 AS one"),
    );
    expect(rows).toEqual([{ one: 1 }]);
    expect(clearTextServer.counters().logins).toBeGreaterThan(0);
  });
});

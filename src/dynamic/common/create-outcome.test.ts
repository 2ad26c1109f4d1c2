/**
 * A CREATE whose reply is lost, against the SQL Server emulator: the statement ran, the driver saw
 * a lost connection, and the provider's error is a partially created resource owned by the stack;
 * a CREATE that SQL Server refused (a numbered error) stays a plain failure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllPools, runStatement, withConnection, type SqlServerConnectionArgs } from "../../sql";
import { SqlServerEmulator } from "../../testing/sqlserver";
import { isOutcomeUnknown, runCreateStatement } from "./create-outcome";

const emulator = new SqlServerEmulator();
let args: SqlServerConnectionArgs;
const CREATE = "CREATE CERTIFICATE [Cert_Outcome] WITH SUBJECT = 'outcome'";

beforeAll(async () => {
  await emulator.start();
  args = emulator.connectionArgs();
  await withConnection(args, (pool) =>
    pool.request().batch("CREATE MASTER KEY ENCRYPTION BY PASSWORD = 'Mk-Secret!4f9a2c'"),
  );
});

afterAll(async () => {
  await closeAllPools();
  await emulator.stop();
});

const create = (properties: Record<string, unknown> = { name: "Cert_Outcome" }) =>
  withConnection(args, (pool) =>
    runCreateStatement("certificate [Cert_Outcome]", "id-1", properties, () =>
      runStatement(pool, CREATE, undefined, { action: "create certificate", object: "[Cert_Outcome]" }),
    ),
  ).then(
    () => undefined,
    (e: unknown) => e as Error & { id?: string; properties?: Record<string, unknown>; reasons?: string[] },
  );

describe("runCreateStatement", () => {
  it("a lost reply: the object exists, the error carries id and properties owned by the stack", async () => {
    emulator.tds.addFault({ on: { match: /^CREATE CERTIFICATE/ }, action: "run-then-drop" });
    const error = await create();
    emulator.tds.clearFaults();
    expect(isOutcomeUnknown(error)).toBe(true);
    expect(error).toMatchObject({
      id: "id-1",
      properties: { name: "Cert_Outcome", adopted: false, createOutcomeUnknown: true },
    });
    expect(error?.message).toContain("the next `pulumi up` finishes it");
    expect(error?.reasons).toEqual([error?.message]);
    const rows = await withConnection(args, (pool) =>
      pool.request().query("SELECT name FROM sys.certificates WHERE name = 'Cert_Outcome'"),
    );
    expect(rows.recordset).toHaveLength(1);
  });

  it("a request timeout is a lost reply too", () => {
    expect(isOutcomeUnknown({ code: "ETIMEOUT", numbers: [] })).toBe(true);
    expect(isOutcomeUnknown({ code: "ESOCKET", systemCode: "ECONNRESET", numbers: [] })).toBe(true);
  });

  it("a numbered SQL Server error means the CREATE did not happen: a plain failure", async () => {
    // The certificate exists from the previous test: 15232.
    const error = await create();
    expect(error).toMatchObject({ number: 15232 });
    expect(isOutcomeUnknown(error)).toBe(false);
    expect(error?.id).toBeUndefined();
  });

  it("a login failure or a refused connection is not a lost reply: nothing was sent", () => {
    expect(isOutcomeUnknown({ code: "ELOGIN", numbers: [18456], number: 18456 })).toBe(false);
    expect(isOutcomeUnknown({ code: "EREQUEST", numbers: [] })).toBe(false);
    expect(isOutcomeUnknown({ code: "ESOCKET", systemCode: "ECONNREFUSED", numbers: [] })).toBe(false);
  });
});

/**
 * Error descriptions for the failures SQL Server itself reports (through the emulator, the real
 * TDS stream and the real mssql driver): the number survives the driver, the fix is the right
 * one, the password never appears. Also: statements run in autocommit mode, where DDL is allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../testing/sqlserver";
import type { SqlServerConnectionArgs } from "./connection-args";
import { SqlServerOperationError } from "./errors";
import { runStatement, type OperationContext } from "./execute";
import { closeAllPools, withConnection } from "./pool";

const MASTER_KEY_PASSWORD = "Master-Key-Secret-42";
const emulator = new SqlServerEmulator({
  serverName: "SQL1",
  databases: [
    { name: "NoBackupDb", recoveryModel: "FULL" },
    { name: "SimpleDb", recoveryModel: "SIMPLE" },
  ],
});
const withoutAlwaysOn = new SqlServerEmulator({ serverName: "SQL2", hadrEnabled: false });
let args: SqlServerConnectionArgs;
let argsWithoutAlwaysOn: SqlServerConnectionArgs;

async function failure(
  connection: SqlServerConnectionArgs,
  sql: string,
  context: OperationContext = { action: "run" },
): Promise<SqlServerOperationError> {
  const error = await withConnection(connection, (pool) => runStatement(pool, sql, undefined, context)).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SqlServerOperationError);
  return error as SqlServerOperationError;
}

beforeAll(async () => {
  await Promise.all([emulator.start(), withoutAlwaysOn.start()]);
  args = emulator.connectionArgs();
  argsWithoutAlwaysOn = withoutAlwaysOn.connectionArgs();
});

afterAll(async () => {
  await closeAllPools();
  await emulator.stop();
  await withoutAlwaysOn.stop();
});

describe("statements in autocommit mode", () => {
  it("run ALTER DATABASE and BACKUP, which SQL Server refuses inside a transaction", async () => {
    await withConnection(args, async (pool) => {
      await runStatement(pool, "ALTER DATABASE [SimpleDb] SET RECOVERY FULL");
      const backup = await runStatement(
        pool,
        "BACKUP DATABASE [SimpleDb] TO DISK = N'/backups/SimpleDb.bak'",
      );
      expect(backup.messages.map((m) => m.number)).toContain(3014);
    });
  });
});

describe("SQL Server errors, described", () => {
  it("15232: a certificate that already exists", async () => {
    const create = "CREATE CERTIFICATE [Cert_SQL1_endpoint] WITH SUBJECT = N'SQL1 endpoint'";
    await withConnection(args, async (pool) => {
      await runStatement(pool, `CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'${MASTER_KEY_PASSWORD}'`);
      await runStatement(pool, create);
    });
    const error = await failure(args, create, {
      action: "create certificate",
      object: "[Cert_SQL1_endpoint]",
    });
    expect(error.number).toBe(15232);
    expect(error.message).toMatch(
      /^Failed to create certificate \[Cert_SQL1_endpoint\] on 127\.0\.0\.1:\d+: SQL Server error 15232: /,
    );
    expect(error.fix).toMatch(/Adopt it/);
  });

  it("15578: a second master key, without the password in the message", async () => {
    const error = await failure(
      args,
      `CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'${MASTER_KEY_PASSWORD}'`,
      {
        action: "create the database master key",
        secrets: [MASTER_KEY_PASSWORD],
      },
    );
    expect(error.number).toBe(15578);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(MASTER_KEY_PASSWORD);
  });

  it("1475: an availability group for a database without a full backup", async () => {
    await withConnection(args, (pool) =>
      runStatement(
        pool,
        `CREATE ENDPOINT [database_mirroring_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022)
         FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = CERTIFICATE [Cert_SQL1_endpoint],
           ENCRYPTION = REQUIRED ALGORITHM AES)`,
      ),
    );
    const error = await failure(
      args,
      `CREATE AVAILABILITY GROUP [AG_NoBackupDb] WITH (CLUSTER_TYPE = NONE) FOR DATABASE [NoBackupDb]
       REPLICA ON N'SQL1' WITH (ENDPOINT_URL = 'TCP://10.0.0.4:5022', AVAILABILITY_MODE = SYNCHRONOUS_COMMIT,
         FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC)`,
      { action: "create availability group", object: "[AG_NoBackupDb]" },
    );
    expect(error.numbers).toContain(1475);
    expect(error.number).toBe(1475);
    expect(error.fix).toMatch(/full backup that is not COPY_ONLY/);
  });

  it("7862: a second mirroring endpoint", async () => {
    const error = await failure(
      args,
      `CREATE ENDPOINT [another_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5023)
       FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = CERTIFICATE [Cert_SQL1_endpoint])`,
    );
    expect(error.number).toBe(7862);
    expect(error.fix).toMatch(/only one/);
  });

  it("3021: BACKUP inside a transaction, explained by the first error rather than 3013", async () => {
    const error = await failure(
      args,
      "BEGIN TRANSACTION; BACKUP DATABASE [SimpleDb] TO DISK = N'/backups/x.bak'; ROLLBACK",
    );
    expect(error.number).toBe(3021);
    expect(error.fix).toMatch(/autocommit/);
  });

  it("35221: Always On disabled", async () => {
    const error = await failure(
      argsWithoutAlwaysOn,
      `CREATE AVAILABILITY GROUP [AG_x] WITH (CLUSTER_TYPE = NONE) FOR REPLICA ON N'SQL2'
       WITH (ENDPOINT_URL = 'TCP://10.0.0.5:5022', AVAILABILITY_MODE = SYNCHRONOUS_COMMIT,
         FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC)`,
      { action: "create availability group", object: "[AG_x]" },
    );
    expect(error.number).toBe(35221);
    expect(error.fix).toMatch(/restart the SQL Server service/);
  });

  it("18456: a wrong password, which the message never repeats", async () => {
    const wrong = "Not-The-Password-77";
    const error = await withConnection({ ...args, password: wrong }, async () => "connected").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SqlServerOperationError);
    const described = error as SqlServerOperationError;
    expect(described.number).toBe(18456);
    expect(described.message).not.toContain(wrong);
    expect(described.fix).toMatch(/password/);
  });
});

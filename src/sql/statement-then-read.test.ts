/**
 * A change statement and the read of what it changed in one round trip (runStatementThenRead), and
 * the endpoint-and-link-connections read, against the SQL Server emulator (real TDS, real catalog) through
 * the real mssql driver: the statement runs inside sp_executesql, the read's result sets come back
 * in the same reply, and a refused statement fails exactly as runStatement describes it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../testing/sqlserver";
import { AVAILABILITY_GROUP_QUERY } from "../tsql/queries/availability-group";
import { BACKUP_CHAIN_QUERY } from "../tsql/queries/backup-chain";
import { buildCreateAgSql, buildFullBackupSql, buildLogBackupSql } from "../tsql";
import { parseAvailabilityGroup, readAvailabilityGroup } from "./catalog/availability-group";
import { backupChainParams, parseBackupChain, readBackupChain } from "./catalog/backup-chain";
import { readEndpointAndLinkConnections } from "./catalog/endpoint-and-link-connections";
import type { SqlServerConnectionArgs } from "./connection-args";
import { SqlServerOperationError } from "./errors";
import { runStatement, runStatementThenRead } from "./execute";
import { closeAllPools, withConnection } from "./pool";

const SERVER = "SQL1";
const emulator = new SqlServerEmulator({
  serverName: SERVER,
  databases: [
    { name: "SalesDb", recoveryModel: "FULL" },
    { name: "SimpleDb", recoveryModel: "SIMPLE" },
  ],
});
let args: SqlServerConnectionArgs;

/** Product requests (not the driver's session SET batch) sent while `work` runs. */
async function requestsDuring<T>(work: () => Promise<T>): Promise<{ result: T; texts: string[] }> {
  const before = emulator.tds.requestLog().length;
  const result = await work();
  const texts = emulator.tds
    .requestLog()
    .slice(before)
    .map((entry) => entry.text)
    .filter((text) => !/^\s*SELECT 1;?\s*$/i.test(text) && !/^set (textsize|ansi_nulls)/i.test(text));
  return { result, texts };
}

beforeAll(async () => {
  await emulator.start();
  args = emulator.connectionArgs();
  // Warm the pool so the counted requests are the product's only.
  await withConnection(args, (pool) => readBackupChain(pool, "SalesDb"));
});

afterAll(async () => {
  await closeAllPools();
  await emulator.stop();
});

describe("runStatementThenRead", () => {
  it("takes a full backup and returns the chain it started, in one request", async () => {
    const backup = buildFullBackupSql("SalesDb", { disk: "/var/opt/mssql/backup/SalesDb.bak" });
    const { result: chain, texts } = await requestsDuring(() =>
      withConnection(args, async (pool) =>
        parseBackupChain(
          await runStatementThenRead(pool, backup, BACKUP_CHAIN_QUERY, backupChainParams("SalesDb")),
        ),
      ),
    );
    expect(texts).toHaveLength(1);
    expect(texts[0].startsWith(backup)).toBe(true);
    expect(chain).toMatchObject({ name: "SalesDb", recoveryModel: "FULL", chainIntact: true });
    expect(chain?.lastFullBackup).toBeInstanceOf(Date);
    // The catalog agrees when read on its own.
    const again = await withConnection(args, (pool) => readBackupChain(pool, "SalesDb"));
    expect(again).toEqual(chain);
  });

  it("creates an availability group and returns it as the catalog shows it, in one request", async () => {
    const create = buildCreateAgSql({
      agName: "AG_Batch",
      database: "SalesDb",
      serverName: SERVER,
      endpointUrl: "TCP://sql1.contoso.local:5022",
      version: "16.0.4125.3",
    });
    const { result: group, texts } = await requestsDuring(() =>
      withConnection(args, async (pool) =>
        parseAvailabilityGroup(
          await runStatementThenRead(pool, create, AVAILABILITY_GROUP_QUERY, { name: "AG_Batch" }),
        ),
      ),
    );
    expect(texts).toHaveLength(1);
    expect(group).toMatchObject({ name: "AG_Batch", isDistributed: false, databases: ["SalesDb"] });
    expect(group?.replicas.map((r) => r.serverName)).toEqual([SERVER]);
    const stored = await withConnection(args, (pool) => readAvailabilityGroup(pool, "AG_Batch"));
    expect(stored).toEqual(group);
    await withConnection(args, (pool) => runStatement(pool, "DROP AVAILABILITY GROUP [AG_Batch];"));
  });

  it("reports a refused statement as runStatement does: its action, SQL Server's error, no password", async () => {
    const refused = buildLogBackupSql("SimpleDb", { disk: "/var/opt/mssql/backup/SimpleDb.trn" });
    const alone = await withConnection(args, (pool) =>
      runStatement(pool, refused, undefined, { action: "back up the log of database", object: "[SimpleDb]" }),
    ).catch((error: unknown) => error);
    const combined = await withConnection(args, (pool) =>
      runStatementThenRead(pool, refused, BACKUP_CHAIN_QUERY, backupChainParams("SimpleDb"), {
        action: "back up the log of database",
        object: "[SimpleDb]",
      }),
    ).catch((error: unknown) => error);
    expect(combined).toBeInstanceOf(SqlServerOperationError);
    expect(alone).toBeInstanceOf(SqlServerOperationError);
    const [a, c] = [alone as SqlServerOperationError, combined as SqlServerOperationError];
    expect(c.numbers).toEqual(a.numbers);
    expect(c.action).toBe("back up the log of database");
    expect(c.message).toContain("[SimpleDb]");
    expect(c.message).not.toContain(args.password);
    // Nothing was backed up: the database still has no log backup chain.
    const chain = await withConnection(args, (pool) => readBackupChain(pool, "SimpleDb"));
    expect(chain?.chainIntact).toBe(false);
  });
});

describe("readEndpointAndLinkConnections", () => {
  it("reads the mirroring endpoint and every link in one request; none yet", async () => {
    const { result, texts } = await requestsDuring(() =>
      withConnection(args, (pool) => readEndpointAndLinkConnections(pool)),
    );
    expect(texts).toHaveLength(1);
    expect(result.links.size).toBe(0);
    expect(result.endpoint).toBeNull();
    await withConnection(args, (pool) =>
      runStatement(
        pool,
        "CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022) " +
          "FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES);",
      ),
    );
    const seen = await withConnection(args, (pool) => readEndpointAndLinkConnections(pool));
    expect(seen.endpoint).toMatchObject({ name: "Hadr_endpoint", state: "STARTED", port: 5022 });
  });
});

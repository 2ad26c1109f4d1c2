/**
 * Every catalog reader against the SQL Server emulator (real TDS, real catalog), through the real
 * mssql driver: objects are created with T-SQL, then read back.
 */
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../testing/sqlserver";
import type { SqlServerConnectionArgs } from "../connection-args";
import { runStatement } from "../execute";
import { closeAllPools, withConnection } from "../pool";
import { readAvailabilityGroup } from "./availability-group";
import { readBackupHistory } from "./backup-history";
import { readCertificate } from "./certificate";
import { readDatabases } from "./databases";
import { readDistributedAg } from "./distributed-ag";
import { readLinkState } from "./link-state";
import { readMasterKey } from "./master-key";
import { readMirroringEndpoint } from "./mirroring-endpoint";
import { readServerInfo } from "./server-info";

const SERVER = "SQL1";
const emulator = new SqlServerEmulator({
  serverName: SERVER,
  databases: [
    { name: "SalesDb", recoveryModel: "FULL" },
    { name: "CopyOnlyDb", recoveryModel: "FULL" },
    { name: "SimpleDb", recoveryModel: "SIMPLE" },
  ],
  timings: { connectMs: 20, seedingMs: 150, syncMs: 20, lsnTickMs: 10 },
});
let args: SqlServerConnectionArgs;

function exec(sql: string): Promise<unknown> {
  return withConnection(args, (pool) => runStatement(pool, sql));
}

beforeAll(async () => {
  await emulator.start();
  args = emulator.connectionArgs();
});

afterAll(async () => {
  await closeAllPools();
  await emulator.stop();
});

describe("readServerInfo", () => {
  it("reads the replica name, version, edition and Always On in one statement", async () => {
    await withConnection(args, readServerInfo);
    const before = emulator.tds.counters().requests;
    const info = await withConnection(args, readServerInfo);
    expect(info).toMatchObject({
      serverName: SERVER,
      productVersion: "16.0.4125.3",
      productMajorVersion: 16,
      productUpdateLevel: "CU13",
      isHadrEnabled: true,
      collation: "SQL_Latin1_General_CP1_CI_AS",
    });
    expect(info.edition).toMatch(/Edition/);
    expect(info.versionString).toMatch(/^Microsoft SQL Server 2022/);
    // On the warm shared pool: one request, no validation query, no new login.
    expect(emulator.tds.counters().requests - before).toBe(1);
  });
});

describe("the link's objects, created with T-SQL and read back", () => {
  it("reads databases: recovery model, system flag, last full (not COPY_ONLY) and log backups", async () => {
    const byName = async () =>
      Object.fromEntries(
        (
          await withConnection(args, (pool) =>
            readDatabases(pool, ["SalesDb", "CopyOnlyDb", "master", "nope"]),
          )
        ).map((d) => [d.name, d]),
      );
    let dbs = await byName();
    expect(Object.keys(dbs).sort()).toEqual(["CopyOnlyDb", "SalesDb", "master"]);
    expect(dbs.master).toMatchObject({ isSystem: true });
    expect(dbs.SalesDb).toMatchObject({
      recoveryModel: "FULL",
      isSystem: false,
      lastFullBackup: null,
      state: "ONLINE",
    });

    await exec("BACKUP DATABASE [SalesDb] TO DISK = N'/backups/SalesDb.bak'");
    await exec("BACKUP LOG [SalesDb] TO DISK = N'/backups/SalesDb.trn'");
    await exec("BACKUP DATABASE [CopyOnlyDb] TO DISK = N'/backups/CopyOnlyDb.bak' WITH COPY_ONLY");
    dbs = await byName();
    expect(dbs.SalesDb.lastFullBackup).toBeInstanceOf(Date);
    expect(dbs.SalesDb.lastLogBackup).toBeInstanceOf(Date);
    expect(dbs.CopyOnlyDb).toMatchObject({ recoveryModel: "FULL", lastFullBackup: null });
    expect(dbs.SalesDb.availabilityGroup).toBeNull();
  });

  it("reads the backup history newest first, with LSNs as exact text", async () => {
    const history = await withConnection(args, (pool) => readBackupHistory(pool, "SalesDb"));
    expect(history.map((b) => b.type)).toEqual(["L", "D"]);
    expect(history[1]).toMatchObject({ database: "SalesDb", isCopyOnly: false });
    expect(history[0].firstLsn).toMatch(/^\d{15,25}$/);
    expect(BigInt(history[0].lastLsn!)).toBeGreaterThan(BigInt(history[0].firstLsn!));
    const copies = await withConnection(args, (pool) => readBackupHistory(pool, "CopyOnlyDb"));
    expect(copies.map((b) => [b.type, b.isCopyOnly])).toEqual([["D", true]]);
  });

  it("reads the master key once created", async () => {
    expect(await withConnection(args, readMasterKey)).toBeNull();
    await exec("CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'Master-Key-Passw0rd!'");
    expect(await withConnection(args, readMasterKey)).toMatchObject({
      name: "##MS_DatabaseMasterKey##",
      keyLength: 256,
      algorithm: "AES_256",
    });
  });

  it("reads a certificate whose public key is the DER certificate and whose thumbprint is its SHA-1", async () => {
    expect(await withConnection(args, (pool) => readCertificate(pool, "Cert_SQL1_endpoint"))).toBeNull();
    await exec(
      "CREATE CERTIFICATE [Cert_SQL1_endpoint] WITH SUBJECT = N'Certificate for SQL1', EXPIRY_DATE = '20301231'",
    );
    const cert = await withConnection(args, (pool) => readCertificate(pool, "Cert_SQL1_endpoint"));
    expect(cert).toMatchObject({ name: "Cert_SQL1_endpoint", privateKeyEncryption: "MK" });
    expect(cert!.expiryDate!.getUTCFullYear()).toBe(2030);
    const x509 = new X509Certificate(Buffer.from(cert!.publicKey!.slice(2), "hex"));
    expect(x509.subject).toContain("Certificate for SQL1");
    expect(cert!.thumbprint).toBe(`0x${x509.fingerprint.replace(/:/g, "")}`);
  });

  it("reads the mirroring endpoint with its certificate, then its altered authentication", async () => {
    expect(await withConnection(args, readMirroringEndpoint)).toBeNull();
    await exec(`CREATE ENDPOINT [database_mirroring_endpoint] STATE = STARTED
      AS TCP (LISTENER_PORT = 5022, LISTENER_IP = ALL)
      FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = CERTIFICATE [Cert_SQL1_endpoint],
        ENCRYPTION = REQUIRED ALGORITHM AES)`);
    expect(await withConnection(args, readMirroringEndpoint)).toMatchObject({
      name: "database_mirroring_endpoint",
      state: "STARTED",
      role: "ALL",
      port: 5022,
      authentication: { windows: null, certificate: true, certificateName: "Cert_SQL1_endpoint" },
      encryption: { mode: "REQUIRED", algorithms: ["AES"] },
    });
    await exec(`ALTER ENDPOINT [database_mirroring_endpoint]
      FOR DATABASE_MIRRORING (AUTHENTICATION = WINDOWS NEGOTIATE CERTIFICATE [Cert_SQL1_endpoint],
        ENCRYPTION = SUPPORTED ALGORITHM AES RC4)`);
    const altered = await withConnection(args, readMirroringEndpoint);
    expect(altered?.authentication).toMatchObject({
      windows: "NEGOTIATE",
      certificate: true,
      certificateFirst: false,
    });
    expect(altered?.encryption).toMatchObject({ mode: "SUPPORTED", algorithms: ["AES", "RC4"] });
  });

  it("reads the availability group with its replica and database", async () => {
    expect(await withConnection(args, (pool) => readAvailabilityGroup(pool, "AG_SalesDb"))).toBeNull();
    await exec(`CREATE AVAILABILITY GROUP [AG_SalesDb] WITH (CLUSTER_TYPE = NONE)
      FOR DATABASE [SalesDb]
      REPLICA ON N'${SERVER}' WITH (ENDPOINT_URL = 'TCP://10.0.0.4:5022',
        AVAILABILITY_MODE = SYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC)`);
    const ag = await withConnection(args, (pool) => readAvailabilityGroup(pool, "AG_SalesDb"));
    expect(ag).toMatchObject({
      name: "AG_SalesDb",
      isDistributed: false,
      clusterType: "NONE",
      databases: ["SalesDb"],
      replicas: [
        {
          serverName: SERVER,
          endpointUrl: "TCP://10.0.0.4:5022",
          availabilityMode: "SYNCHRONOUS_COMMIT",
          failoverMode: "MANUAL",
          seedingMode: "AUTOMATIC",
          role: "PRIMARY",
          isLocal: true,
        },
      ],
    });
    const [sales] = await withConnection(args, (pool) => readDatabases(pool, ["SalesDb"]));
    expect(sales.availabilityGroup).toBe("AG_SalesDb");
    expect(ag?.groupDatabaseIds).toHaveLength(1);
    expect(ag?.groupDatabaseIds[0]).toMatch(/^[0-9A-F-]{36}$/i);
  });

  it("reads the distributed availability group's members and the link's state as it connects and seeds", async () => {
    await exec(`CREATE AVAILABILITY GROUP [DAG_SalesDb] WITH (DISTRIBUTED) AVAILABILITY GROUP ON
      N'AG_SalesDb' WITH (LISTENER_URL = 'TCP://10.0.0.4:5022', AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT,
        FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC, SESSION_TIMEOUT = 20),
      N'AG_SalesDb_MI' WITH (LISTENER_URL = 'tcp://mi1.abc123.database.windows.net:5022;Server=[mi1]',
        AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC)`);
    const dag = await withConnection(args, (pool) => readDistributedAg(pool, "DAG_SalesDb"));
    expect(dag?.isDistributed).toBe(true);
    const members = Object.fromEntries(dag!.members.map((m) => [m.agName, m]));
    expect(members.AG_SalesDb).toMatchObject({
      listenerUrl: "TCP://10.0.0.4:5022",
      availabilityMode: "ASYNCHRONOUS_COMMIT",
      sessionTimeout: 20,
      role: "PRIMARY",
      isLocal: true,
    });
    expect(members.AG_SalesDb_MI).toMatchObject({
      listenerUrl: "tcp://mi1.abc123.database.windows.net:5022;Server=[mi1]",
      isLocal: false,
      connectedState: "DISCONNECTED",
    });
    expect(await withConnection(args, (pool) => readDistributedAg(pool, "DAG_missing"))).toBeNull();

    emulator.model.partner.failRemote("DAG_SalesDb", {
      number: 41973,
      description: "Certificate not trusted.",
    });
    const failing = await withConnection(args, (pool) => readLinkState(pool, "DAG_SalesDb"));
    const remoteFailing = failing!.replicas.find((r) => r.agName === "AG_SalesDb_MI");
    expect(remoteFailing).toMatchObject({
      connectedState: "DISCONNECTED",
      lastConnectError: { number: 41973 },
    });

    emulator.model.partner.connectRemote("DAG_SalesDb", {
      managedInstanceName: "mi1",
      managedInstanceRole: "SECONDARY",
    });
    await expect
      .poll(
        async () => {
          const state = await withConnection(args, (pool) => readLinkState(pool, "DAG_SalesDb"));
          return {
            connected: state?.replicas.find((r) => r.agName === "AG_SalesDb_MI")?.connectedState,
            seeding: state?.seeding[0]?.currentState,
            progress: state?.seeding[0]?.progressPercent,
          };
        },
        { timeout: 5_000, interval: 50 },
      )
      .toEqual({ connected: "CONNECTED", seeding: "COMPLETED", progress: 100 });
    const state = await withConnection(args, (pool) => readLinkState(pool, "DAG_SalesDb"));
    const local = state!.databases.find((d) => d.isLocal);
    expect(local).toMatchObject({ database: "SalesDb", agName: "AG_SalesDb", isPrimaryReplica: true });
    expect(local!.lastHardenedLsn).toMatch(/^\d+$/);
    expect(await withConnection(args, (pool) => readLinkState(pool, "DAG_missing"))).toBeNull();
  });
});

describe("a restarted SQL Server", () => {
  it("is read again through the shared pool, whose connections the restart closed", async () => {
    await withConnection(args, readServerInfo);
    await emulator.restart();
    const dag = await withConnection(args, (pool) => readDistributedAg(pool, "DAG_SalesDb"));
    expect(dag?.members.map((m) => m.agName).sort()).toEqual(["AG_SalesDb", "AG_SalesDb_MI"]);
  });
});

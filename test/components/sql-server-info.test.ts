import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSqlServerInfo } from "../../src/components/sql-server-info";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { defaultEndpointCertificateName } from "../../src/tsql/names";
import { adminBatch } from "../dynamic/support/emulator";

describe("getSqlServerInfo", () => {
  let emulator: SqlServerEmulator;
  const databases = Array.from({ length: 12 }, (_, i) => ({
    name: `Db${i}`,
    recoveryModel: "FULL" as const,
    fullBackup: i % 2 === 0,
  }));

  beforeAll(async () => {
    emulator = new SqlServerEmulator({
      serverName: "HOST\\INST",
      productVersion: "15.0.4312.2",
      collation: "Latin1_General_100_CI_AS",
      databases: [...databases, { name: "Simple", recoveryModel: "SIMPLE" }],
    });
    await emulator.start();
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
  });

  const connection = () => {
    const info = emulator.connectionInfo();
    return {
      host: info.host,
      port: info.port,
      user: info.user,
      password: info.password,
      trustServerCertificate: true,
    };
  };

  it("reports the server, the databases asked about and the endpoint", async () => {
    const info = await getSqlServerInfo(connection(), ["Db0", "Db1", "Simple", "Missing"]);
    expect(info).toMatchObject({
      serverName: "HOST\\INST",
      productVersion: "15.0.4312.2",
      productMajorVersion: 15,
      isHadrEnabled: true,
      collation: "Latin1_General_100_CI_AS",
      mirroringEndpoint: null,
    });
    expect(info.engineEdition).toBe(3);
    const byName = Object.fromEntries(info.databases.map((d) => [d.name, d]));
    expect(Object.keys(byName).sort()).toEqual(["Db0", "Db1", "Simple"]);
    expect(byName.Db0).toMatchObject({
      recoveryModel: "FULL",
      state: "ONLINE",
      isSystem: false,
      availabilityGroup: null,
    });
    expect(byName.Db0.lastFullBackup).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(byName.Db1.lastFullBackup).toBeNull();
    expect(byName.Simple.recoveryModel).toBe("SIMPLE");
  });

  it("uses one connection, one login and the same few statements for 1 or 12 databases", async () => {
    const measure = async (names: string[]) => {
      emulator.tds.resetCounters();
      await getSqlServerInfo(connection(), names);
      return emulator.tds.counters();
    };
    const one = await measure(["Db0"]);
    const twelve = await measure(databases.map((d) => d.name));
    for (const counters of [one, twelve]) {
      expect(counters.connections).toBe(1);
      expect(counters.logins).toBe(1);
    }
    expect(twelve.requests).toBe(one.requests);
    expect(twelve.requests).toBeLessThanOrEqual(8);
  });

  it("leaves no connection open behind it", async () => {
    await getSqlServerInfo(connection(), ["Db0"]);
    await expect.poll(() => emulator.tds.openConnectionCount(), { timeout: 5_000 }).toBe(0);
  });

  it("changes nothing: only reads reach SQL Server", async () => {
    emulator.tds.resetCounters();
    await getSqlServerInfo(connection(), ["Db0"]);
    for (const entry of emulator.tds.requestLog()) {
      expect(JSON.stringify(entry)).not.toMatch(/\b(CREATE|ALTER|DROP|BACKUP|INSERT|UPDATE|DELETE)\b/);
    }
  });

  it("reports the endpoint certificate generation in use, over the same single connection", async () => {
    const base = defaultEndpointCertificateName("HOST\\INST");
    emulator.tds.resetCounters();
    expect((await getSqlServerInfo(connection(), ["Db0"])).endpointCertificate).toBeNull();
    expect(emulator.tds.counters().connections).toBe(1);

    await adminBatch(
      emulator,
      `CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'Lookup-Test-1!';
       CREATE CERTIFICATE [${base}] WITH SUBJECT = N'first', EXPIRY_DATE = N'20280101';
       CREATE CERTIFICATE [${base}_20300101] WITH SUBJECT = N'next', EXPIRY_DATE = N'20300101';
       CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022)
         FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = CERTIFICATE [${base}_20300101],
         ENCRYPTION = REQUIRED ALGORITHM AES);`,
    );
    emulator.tds.resetCounters();
    const info = await getSqlServerInfo(connection(), ["Db0"]);
    expect(info.endpointCertificate?.name).toBe(`${base}_20300101`);
    expect(info.endpointCertificate?.expiryDate).toMatch(/^2030-01-01/);
    expect(emulator.tds.counters().connections).toBe(1);
    expect(emulator.tds.counters().requests).toBeLessThanOrEqual(8);
  });
});

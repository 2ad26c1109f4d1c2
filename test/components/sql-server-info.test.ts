import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { getSqlServerInfo, getSqlServerInfoOutput } from "../../src/components/sql-server-info";
import { SqlServerOperationError } from "../../src/sql";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { defaultEndpointCertificateName } from "../../src/tsql/names";
import { productStatements } from "../dynamic/support/availability-groups";
import { adminBatch, lookupConnection } from "../dynamic/support/emulator";

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

  const connection = () => lookupConnection(emulator);

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

  it("sends one request on one connection, whatever the number of databases", async () => {
    const measure = async (names: string[]) => {
      emulator.tds.resetCounters();
      await getSqlServerInfo(connection(), names);
      return { counters: emulator.tds.counters(), product: productStatements(emulator.tds.requestLog()) };
    };
    for (const names of [[], ["Db0"], databases.map((d) => d.name)]) {
      const { counters, product } = await measure(names);
      expect(counters.connections).toBe(1);
      expect(counters.logins).toBe(1);
      // The driver's session settings batch after login, then the lookup itself.
      expect(counters.requests).toBe(2);
      expect(product).toHaveLength(1);
      // One batch of SELECTs: server, databases (only when asked about), endpoint, certificates.
      const selects = product[0].text.split(/;\n/).filter((statement) => /^\s*SELECT\b/.test(statement));
      expect(selects).toHaveLength(names.length > 0 ? 4 : 3);
    }
  });

  it("reports a database-free lookup and missing databases as absent, in one request", async () => {
    emulator.tds.resetCounters();
    const none = await getSqlServerInfo(connection());
    expect(none.databases).toEqual([]);
    expect(none.serverName).toBe("HOST\\INST");
    const missing = await getSqlServerInfo(connection(), ["Missing", "AlsoMissing"]);
    expect(missing.databases).toEqual([]);
    expect(missing).toMatchObject({
      serverName: "HOST\\INST",
      mirroringEndpoint: null,
      endpointCertificate: null,
    });
    expect(productStatements(emulator.tds.requestLog())).toHaveLength(2);
  });

  it("sends no database name in the statement text: names travel as parameters", async () => {
    emulator.tds.resetCounters();
    await getSqlServerInfo(connection(), ["Db0", "Db1"]);
    const [lookup] = productStatements(emulator.tds.requestLog());
    expect(lookup.kind).toBe("rpc");
    expect(lookup.text).toContain("@db0, @db1");
    expect(lookup.text).not.toMatch(/Db0|Db1/);
    expect(lookup.text).not.toContain(emulator.connectionInfo().password);
  });

  it("describes a permission failure of the lookup with its number and fix, and no secret", async () => {
    emulator.tds.addFault({
      on: { match: /^SELECT\s+@@SERVERNAME/ },
      action: "error",
      error: {
        number: 229,
        message: "The SELECT permission was denied on the object 'backupset', database 'msdb', schema 'dbo'.",
      },
    });
    const failure = await getSqlServerInfo(connection(), ["Db0"]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SqlServerOperationError);
    const described = failure as SqlServerOperationError;
    expect(described.number).toBe(229);
    expect(described.message).toMatch(
      /^Failed to read the server's version and settings, the databases \[Db0\], /,
    );
    expect(described.message).toContain("SQL Server error 229: The SELECT permission was denied");
    expect(described.fix).toBeTruthy();
    expect(described.message).not.toContain(emulator.connectionInfo().password);
  });

  it("describes a refused login as the connection's failure, before any statement", async () => {
    emulator.tds.resetCounters();
    const failure = await getSqlServerInfo({ ...connection(), password: "Wrong-Password-1!" }, ["Db0"]).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SqlServerOperationError);
    expect((failure as SqlServerOperationError).number).toBe(18456);
    expect((failure as Error).message).not.toContain("Wrong-Password-1!");
    expect(productStatements(emulator.tds.requestLog())).toEqual([]);
  });

  it("as an Output: resolves to the same report and is not secret when the password is", async () => {
    const plain = connection();
    const output = getSqlServerInfoOutput({ ...plain, password: pulumi.secret(plain.password) }, ["Db0"]);
    const value = await new Promise((resolve) => output.apply(resolve));
    expect(value).toEqual(await getSqlServerInfo(plain, ["Db0"]));
    expect(await pulumi.isSecret(output)).toBe(false);
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

  it("falls back to the first generation when the endpoint uses another certificate, and ignores other servers'", async () => {
    const base = defaultEndpointCertificateName("HOST\\INST");
    await adminBatch(
      emulator,
      `CREATE CERTIFICATE [Cert_OTHER_endpoint] WITH SUBJECT = N'other server', EXPIRY_DATE = N'20350101';
       CREATE CERTIFICATE [Own] WITH SUBJECT = N'own', EXPIRY_DATE = N'20360101';
       ALTER ENDPOINT [Hadr_endpoint] FOR DATABASE_MIRRORING (AUTHENTICATION = CERTIFICATE [Own]);`,
    );
    const info = await getSqlServerInfo(connection(), ["Db0"]);
    expect(info.mirroringEndpoint?.certificateName).toBe("Own");
    expect(info.endpointCertificate).toEqual({
      name: base,
      expiryDate: expect.stringMatching(/^2028-01-01/),
    });

    // Under the server's case-insensitive collation the name matches as `name = @name` would.
    await adminBatch(
      emulator,
      `DROP CERTIFICATE [${base}];
       CREATE CERTIFICATE [${base.toLowerCase()}] WITH SUBJECT = N'first', EXPIRY_DATE = N'20290101';`,
    );
    const lower = await getSqlServerInfo(connection(), ["Db0"]);
    expect(lower.endpointCertificate?.name).toBe(base.toLowerCase());

    await adminBatch(emulator, `DROP CERTIFICATE [${base.toLowerCase()}];`);
    expect((await getSqlServerInfo(connection(), ["Db0"])).endpointCertificate).toBeNull();
  });
});

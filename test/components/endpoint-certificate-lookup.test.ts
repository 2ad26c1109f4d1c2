import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  lookupEndpointCertificate,
  lookupEndpointCertificateOutput,
} from "../../src/components/endpoint-certificate-lookup";
import { getSqlServerInfo } from "../../src/components/sql-server-info";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { defaultEndpointCertificateName } from "../../src/tsql/names";
import { productStatements } from "../dynamic/support/availability-groups";
import { adminBatch, lookupConnection } from "../dynamic/support/emulator";

// Outputs resolve under the mock runtime, as in a program's preview.
void pulumi.runtime.setMocks(
  {
    newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
    call: (args) => args.inputs,
  },
  "project",
  "stack",
  true,
);

/** The public lookup a standalone SqlServerTrust plans rotation from, against SQL Server over TDS. */
describe("lookupEndpointCertificate", () => {
  let emulator: SqlServerEmulator;

  beforeAll(async () => {
    emulator = new SqlServerEmulator({ serverName: "SQLHOST", collation: "SQL_Latin1_General_CP1_CI_AS" });
    await emulator.start();
    await adminBatch(emulator, "CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'Lookup-Public-1!';");
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
  });

  const connection = () => lookupConnection(emulator);

  /** The lookup's result with what it sent: product statements and connections. */
  async function measured(baseName: string, endpointCertificateName?: string | null) {
    emulator.tds.resetCounters();
    const found = await lookupEndpointCertificate(connection(), baseName, endpointCertificateName);
    const statements = productStatements(emulator.tds.requestLog()).map((entry) => entry.text);
    return { found, statements, connections: emulator.tds.counters().connections };
  }

  it("finds nothing on a server without the family, reading only, over one connection it closes", async () => {
    const { found, statements, connections } = await measured("Cert_Custom");
    expect(found).toBeNull();
    expect(connections).toBe(1);
    // The endpoint (none), then the first generation (absent).
    expect(statements).toHaveLength(2);
    for (const text of statements) expect(text).not.toMatch(/\b(CREATE|ALTER|DROP|BACKUP|GRANT)\b/i);
    await expect.poll(() => emulator.tds.openConnectionCount(), { timeout: 5_000 }).toBe(0);
  });

  it("reports the generation the endpoint authenticates with, else the first generation", async () => {
    await adminBatch(
      emulator,
      `CREATE CERTIFICATE [Cert_Custom] WITH SUBJECT = N'first', EXPIRY_DATE = N'20280101';
       CREATE CERTIFICATE [Cert_Custom_20300101] WITH SUBJECT = N'next', EXPIRY_DATE = N'20300101';`,
    );
    // No endpoint yet: an earlier run made the first generation and stopped before the endpoint.
    expect((await measured("Cert_Custom")).found).toEqual({
      name: "Cert_Custom",
      expiryDate: expect.stringMatching(/^2028-01-01T/),
    });

    await adminBatch(
      emulator,
      `CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022)
         FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = CERTIFICATE [Cert_Custom_20300101],
         ENCRYPTION = REQUIRED ALGORITHM AES);`,
    );
    const inUse = await measured("Cert_Custom");
    expect(inUse.found).toEqual({
      name: "Cert_Custom_20300101",
      expiryDate: expect.stringMatching(/^2030-01-01T/),
    });
    // The endpoint, then the generation it names: found at the first candidate.
    expect(inUse.statements).toHaveLength(2);

    // Another family's certificate on the endpoint is not this family's generation.
    const other = await measured("Cert_Other");
    expect(other.found).toBeNull();
  });

  it("skips the endpoint's read when the caller already read it", async () => {
    const given = await measured("Cert_Custom", "Cert_Custom_20300101");
    expect(given.found?.name).toBe("Cert_Custom_20300101");
    expect(given.statements).toHaveLength(1);
    expect(given.statements.join("\n")).not.toMatch(/database_mirroring_endpoints/);

    // null: the caller found no endpoint, so the first generation is the answer.
    const none = await measured("Cert_Custom", null);
    expect(none.found?.name).toBe("Cert_Custom");
    expect(none.statements).toHaveLength(1);
  });

  it("agrees with the preflight's lookup on the default name, whatever the endpoint uses", async () => {
    const base = defaultEndpointCertificateName("SQLHOST");
    const both = async () => ({
      lookup: await lookupEndpointCertificate(connection(), base),
      preflight: (await getSqlServerInfo(connection())).endpointCertificate,
    });

    expect(await both()).toEqual({ lookup: null, preflight: null });

    await adminBatch(
      emulator,
      `CREATE CERTIFICATE [${base}] WITH SUBJECT = N'first', EXPIRY_DATE = N'20290101';`,
    );
    const first = await both();
    expect(first.lookup?.name).toBe(base);
    expect(first.preflight).toEqual(first.lookup);

    await adminBatch(
      emulator,
      `CREATE CERTIFICATE [${base}_20310101] WITH SUBJECT = N'next', EXPIRY_DATE = N'20310101';
       ALTER ENDPOINT [Hadr_endpoint] FOR DATABASE_MIRRORING (AUTHENTICATION = CERTIFICATE [${base}_20310101]);`,
    );
    const rotated = await both();
    expect(rotated.lookup?.name).toBe(`${base}_20310101`);
    expect(rotated.preflight).toEqual(rotated.lookup);

    // Names compare as SQL Server's case-insensitive collation compares them.
    await adminBatch(
      emulator,
      `ALTER ENDPOINT [Hadr_endpoint] FOR DATABASE_MIRRORING (AUTHENTICATION = CERTIFICATE [Cert_Custom]);
       DROP CERTIFICATE [${base}];
       CREATE CERTIFICATE [${base.toLowerCase()}] WITH SUBJECT = N'first', EXPIRY_DATE = N'20290101';`,
    );
    const lower = await both();
    expect(lower.lookup?.name).toBe(base.toLowerCase());
    expect(lower.preflight).toEqual(lower.lookup);
  });

  it("as an Output: resolves to the same answer and is not secret when the password is", async () => {
    const plain = connection();
    const output = lookupEndpointCertificateOutput(
      { ...plain, password: pulumi.secret(plain.password) },
      pulumi.output("Cert_Custom"),
    );
    const value = await new Promise((resolve) => output.apply(resolve));
    expect(value).toEqual(await lookupEndpointCertificate(plain, "Cert_Custom"));
    expect(await pulumi.isSecret(output)).toBe(false);
  });
});

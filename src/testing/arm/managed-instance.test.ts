import { X509Certificate } from "node:crypto";
import { SqlManagementClient } from "@azure/arm-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticTokenCredential } from "./credential";
import { ArmEmulator } from "./server";

describe("ArmEmulator: managed instance and endpoint certificates through @azure/arm-sql", () => {
  const emulator = new ArmEmulator({ databaseFormat: "SQLServer2022", hybridSecondaryUsage: "Passive" });
  let client: SqlManagementClient;
  let endpoint: string;

  beforeAll(async () => {
    const started = await emulator.start();
    endpoint = started.endpoint;
    client = new SqlManagementClient(new StaticTokenCredential(), emulator.subscriptionId, {
      endpoint,
      credentialScopes: ["https://management.azure.com/.default"],
      tlsOptions: { ca: started.tlsCaPem },
    });
  });
  afterAll(() => emulator.stop());

  it("reads the managed instance with its FQDN, update policy and collation", async () => {
    const mi = await client.managedInstances.get("rg-mi-link", "sqlmi1");
    expect(mi.name).toBe("sqlmi1");
    expect(mi.fullyQualifiedDomainName).toBe("sqlmi1.0a1b2c3d4e5f.database.windows.net");
    expect(mi.collation).toBe("SQL_Latin1_General_CP1_CI_AS");
    expect(mi.state).toBe("Ready");
  });

  it("returns the mirroring endpoint certificate as hex without 0x: a DER certificate for the MI FQDN", async () => {
    const certificate = await client.endpointCertificates.get("rg-mi-link", "sqlmi1", "DATABASE_MIRRORING");
    expect(certificate.publicBlob).toMatch(/^[0-9A-F]+$/);
    const x509 = new X509Certificate(Buffer.from(certificate.publicBlob!, "hex"));
    expect(x509.subject).toContain("CN=sqlmi1.0a1b2c3d4e5f.database.windows.net");
    expect(x509.issuer).toContain("O=Microsoft Corporation");
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now());
  });

  it("serves several managed instances, each with its own certificate", async () => {
    emulator.addManagedInstance({ name: "sqlmi2", databaseFormat: "AlwaysUpToDate" });
    const mi2 = await client.managedInstances.get("rg-mi-link", "sqlmi2");
    expect(mi2.fullyQualifiedDomainName).toBe("sqlmi2.0a1b2c3d4e5f.database.windows.net");
    const [one, two] = await Promise.all([
      client.endpointCertificates.get("rg-mi-link", "sqlmi1", "DATABASE_MIRRORING"),
      client.endpointCertificates.get("rg-mi-link", "sqlmi2", "DATABASE_MIRRORING"),
    ]);
    expect(one.publicBlob).not.toBe(two.publicBlob);
  });

  it("answers 404 ResourceNotFound for an unknown managed instance", async () => {
    await expect(client.managedInstances.get("rg-mi-link", "nosuchmi")).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
  });
});

import { describe, expect, it } from "vitest";
import { resolveLinkNames } from "../../src/components/link-names";
import { renderScript, type ScriptPlan } from "../../src/components/script";
import { MICROSOFT_PKI_ROOT } from "../../src/tsql/root-certificates";

function plan(overrides: Partial<ScriptPlan> = {}): ScriptPlan {
  return {
    serverName: "SQL1",
    productVersion: "16.0.4125.3",
    certificateName: "Cert_SQL1_endpoint",
    certificateSubject: "Certificate for Cert_SQL1_endpoint",
    certificateExpiry: "2028-12-31",
    endpointName: "database_mirroring_endpoint",
    endpointHost: "10.0.0.4",
    endpointPort: 5022,
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroupName: "rg-data",
    managedInstanceName: "sqlmi1",
    managedInstanceFqdn: "sqlmi1.abc.database.windows.net",
    links: resolveLinkNames(["Sales", "Inventory"]),
    initialPrimary: "SqlServer",
    failoverMode: "Manual",
    replicationMode: "Async",
    ...overrides,
  };
}

describe("renderScript", () => {
  it("lists every step in order, with the password as a placeholder", () => {
    const text = renderScript(plan());
    const order = [
      "CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'<masterKeyPassword>';",
      "CREATE CERTIFICATE [Cert_SQL1_endpoint]",
      "PUT https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-data/providers/Microsoft.Sql/managedInstances/sqlmi1/serverTrustCertificates/Cert_SQL1_endpoint?api-version=2023-08-01",
      "GET https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-data/providers/Microsoft.Sql/managedInstances/sqlmi1/endpointCertificates/DATABASE_MIRRORING?api-version=2023-08-01",
      `CREATE CERTIFICATE [MicrosoftPKI]\nFROM BINARY = ${MICROSOFT_PKI_ROOT.blob};`,
      "EXEC sp_certificate_add_issuer @certificate_id, N'*.database.windows.net';",
      "CREATE CERTIFICATE [sqlmi1.abc.database.windows.net]\nFROM BINARY = <publicBlob of the managed instance's DATABASE_MIRRORING certificate>;",
      "EXEC sp_validate_certificate_ca_chain @certificate_id;",
      "CREATE ENDPOINT [database_mirroring_endpoint]",
      "ALTER DATABASE [Sales] SET RECOVERY FULL",
      "CREATE AVAILABILITY GROUP [AG_Sales]\nWITH (CLUSTER_TYPE = NONE)",
      "CREATE AVAILABILITY GROUP [DAG_Sales]",
      "tcp://sqlmi1.abc.database.windows.net:5022;Server=[sqlmi1]",
      "/distributedAvailabilityGroups/DAG_Sales?api-version=2023-08-01",
      '"partnerEndpoint": "TCP://10.0.0.4:5022"',
      '"instanceLinkRole": "Secondary"',
      '"seedingMode": "Automatic"',
      "CREATE AVAILABILITY GROUP [AG_Inventory]",
      "/distributedAvailabilityGroups/DAG_Inventory?",
    ];
    let at = -1;
    for (const fragment of order) {
      const next = text.indexOf(fragment, at + 1);
      expect(next, fragment).toBeGreaterThan(at);
      at = next;
    }
    expect(text).not.toMatch(/BACKUP DATABASE/);
  });

  it("SQL Server 2016 omits CLUSTER_TYPE; a backup target adds the full backup; an existing endpoint is altered", () => {
    const text = renderScript(
      plan({
        productVersion: "13.0.7000.253",
        failoverMode: "None",
        backupTarget: { disk: "D:\\bak\\x.bak" },
        existingEndpoint: { name: "Hadr_endpoint", windowsAuth: true },
      }),
    );
    expect(text).not.toContain("CLUSTER_TYPE");
    expect(text).toContain("BACKUP DATABASE [Sales] TO DISK = N'D:\\bak\\x.bak';");
    expect(text).toContain("ALTER ENDPOINT [Hadr_endpoint]");
    expect(text).toContain("WINDOWS NEGOTIATE CERTIFICATE [Cert_SQL1_endpoint]");
    expect(text).toContain('"failoverMode": "None"');
  });

  it("managed instance as initial primary: no database preparation, AG without database, grant, MI listener with the database", () => {
    const text = renderScript(
      plan({ initialPrimary: "ManagedInstance", links: resolveLinkNames(["Sales"]) }),
    );
    expect(text).not.toContain("SET RECOVERY FULL");
    expect(text).toContain("FOR REPLICA ON");
    expect(text).toContain("ALTER AVAILABILITY GROUP [AG_Sales] GRANT CREATE ANY DATABASE;");
    expect(text).toContain(";Server=[sqlmi1];Database=[Sales]");
    expect(text).toContain('"instanceLinkRole": "Primary"');
  });

  it("quotes hostile database names through the builders", () => {
    const text = renderScript(plan({ links: resolveLinkNames(["a]; DROP DATABASE x--"]) }));
    expect(text).toContain("ALTER DATABASE [a]]; DROP DATABASE x--] SET RECOVERY FULL");
    expect(text).not.toMatch(/^DROP DATABASE/m);
  });
});

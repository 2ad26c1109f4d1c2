import { describe, expect, it } from "vitest";
import { resolveLinkNames } from "../../src/components/link-names";
import { renderScript, type ScriptPlan } from "../../src/components/script";
import { buildHostPreparationScripts, HOST_PREPARATION_SHELLS } from "../../src/hostprep/component";
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

  describe("with host preparation enabled", () => {
    const SSH_PASSWORD = "ssh-Secret-pw1";
    const ssh = { host: "sql1.contoso.com", user: "admin", password: SSH_PASSWORD };
    /** The text between a heredoc's start line and its end marker. */
    const heredocs = (text: string) =>
      [
        ...text.matchAll(/^ssh (\S+) '([^']+)' <<'MI_LINK_HOST_SCRIPT'\n([\s\S]*?)\nMI_LINK_HOST_SCRIPT$/gm),
      ].map(([, target, shell, body]) => ({ target, shell, body }));

    it("Windows: the exact PowerShell, then the reachability test, first and in order, SSH as placeholders", () => {
      const hostPreparation = {
        enabled: true,
        os: "windows" as const,
        ssh,
        instanceName: "SQL2022",
        managedInstanceHost: "sqlmi1.abc.database.windows.net",
      };
      const text = renderScript(plan({ hostPreparation }));
      const scripts = buildHostPreparationScripts(hostPreparation);
      expect(heredocs(text)).toEqual([
        {
          target: "<hostPreparation.ssh.user>@<hostPreparation.ssh.host>",
          shell: HOST_PREPARATION_SHELLS.windows,
          body: scripts.preparation.trimEnd(),
        },
        {
          target: "<hostPreparation.ssh.user>@<hostPreparation.ssh.host>",
          shell: HOST_PREPARATION_SHELLS.windows,
          body: scripts.reachability!.trimEnd(),
        },
      ]);
      expect(text).toContain("Enable-SqlAlwaysOn -ServerInstance ($env:COMPUTERNAME + '\\' + $instance)");
      expect(text).toContain("Restart-Service -Name $service -Force");
      // Before any SQL Server step.
      expect(text.indexOf("Restart-Service")).toBeLessThan(text.indexOf("-- 1. SQL Server"));
      expect(text.indexOf("Enable-SqlAlwaysOn")).toBeLessThan(text.indexOf("$target = 'sqlmi1.abc"));
      expect(text).not.toContain(SSH_PASSWORD);
      expect(text).not.toContain("sql1.contoso.com");
      expect(text).not.toContain("admin@");
    });

    it("Linux: the exact mssql-conf commands and restart; no reachability test without managedInstanceHost", () => {
      const hostPreparation = { enabled: true, os: "linux" as const, ssh, traceFlags: [1800, 9567] };
      const text = renderScript(plan({ hostPreparation }));
      const [preparation, ...rest] = heredocs(text);
      expect(rest).toEqual([]);
      expect(preparation.shell).toBe("bash -s");
      expect(preparation.body.split("\n")).toEqual([
        "set -euo pipefail",
        "sudo /opt/mssql/bin/mssql-conf set hadr.hadrenabled 1",
        "sudo /opt/mssql/bin/mssql-conf traceflag '1800' '9567' on",
        "sudo systemctl restart mssql-server",
        "echo 'PREPARED hadr=enabled traceflags=1800,9567 restarted=yes'",
      ]);
      expect(text).not.toContain(SSH_PASSWORD);
    });

    it("shows nothing of it when it is not enabled", () => {
      const without = renderScript(plan());
      expect(renderScript(plan({ hostPreparation: { os: "linux", ssh } }))).toBe(without);
      expect(renderScript(plan({ hostPreparation: { enabled: false, os: "windows", ssh } }))).toBe(without);
      expect(without).not.toContain("MI_LINK_HOST_SCRIPT");
    });
  });

  it("quotes hostile database names through the builders", () => {
    const text = renderScript(plan({ links: resolveLinkNames(["a]; DROP DATABASE x--"]) }));
    expect(text).toContain("ALTER DATABASE [a]]; DROP DATABASE x--] SET RECOVERY FULL");
    expect(text).not.toMatch(/^DROP DATABASE/m);
  });
});

/**
 * The runbook end to end against the emulators: every T-SQL script of
 * "Configure link with scripts" as written (placeholders filled, GO batches),
 * with the Azure steps done through the real @azure/arm-sql client, and the
 * runbook's verification queries checked for what the runbook says they show.
 * Shared by the mssql suite and the FreeTDS interop suite.
 */
import { SqlManagementClient } from "@azure/arm-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticTokenCredential } from "../../src/testing/arm/credential";
import { armLongRunning } from "../../src/testing/arm/test-support";
import { startLocalWorld, type LocalWorld } from "../../src/testing/world";
import { seedScript } from "./runbook";
import { SqlScriptError, type ScriptRunner, type ServerAddress } from "./runners";

const DATABASE = "Sales";
const ENDPOINT_PORT = "5022";
const SQL_SERVER_IP = "10.0.0.4";
const MASTER_KEY_PASSWORD = "Str0ng!MasterKey#Pass";

export function defineRunbookTests(openRunner: (server: ServerAddress) => Promise<ScriptRunner>): void {
  describe("the runbook's scripts, in order", () => {
    let world: LocalWorld;
    let runner: ScriptRunner;
    let arm: SqlManagementClient;
    let names: Record<string, string>;
    let certificateName = "";

    beforeAll(async () => {
      world = await startLocalWorld({ databases: [DATABASE], seedingSeconds: 0.3 });
      runner = await openRunner(world.info.sql);
      arm = new SqlManagementClient(new StaticTokenCredential(), world.info.arm.subscriptionId, {
        endpoint: world.info.arm.endpoint,
        tlsOptions: { ca: world.info.arm.tlsCaPem },
      });
      names = {
        DatabaseName: DATABASE,
        DiskPath: `/var/opt/mssql/backup/${DATABASE}.bak`,
        strong_password: MASTER_KEY_PASSWORD,
        ManagedInstanceFQDN: world.info.arm.fqdn,
        ManagedInstanceName: world.info.arm.managedInstanceName,
        EndpointPort: ENDPOINT_PORT,
        SQLServerIP: SQL_SERVER_IP,
        SQLServerName: world.info.sql.serverName,
        AGNameOnSQLServer: `AG_${DATABASE}`,
        AGNameOnSQLMI: `AG_${DATABASE}_MI`,
        DAGName: `DAG_${DATABASE}`,
      };
    });

    afterAll(async () => {
      await runner?.close();
      await world?.stop();
    });

    const run = (file: string, extra: Record<string, string> = {}) =>
      runner.runScript(seedScript(file, { ...names, ...extra }));
    const rg = () => world.info.arm.resourceGroupName;
    const armLink = async (method: "PUT" | "DELETE", body?: unknown) => {
      const { endpoint, subscriptionId, resourceGroupName, managedInstanceName } = world.info.arm;
      const url =
        `${endpoint}/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}` +
        `/providers/Microsoft.Sql/managedInstances/${managedInstanceName}` +
        `/distributedAvailabilityGroups/${names.DAGName}?api-version=2023-08-01`;
      await armLongRunning(arm, url, method, body);
    };
    const mi = () => world.info.arm.managedInstanceName;

    it("sets FULL recovery and takes a full backup", async () => {
      await run("01-recovery-and-backup.sql");
      const row = world.sql.model.catalogTable("msdb.dbo.backupset", adminContext())!;
      expect(row.rows.length).toBeGreaterThan(0);
    });

    it("creates the master key once, then reports it exists", async () => {
      const first = await run("02-master-key.sql");
      expect(first.messages.join("\n")).toContain("Creating master key.");
      const second = await run("02-master-key.sql");
      expect(second.messages.join("\n")).toContain("Master key already exists.");
    });

    it("creates the endpoint certificate, encrypted by the master key", async () => {
      // The runbook's sample date is in the past; the runbook asks for a future one.
      const script = seedScript("03-endpoint-certificate.sql", names).replace("'03/30/2025'", "'03/30/2030'");
      await runner.runScript(script);
      const again = await runner.runScript(script);
      expect(again.messages.join("\n")).toMatch(/Certificate Cert_.*_endpoint already exists\./);
      const verify = await run("04-verify-certificate-mk.sql");
      const names_ = verify.resultSets[0].map((row) => row.name);
      certificateName = `Cert_${world.info.sql.serverName}_endpoint`;
      expect(names_).toContain(certificateName);
    });

    it("uploads the public key to the managed instance and imports the MI's certificate", async () => {
      const publicKey = await run("05-certificate-public-key.sql");
      expect(publicKey.resultSets[0][0].SQLServerCertName).toBe(certificateName);
      const blob = publicKey.resultSets[1][0].SQLServerPublicKey;
      const hex = Buffer.isBuffer(blob)
        ? "0x" + blob.toString("hex").toUpperCase()
        : "0x" + String(blob).replace(/^0x/i, "");
      expect(hex).toMatch(/^0x30820[0-9A-F]+$/i);
      await arm.serverTrustCertificates.beginCreateOrUpdateAndWait(rg(), mi(), certificateName, {
        publicBlob: hex,
      });
      const miCertificate = await arm.endpointCertificates.get(rg(), mi(), "DATABASE_MIRRORING");
      // The API returns the blob without 0x: add it, as the runbook says.
      await run("06-import-mi-certificate.sql", { PublicKey: "0x" + miCertificate.publicBlob });
    });

    it("imports the two root authorities and binds them to *.database.windows.net", async () => {
      const microsoft = await run("07-microsoft-pki.sql");
      expect(microsoft.messages.join("\n")).toContain("Creating MicrosoftPKI certificate.");
      await run("08-digicert-pki.sql");
      const rerun = await run("07-microsoft-pki.sql");
      expect(rerun.messages.join("\n")).toContain("Certificate MicrosoftPKI already exists.");
      const all = await run("09-list-certificates.sql");
      const listed = all.resultSets[0].map((row) => row.name);
      expect(listed).toEqual(
        expect.arrayContaining([certificateName, names.ManagedInstanceFQDN, "MicrosoftPKI", "DigiCertPKI"]),
      );
    });

    it("finds the MI certificate by issuer and validates its chain", async () => {
      const found = await run("10-find-mi-certificate.sql");
      expect(found.resultSets[0]).toHaveLength(1);
      const id = String(found.resultSets[0][0].certificate_id);
      await run("11-validate-mi-certificate.sql", { certificate_id: id });
    });

    it("creates the mirroring endpoint with certificate authentication and AES", async () => {
      const before = await run("13-list-mirroring-endpoints.sql");
      expect(before.resultSets[0] ?? []).toHaveLength(0);
      const name = await run("14-certificate-name.sql");
      expect(name.resultSets[0][0].SQLServerCertName).toBe(certificateName);
      await run("15-create-endpoint.sql", { SQL_SERVER_CERTIFICATE: certificateName });
      const verify = await run("16-verify-endpoint.sql");
      const endpoint = verify.resultSets[0][0];
      expect(endpoint.state_desc).toBe("STARTED");
      expect(endpoint.connection_auth_desc).toBe("CERTIFICATE");
      expect(endpoint.encryption_algorithm_desc).toBe("AES");
      expect(String(endpoint.is_encryption_enabled)).toMatch(/^(true|1)$/);
      // Only one DATABASE_MIRRORING endpoint per instance, whatever its name.
      const second = seedScript("15-create-endpoint.sql", {
        ...names,
        SQL_SERVER_CERTIFICATE: certificateName,
      }).replace("CREATE ENDPOINT database_mirroring_endpoint", "CREATE ENDPOINT second_mirroring_endpoint");
      await expect(runner.runScript(second)).rejects.toMatchObject({ number: 7862 });
    });

    it("creates the availability group and the distributed availability group", async () => {
      const server = await run("18-server-name.sql");
      expect(server.resultSets[0][0].SQLServerName).toBe(world.info.sql.serverName);
      await run("19-create-ag.sql");
      await run("20-create-dag.sql");
      const groups = await run("21-list-ags.sql");
      const byName = new Map(groups.resultSets[0].map((row) => [row.name, row]));
      expect(String(byName.get(names.AGNameOnSQLServer)?.is_distributed)).toMatch(/^(false|0)$/);
      expect(String(byName.get(names.DAGName)?.is_distributed)).toMatch(/^(true|1)$/);
      const before = await run("22-link-replica-state.sql");
      const miReplica = before.resultSets[0].find((row) => row.Replica === names.AGNameOnSQLMI);
      expect(miReplica?.["Connected state"]).toBe("DISCONNECTED");
    });

    it("creates the link in Azure; the MI replica becomes CONNECTED", async () => {
      // New-AzSqlInstanceLink: the 2023-08-01 shape, which @azure/arm-sql 10 predates.
      await armLink("PUT", {
        properties: {
          partnerAvailabilityGroupName: names.AGNameOnSQLServer,
          instanceAvailabilityGroupName: names.AGNameOnSQLMI,
          databases: [{ databaseName: DATABASE }],
          partnerEndpoint: `TCP://${SQL_SERVER_IP}:${ENDPOINT_PORT}`,
          instanceLinkRole: "Secondary",
        },
      });
      const deadline = Date.now() + 10_000;
      let state: unknown;
      while (Date.now() < deadline) {
        const rows = await run("22-link-replica-state.sql");
        state = rows.resultSets[0].find((row) => row.Replica === names.AGNameOnSQLMI)?.["Connected state"];
        if (state === "CONNECTED") break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(state).toBe("CONNECTED");
    });

    it("drops the link, the distributed availability group and the availability group", async () => {
      await armLink("DELETE");
      await run("23-drop-dag.sql");
      await run("24-drop-ag.sql", { AGName: names.AGNameOnSQLServer });
      const groups = await run("21-list-ags.sql");
      expect(groups.resultSets[0] ?? []).toHaveLength(0);
      await expect(run("23-drop-dag.sql")).rejects.toBeInstanceOf(SqlScriptError);
    });
  });
}

function adminContext() {
  return { login: "sa", database: "master", inTransaction: false, info: () => undefined };
}

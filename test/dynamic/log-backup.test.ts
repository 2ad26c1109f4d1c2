/**
 * The first log backup after seeding, through Pulumi's real dynamic-provider host against the
 * emulators: refused while the link's automatic seeding runs (nothing written to msdb), taken
 * exactly once after it completed, and never again on a re-run (a create that finds one taken
 * after seeding adopts it; an up with the state is a no-op).
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { armLongRunning } from "../../src/testing/arm/test-support";
import { startLocalWorld, type LocalWorld } from "../../src/testing/world";
import { buildIfStale } from "../support/build";
import { up } from "../support/engine-steps";
import { startProviderHost, urnFor, type ProviderHost } from "../support/provider-host";
import { serializeProvider } from "../support/serialize";
import { catalogRows, connectionInputs } from "./support/emulator";
import { runbookSession } from "./support/runbook";

const DB = "Sales";

/** The runbook's SQL Server objects and the Azure link: seeding starts once the link joins. */
async function createLink(world: LocalWorld): Promise<void> {
  const { arm, run, trustSqlServerCertificate } = runbookSession(world, DB);
  const { endpoint, subscriptionId, resourceGroupName: rg, managedInstanceName: mi } = world.info.arm;
  await run("01-recovery-and-backup.sql");
  await run("02-master-key.sql");
  await run("03-endpoint-certificate.sql", {}, (s) => s.replace("'03/30/2025'", "'03/30/2030'"));
  const certificateName = await trustSqlServerCertificate();
  const miCertificate = await arm.endpointCertificates.get(rg, mi, "DATABASE_MIRRORING");
  await run("06-import-mi-certificate.sql", { PublicKey: "0x" + miCertificate.publicBlob });
  await run("07-microsoft-pki.sql");
  await run("08-digicert-pki.sql");
  await run("15-create-endpoint.sql", { SQL_SERVER_CERTIFICATE: certificateName });
  await run("19-create-ag.sql");
  await run("20-create-dag.sql");
  await armLongRunning(
    arm,
    `${endpoint}/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Sql/managedInstances/${mi}` +
      `/distributedAvailabilityGroups/DAG_${DB}?api-version=2023-08-01`,
    "PUT",
    {
      properties: {
        partnerAvailabilityGroupName: `AG_${DB}`,
        instanceAvailabilityGroupName: `AG_${DB}_MI`,
        databases: [{ databaseName: DB }],
        partnerEndpoint: "TCP://10.0.0.4:5022",
        instanceLinkRole: "Secondary",
      },
    },
  );
}

describe("LogBackup provider", () => {
  let world: LocalWorld;
  let host: ProviderHost;
  let providerText: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:LogBackup", "first-log-backup");

  beforeAll(async () => {
    await buildIfStale();
    providerText = (await serializeProvider("./dist/dynamic/log-backup.js", "logBackupProvider")).text;
    // Seeding lasts long enough to be caught in progress.
    world = await startLocalWorld({ databases: [DB], seedingSeconds: 4, armOperationMs: 20 });
    host = await startProviderHost();
    await createLink(world);
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await world?.stop();
  });

  const inputs = (extra: Record<string, unknown> = {}) => ({
    __provider: providerText,
    connection: connectionInputs(world.sql),
    password: pulumi.secret(world.info.sql.password),
    database: DB,
    dagName: `DAG_${DB}`,
    backupTarget: { disk: `/var/opt/mssql/backup/${DB}.bak` },
    ...extra,
  });
  const logBackups = () =>
    catalogRows(world.sql, "msdb.dbo.backupset").filter((b) => b.database_name === DB && b.type === "L");
  const seedingState = () =>
    catalogRows(world.sql, "sys.dm_hadr_automatic_seeding").map((r) => String(r.current_state));

  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("refuses while seeding runs, takes one log backup after it, and none on a re-run", async () => {
    await until(() => seedingState().includes("SEEDING"), "seeding to start");
    const refused = await up(host, urn, inputs()).catch((e: unknown) => e);
    expect(String((refused as Error).message)).toMatch(/seeding of the link \[DAG_Sales\] has not completed/);
    expect(String((refused as Error).message)).toMatch(/1408\/1412/);
    expect(logBackups()).toEqual([]);

    await until(() => seedingState().includes("COMPLETED"), "seeding to complete");
    const created = await up(host, urn, inputs());
    expect(logBackups()).toHaveLength(1);
    expect(created.state.outputs).toMatchObject({
      backupTaken: true,
      backupSetId: logBackups()[0].backup_set_id,
    });

    // The next up with the state changes nothing; a create without it (state lost) adopts the backup.
    const again = await up(host, urn, inputs(), created.state);
    expect(again.op).toBe("same");
    const adopted = await up(host, urn, inputs());
    expect(adopted.state.outputs).toMatchObject({
      backupTaken: false,
      backupSetId: logBackups()[0].backup_set_id,
    });
    expect(logBackups()).toHaveLength(1);
  }, 60_000);

  it("refuses a negative seedingWaitSeconds and an empty backup target before any change", async () => {
    const checked = await host.check(urn, {}, inputs({ seedingWaitSeconds: -1 }));
    expect(checked.failures.map((f) => f.property)).toEqual(["seedingWaitSeconds"]);
    const noTarget = await host.check(urn, {}, inputs({ backupTarget: { disk: "" } }));
    expect(noTarget.failures.map((f) => f.property)).toEqual(["backupTarget.disk"]);
  });
});

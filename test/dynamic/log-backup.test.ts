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
import { preview, up } from "../support/engine-steps";
import { startProviderHost, urnFor, type ProviderHost } from "../support/provider-host";
import { serializeProvider } from "../support/serialize";
import { UNKNOWN } from "../support/wire";
import { catalogRows, connectionInputs } from "./support/emulator";
import { runbookSession } from "./support/runbook";

const DB = "Sales";
/** A second link, created later in the test that waits for its seeding. */
const WAITING_DB = "Orders";

/** The runbook's SQL Server objects and the Azure link: seeding starts once the link joins. */
async function createLink(world: LocalWorld, DB: string, serverObjects = true): Promise<void> {
  await runbookSession(world, DB).run("01-recovery-and-backup.sql");
  if (serverObjects) await createServerObjects(world, DB);
  await createGroups(world, DB);
}

/** The objects of the runbook shared by every link of the server: master key, certificates, endpoint. */
async function createServerObjects(world: LocalWorld, DB: string): Promise<void> {
  const { arm, run, trustSqlServerCertificate } = runbookSession(world, DB);
  const { resourceGroupName: rg, managedInstanceName: mi } = world.info.arm;
  await run("02-master-key.sql");
  await run("03-endpoint-certificate.sql", {}, (s) => s.replace("'03/30/2025'", "'03/30/2030'"));
  const certificateName = await trustSqlServerCertificate();
  const miCertificate = await arm.endpointCertificates.get(rg, mi, "DATABASE_MIRRORING");
  await run("06-import-mi-certificate.sql", { PublicKey: "0x" + miCertificate.publicBlob });
  await run("07-microsoft-pki.sql");
  await run("08-digicert-pki.sql");
  await run("15-create-endpoint.sql", { SQL_SERVER_CERTIFICATE: certificateName });
}

/** The link's availability groups and the Azure link. */
async function createGroups(world: LocalWorld, DB: string): Promise<void> {
  const { arm, run } = runbookSession(world, DB);
  const { endpoint, subscriptionId, resourceGroupName: rg, managedInstanceName: mi } = world.info.arm;
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
    world = await startLocalWorld({ databases: [DB, WAITING_DB], seedingSeconds: 4, armOperationMs: 20 });
    host = await startProviderHost();
    await createLink(world, DB);
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
  const logBackups = (database = DB) =>
    catalogRows(world.sql, "msdb.dbo.backupset").filter(
      (b) => b.database_name === database && b.type === "L",
    );
  /** The product's requests since the last reset, without the driver's own. */
  const productRequests = () =>
    world.sql.tds
      .requestLog()
      .map((entry) => entry.text)
      .filter((text) => !/^\s*SELECT 1;?\s*$/i.test(text) && !/^set textsize/i.test(text));
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
    world.sql.tds.resetCounters();
    const created = await up(host, urn, inputs());
    expect(logBackups()).toHaveLength(1);
    // The guard, the backup and the read that shows it travel as one request.
    expect(productRequests()).toHaveLength(1);
    expect(productRequests()[0]).toMatch(/BACKUP LOG \[Sales\]/);
    const seededAt = catalogRows(world.sql, "sys.dm_hadr_automatic_seeding")
      .filter((r) => String(r.current_state) === "COMPLETED")
      .map((r) => new Date(r.completion_time as Date).getTime());
    expect(new Date(logBackups()[0].backup_start_date as Date).getTime()).toBeGreaterThanOrEqual(
      Math.max(...seededAt),
    );
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

    // The link made again in Azure (a new linkId) is another first log backup: replaced. With no
    // seeding since, the backup already taken is found, not taken twice.
    const linkId = "5c0f1a52-3a0e-4b8e-9a43-0d6f0b6f2d11";
    const relinked = await up(host, urn, inputs({ linkId }), adopted.state);
    expect(relinked.op).toBe("replace");
    expect(relinked.plan.diff).toMatchObject({ replaces: ["linkId"] });
    expect(relinked.state.outputs).toMatchObject({
      linkId,
      backupTaken: false,
      backupSetId: logBackups()[0].backup_set_id,
    });
    expect(logBackups()).toHaveLength(1);
    // Unknown in a preview (the link being updated), the id plans an update; the same id changes nothing.
    const planned = await preview(host, urn, inputs({ linkId: UNKNOWN }), relinked.state);
    expect(planned).toMatchObject({ op: "update", diff: { replaces: [] } });
    expect((await up(host, urn, inputs({ linkId }), relinked.state)).op).toBe("same");
    // The database's group_database_id: the first value is recorded; a new one (the database put back
    // in its group) looks again, and finds the backup taken since the last seeding.
    const recorded = await up(host, urn, inputs({ linkId, groupDatabaseId: "A1" }), relinked.state);
    expect(recorded).toMatchObject({ op: "update", plan: { diff: { replaces: [] } } });
    const rejoined = await up(host, urn, inputs({ linkId, groupDatabaseId: "B2" }), recorded.state);
    expect(rejoined).toMatchObject({ op: "replace", plan: { diff: { replaces: ["groupDatabaseId"] } } });
    expect(rejoined.state.outputs).toMatchObject({
      backupTaken: false,
      backupSetId: logBackups()[0].backup_set_id,
    });
    expect(logBackups()).toHaveLength(1);
  }, 60_000);

  it("with seedingWaitSeconds, waits for a running seeding and takes the backup once it completed, polling at most once a second", async () => {
    const seeding = () => seedingState().filter((state) => state === "SEEDING").length;
    await createLink(world, WAITING_DB, false);
    await until(() => seeding() > 0, "the second link's seeding to start");
    world.sql.tds.resetCounters();
    const started = Date.now();
    const created = await up(
      host,
      urn,
      inputs({ database: WAITING_DB, dagName: `DAG_${WAITING_DB}`, seedingWaitSeconds: 30 }),
    );
    const waitedSeconds = (Date.now() - started) / 1000;
    expect(seeding()).toBe(0);
    expect(logBackups(WAITING_DB)).toHaveLength(1);
    expect(created.state.outputs).toMatchObject({
      backupTaken: true,
      backupSetId: logBackups(WAITING_DB)[0].backup_set_id,
    });
    // Each attempt is the guarded backup with its read; none ran the backup while seeding ran.
    const attempts = productRequests().filter((text) => /BACKUP LOG \[Orders\]/.test(text));
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts.length).toBeLessThanOrEqual(Math.ceil(waitedSeconds) + 1);
  }, 60_000);

  it("refuses a negative seedingWaitSeconds, an empty backup target, and a linkId or groupDatabaseId that is not a string before any change", async () => {
    const checked = await host.check(urn, {}, inputs({ seedingWaitSeconds: -1 }));
    expect(checked.failures.map((f) => f.property)).toEqual(["seedingWaitSeconds"]);
    const noTarget = await host.check(urn, {}, inputs({ backupTarget: { disk: "" } }));
    expect(noTarget.failures.map((f) => f.property)).toEqual(["backupTarget.disk"]);
    const notALinkId = await host.check(urn, {}, inputs({ linkId: 42 }));
    expect(notALinkId.failures).toEqual([{ property: "linkId", reason: expect.stringMatching(/a string/) }]);
    const notAnId = await host.check(urn, {}, inputs({ groupDatabaseId: ["x"] }));
    expect(notAnId.failures).toEqual([
      { property: "groupDatabaseId", reason: expect.stringMatching(/group_database_id.*a string/) },
    ]);
  });
});

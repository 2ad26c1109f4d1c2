/**
 * The managed instance's databases in the ARM emulator: a database appears once its link has seeded
 * it, reports earliestRestorePoint only once its first full backup exists (a delay after the managed
 * instance became primary), stays when its link is deleted after a failover, and goes with the link
 * when the managed instance never became primary.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AzureTarget } from "../../azure/client";
import { emulatorTarget } from "../../azure/emulator-target";
import { deleteLink, failoverLink } from "../../azure/links";
import { readManagedDatabase } from "../../azure/managed-database";
import { createSqlClient } from "../../azure/client";
import { ManagedDatabases } from "./managed-databases";
import { ArmEmulator } from "./server";
import { armLongRunning, configuredPartner, DEFAULT_TOPOLOGY } from "./test-support";

describe("ManagedDatabases", () => {
  it("shows earliestRestorePoint only once the delay after becoming primary has passed", () => {
    const databases = new ManagedDatabases(() => 1000);
    databases.observe([{ database: "sales", present: false, managedInstancePrimary: false }], 0);
    expect(databases.get("sales", 0)).toBeUndefined();
    databases.observe([{ database: "sales", present: true, managedInstancePrimary: false }], 10);
    expect(databases.get("SALES", 5000)).toEqual({ name: "sales", createdAt: new Date(10) });
    databases.observe([{ database: "sales", present: true, managedInstancePrimary: true }], 100);
    expect(databases.get("sales", 1099)?.earliestRestorePoint).toBeUndefined();
    expect(databases.get("sales", 1100)?.earliestRestorePoint).toEqual(new Date(1100));
  });

  it("keeps a database the managed instance holds as primary when its link is deleted, drops a replica", () => {
    const databases = new ManagedDatabases(() => 0);
    databases.observe(
      [
        { database: "kept", present: true, managedInstancePrimary: true },
        { database: "replica", present: true, managedInstancePrimary: false },
      ],
      0,
    );
    databases.linkDeleted(["kept", "replica"]);
    expect(databases.list(1).map((d) => d.name)).toEqual(["kept"]);
  });
});

describe("ARM emulator: GET managedInstances/{mi}/databases/{db}", () => {
  let emulator: ArmEmulator;
  let target: AzureTarget;

  beforeEach(async () => {
    emulator = new ArmEmulator({ lroDelayMs: 10, trustPollMs: 20, firstFullBackupDelayMs: 150 });
    const started = await emulator.start();
    const mi = emulator.managedInstance();
    const { partner, sqlCertificateDer } = configuredPartner(
      mi.fqdn,
      mi.endpointCertificate("DATABASE_MIRRORING").der,
    );
    emulator.attachSqlServer(partner);
    target = emulatorTarget(emulator, started);
    // The link joins SQL Server once the managed instance trusts SQL Server's certificate.
    await createSqlClient(target).serverTrustCertificates.beginCreateOrUpdateAndWait(
      emulator.resourceGroupName,
      mi.name,
      DEFAULT_TOPOLOGY.endpointCertificateName,
      { publicBlob: "0x" + sqlCertificateDer.toString("hex") },
      { updateIntervalInMs: 10 },
    );
    await armLongRunning(
      createSqlClient(target),
      `${started.endpoint}${mi.resourceId}/distributedAvailabilityGroups/${DEFAULT_TOPOLOGY.dagName}?api-version=2023-08-01`,
      "PUT",
      {
        properties: {
          partnerAvailabilityGroupName: DEFAULT_TOPOLOGY.sqlAgName,
          instanceAvailabilityGroupName: DEFAULT_TOPOLOGY.miAgName,
          partnerEndpoint: "TCP://sqlhost01.corp.example:5022",
          instanceLinkRole: "Secondary",
          databases: [{ databaseName: DEFAULT_TOPOLOGY.database }],
        },
      },
    );
  });
  afterEach(() => emulator.stop());

  async function waitForRestorePoint(): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const database = await readManagedDatabase(target, DEFAULT_TOPOLOGY.database);
      if (database?.earliestRestorePoint) return database.earliestRestorePoint;
      if (Date.now() > deadline) throw new Error(`no first full backup: ${JSON.stringify(database)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("reports the seeded database without a restore point until the managed instance is primary and backed up", async () => {
    expect(await readManagedDatabase(target, "nosuchdb")).toBeUndefined();
    const seeded = await readManagedDatabase(target, DEFAULT_TOPOLOGY.database);
    expect(seeded).toEqual({ name: DEFAULT_TOPOLOGY.database, status: "Online" });

    const before = Date.now();
    await failoverLink(target, DEFAULT_TOPOLOGY.dagName, "ForcedAllowDataLoss");
    const restorePoint = await waitForRestorePoint();
    expect(new Date(restorePoint).getTime()).toBeGreaterThanOrEqual(before);

    expect(await deleteLink(target, DEFAULT_TOPOLOGY.dagName)).toBe(true);
    expect(await readManagedDatabase(target, DEFAULT_TOPOLOGY.database)).toMatchObject({
      earliestRestorePoint: restorePoint,
    });
  });

  it("removes the read-only replica with a link deleted before any failover", async () => {
    expect(await readManagedDatabase(target, DEFAULT_TOPOLOGY.database)).toBeDefined();
    await deleteLink(target, DEFAULT_TOPOLOGY.dagName);
    expect(await readManagedDatabase(target, DEFAULT_TOPOLOGY.database)).toBeUndefined();
  });
});

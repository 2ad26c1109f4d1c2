/**
 * The link readiness provider through Pulumi's real dynamic-provider host, against the local world
 * (SQL Server emulator + ARM emulator): the runbook's trust, endpoint, AG and DAG on SQL Server and
 * the link created in Azure. First without the managed instance's certificate on SQL Server (the
 * wait times out with 41974 evidence and the fix), then with it (CONNECTED, seeding progress,
 * SYNCHRONIZING within the deadline), at most one query per poll interval.
 */
import type { SqlManagementClient } from "@azure/arm-sql";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { armLongRunning } from "../../src/testing/arm/test-support";
import { startLocalWorld, type LocalWorld } from "../../src/testing/world";
import { LINK_STATE_QUERY } from "../../src/tsql/queries/link-state";
import { buildIfStale } from "../support/build";
import { destroy, preview, refresh, up } from "../support/engine-steps";
import { ProviderHostError, startProviderHost, urnFor, type ProviderHost } from "../support/provider-host";
import { serializeProvider } from "../support/serialize";
import { plaintextPaths, UNKNOWN } from "../support/wire";
import { adminQuery } from "./support/availability-groups";
import {
  ENDPOINT_PORT,
  MASTER_KEY_PASSWORD,
  runbookSession,
  SQL_SERVER_IP,
  type RunbookSession,
} from "./support/runbook";

const DB = "Sales";
const DAG = `DAG_${DB}`;

describe("LinkReadiness provider", () => {
  let world: LocalWorld;
  let host: ProviderHost;
  let providerText: string;
  let agProviderText: string;
  let dagProviderText: string;
  let arm: SqlManagementClient;
  let names: Record<string, string>;
  let run: RunbookSession["run"];
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:LinkReadiness", "ready");

  beforeAll(async () => {
    await buildIfStale();
    providerText = (await serializeProvider("./dist/dynamic/link-readiness.js", "linkReadinessProvider"))
      .text;
    agProviderText = (
      await serializeProvider("./dist/dynamic/availability-group.js", "availabilityGroupProvider")
    ).text;
    dagProviderText = (
      await serializeProvider(
        "./dist/dynamic/distributed-availability-group.js",
        "distributedAvailabilityGroupProvider",
      )
    ).text;
    world = await startLocalWorld({ databases: [DB], seedingSeconds: 2.5 });
    host = await startProviderHost();
    const session = runbookSession(world, DB);
    ({ arm, names, run } = session);
    // The runbook on SQL Server, except importing the managed instance's certificate.
    await run("01-recovery-and-backup.sql");
    await run("02-master-key.sql");
    await run("03-endpoint-certificate.sql", {}, (s) => s.replace("'03/30/2025'", "'03/30/2030'"));
    const certificateName = await session.trustSqlServerCertificate();
    await run("07-microsoft-pki.sql");
    await run("08-digicert-pki.sql");
    await run("15-create-endpoint.sql", { SQL_SERVER_CERTIFICATE: certificateName });
    await run("19-create-ag.sql");
    await run("20-create-dag.sql");
    await armLink("PUT", { properties: linkProperties() });
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await world?.stop();
  });

  /** The link of the runbook, SQL Server as initial primary. */
  function linkProperties() {
    return {
      partnerAvailabilityGroupName: names.AGNameOnSQLServer,
      instanceAvailabilityGroupName: names.AGNameOnSQLMI,
      databases: [{ databaseName: DB }],
      partnerEndpoint: `TCP://${SQL_SERVER_IP}:${ENDPOINT_PORT}`,
      instanceLinkRole: "Secondary",
    };
  }

  async function armLink(method: "PUT" | "DELETE", body?: unknown, dagName = DAG): Promise<void> {
    const { endpoint, subscriptionId, resourceGroupName, managedInstanceName } = world.info.arm;
    const url =
      `${endpoint}/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}` +
      `/providers/Microsoft.Sql/managedInstances/${managedInstanceName}` +
      `/distributedAvailabilityGroups/${dagName}?api-version=2023-08-01`;
    await armLongRunning(arm, url, method, body);
  }

  const connectionOf = (extra: Record<string, unknown> = {}) => {
    const info = world.info.sql;
    return { host: info.host, port: info.port, user: info.user, trustServerCertificate: true, ...extra };
  };
  const inputs = (extra: Record<string, unknown> = {}) => ({
    __provider: providerText,
    connection: connectionOf(),
    password: pulumi.secret(world.info.sql.password),
    dagName: DAG,
    database: DB,
    ...extra,
  });
  const linkStateQueries = () =>
    world.sql.tds.requestLog().filter((entry) => entry.text === LINK_STATE_QUERY).length;

  it("refuses hostile and invalid input in check without sending a statement", async () => {
    world.sql.tds.resetCounters();
    const bad = await host.check(
      urn,
      {},
      inputs({
        dagName: "a]; DROP DATABASE x--",
        database: "master",
        waitFor: "ONLINE",
        timeoutSeconds: -1,
        pollIntervalSeconds: 0.1,
        connection: { host: "", port: 1433 },
        linkId: ["not", "an", "id"],
        groupDatabaseId: 7,
      }),
    );
    expect(bad.failures.map((f) => f.property).sort()).toEqual([
      "connection.host",
      "connection.user",
      "dagName",
      "database",
      "groupDatabaseId",
      "linkId",
      "pollIntervalSeconds",
      "timeoutSeconds",
      "waitFor",
    ]);
    const unknown = await host.check(
      urn,
      {},
      inputs({ dagName: UNKNOWN, database: UNKNOWN, timeoutSeconds: UNKNOWN, linkId: UNKNOWN }),
    );
    expect(unknown.failures).toEqual([]);
    expect(world.sql.tds.counters().requests).toBe(0);
  });

  it("times out with the 41974 evidence and the fix while SQL Server lacks the MI certificate", async () => {
    world.sql.tds.resetCounters();
    const started = Date.now();
    const failure = await up(host, urn, inputs({ timeoutSeconds: 2.5 })).catch((e: unknown) => e);
    const elapsed = (Date.now() - started) / 1000;
    expect(failure).toBeInstanceOf(ProviderHostError);
    const message = (failure as ProviderHostError).details;
    expect(message).toMatch(
      /The link \[DAG_Sales\] for database \[Sales\] did not become SYNCHRONIZING within 2\.5 s/,
    );
    expect(message).toMatch(/managed instance replica DISCONNECTED/);
    expect(message).toMatch(/last connection error 41974: /);
    expect(message).toMatch(
      /not imported on SQL Server: create it FROM BINARY under exactly the managed instance's FQDN/,
    );
    expect(elapsed).toBeLessThan(6);
    // One query per second at most.
    expect(linkStateQueries()).toBeLessThanOrEqual(Math.ceil(elapsed) + 1);
    const secrets = [world.info.sql.password, MASTER_KEY_PASSWORD];
    expect(secrets.some((s) => message.includes(s))).toBe(false);
    expect(host.logs().filter((entry) => secrets.some((s) => entry.message.includes(s)))).toEqual([]);
  });

  it("waits until CONNECTED and SYNCHRONIZING once trust is complete, reporting seeding progress; SYNCHRONIZED under synchronous commit", async () => {
    const { resourceGroupName, managedInstanceName } = world.info.arm;
    const mi = await arm.endpointCertificates.get(
      resourceGroupName,
      managedInstanceName,
      "DATABASE_MIRRORING",
    );
    await run("06-import-mi-certificate.sql", { PublicKey: "0x" + mi.publicBlob });
    world.sql.tds.resetCounters();
    const started = Date.now();
    const ready = await up(host, urn, inputs({ timeoutSeconds: 30 }));
    const elapsed = (Date.now() - started) / 1000;
    expect(ready.state.outputs).toMatchObject({
      connectedState: "CONNECTED",
      synchronizationState: expect.stringMatching(/^SYNCHRONIZ(ING|ED)$/),
      seedingProgressPercent: 100,
      lastHardenedLsn: expect.stringMatching(/^\d+$/),
      waitFor: "SYNCHRONIZING",
      timeoutSeconds: 30,
      pollIntervalSeconds: 1,
    });
    expect(Date.parse(String(ready.state.outputs.observedAt))).toBeGreaterThanOrEqual(started);
    expect(linkStateQueries()).toBeLessThanOrEqual(Math.ceil(elapsed) + 1);
    // Provider logs travel to the engine asynchronously: wait for the last one.
    await host.waitForLog((entry) =>
      entry.message.startsWith("Link [DAG_Sales] (database [Sales]) is SYNCHRONIZING"),
    );
    const progress = host
      .logs()
      .map((entry) => entry.message)
      .filter((m) => m.startsWith("Link [DAG_Sales] (database [Sales])"));
    expect(progress.some((m) => /seeding \w+ \d+%/.test(m) && /waiting for SYNCHRONIZING/.test(m))).toBe(
      true,
    );
    expect(progress.at(-1)).toMatch(
      /is SYNCHRONIZING: managed instance replica CONNECTED; database SYNCHRONIZ/,
    );
    expect(plaintextPaths(ready.state.outputs, [world.info.sql.password])).toEqual([]);
    expect(plaintextPaths(ready.plan.check.state, [world.info.sql.password])).toEqual([]);
    expect(providerText.includes(world.info.sql.password)).toBe(false);

    // A steady link (no workload) refreshes without change; a preview with the same inputs is empty.
    world.sql.model.setWorkload(DB, false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = (await refresh(host, ready.state))!.state;
    expect(await refresh(host, settled)).toMatchObject({ changed: false });
    expect((await preview(host, urn, inputs({ timeoutSeconds: 30 }), settled)).op).toBe("same");

    // Waiting settings update without SQL; the link's names replace.
    world.sql.tds.resetCounters();
    const patient = await up(host, urn, inputs({ timeoutSeconds: 900, pollIntervalSeconds: 5 }), settled);
    expect(patient.op).toBe("update");
    expect(world.sql.tds.counters().requests).toBe(0);
    const other = await preview(host, urn, inputs({ dagName: "DAG_Other" }), patient.state);
    expect(other.diff).toMatchObject({ replaces: ["dagName"], deleteBeforeReplace: false });
    // A link made again in Azure has a new id: waited for again (one query: it is ready). Unknown in a
    // preview (the link being updated), the id plans an update, not a wait.
    const linkId = "5c0f1a52-3a0e-4b8e-9a43-0d6f0b6f2d11";
    world.sql.tds.resetCounters();
    const relinked = await up(host, urn, inputs({ timeoutSeconds: 30, linkId }), settled);
    expect(relinked).toMatchObject({ op: "replace", plan: { diff: { replaces: ["linkId"] } } });
    expect(linkStateQueries()).toBe(1);
    expect(relinked.state.outputs).toMatchObject({ linkId, connectedState: "CONNECTED" });
    const planned = await preview(host, urn, inputs({ timeoutSeconds: 30, linkId: UNKNOWN }), relinked.state);
    expect(planned).toMatchObject({ op: "update", diff: { replaces: [] } });
    // The database's group_database_id: its first value is recorded, without a wait; a new one (the
    // database put back in its group) is waited for again.
    const recorded = await up(
      host,
      urn,
      inputs({ timeoutSeconds: 30, linkId, groupDatabaseId: "A1" }),
      relinked.state,
    );
    expect(recorded).toMatchObject({ op: "update", plan: { diff: { replaces: [] } } });
    world.sql.tds.resetCounters();
    const rejoined = await up(
      host,
      urn,
      inputs({ timeoutSeconds: 30, linkId, groupDatabaseId: "B2" }),
      recorded.state,
    );
    expect(rejoined).toMatchObject({ op: "replace", plan: { diff: { replaces: ["groupDatabaseId"] } } });
    expect(linkStateQueries()).toBe(1);

    // SYNCHRONIZED needs synchronous commit on both sides: the DAG on SQL Server and the link in Azure.
    world.sql.model.setWorkload(DB, true);
    await adminQuery(
      world.sql,
      `ALTER AVAILABILITY GROUP [${DAG}] MODIFY AVAILABILITY GROUP ON
       N'${names.AGNameOnSQLServer}' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT),
       N'${names.AGNameOnSQLMI}' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT)`,
    );
    await armLink("PUT", { properties: { ...linkProperties(), replicationMode: "Sync" } });
    const syncUrn = urnFor("pulumi-nodejs:dynamic/mi-link:LinkReadiness", "ready-sync");
    const synchronized = await up(host, syncUrn, inputs({ waitFor: "SYNCHRONIZED", timeoutSeconds: 30 }));
    expect(synchronized.state.outputs).toMatchObject({
      connectedState: "CONNECTED",
      synchronizationState: "SYNCHRONIZED",
    });
    await destroy(host, synchronized.state);

    // Delete observes nothing and changes nothing; once the link is gone, refresh reports it gone.
    world.sql.tds.resetCounters();
    await destroy(host, patient.state);
    expect(world.sql.tds.counters().requests).toBe(0);
    await armLink("DELETE");
    await run("23-drop-dag.sql");
    expect(await refresh(host, patient.state)).toBeUndefined();
  });
  it("with the managed instance as initial primary: AG, DAG and readiness through the providers, seeding into SQL Server", async () => {
    // Trust is complete (previous test). SQL Server 2022 CU13: the AG has no database and may create it.
    const common = { connection: connectionOf(), password: pulumi.secret(world.info.sql.password) };
    const ag = await up(host, urnFor("pulumi-nodejs:dynamic/mi-link:AvailabilityGroup", "ag"), {
      __provider: agProviderText,
      ...common,
      name: "AG_Inbound",
      replicaServerName: world.info.sql.serverName,
      endpointUrl: `TCP://${SQL_SERVER_IP}:${ENDPOINT_PORT}`,
      productVersion: "16.0.4125.3",
    });
    expect(ag.state.outputs).toMatchObject({
      databases: [],
      createAnyDatabaseGranted: true,
      clusterType: "NONE",
    });
    const dag = await up(host, urnFor("pulumi-nodejs:dynamic/mi-link:DistributedAvailabilityGroup", "dag"), {
      __provider: dagProviderText,
      ...common,
      name: "DAG_Inbound",
      agName: "AG_Inbound",
      miAgName: "AG_Inbound_MI",
      sqlServerListenerUrl: `TCP://${SQL_SERVER_IP}:${ENDPOINT_PORT}`,
      managedInstanceFqdn: world.info.arm.fqdn,
      managedInstanceName: world.info.arm.managedInstanceName,
      database: "Inbound",
      initialPrimary: "ManagedInstance",
    });
    expect(dag.state.outputs.localRole).toBe("SECONDARY");
    await armLink(
      "PUT",
      {
        properties: {
          partnerAvailabilityGroupName: "AG_Inbound",
          instanceAvailabilityGroupName: "AG_Inbound_MI",
          databases: [{ databaseName: "Inbound" }],
          partnerEndpoint: `TCP://${SQL_SERVER_IP}:${ENDPOINT_PORT}`,
          instanceLinkRole: "Primary",
        },
      },
      "DAG_Inbound",
    );
    const ready = await up(
      host,
      urn,
      inputs({ dagName: "DAG_Inbound", database: "Inbound", timeoutSeconds: 30 }),
    );
    expect(ready.state.outputs).toMatchObject({
      connectedState: "CONNECTED",
      synchronizationState: expect.stringMatching(/^SYNCHRONIZ(ING|ED)$/),
    });
    // Seeding created the database on SQL Server, inside the availability group.
    const [[database]] = await adminQuery(
      world.sql,
      "SELECT name, state_desc FROM sys.databases WHERE name = N'Inbound'",
    );
    expect(database).toMatchObject({ name: "Inbound", state_desc: "ONLINE" });
    expect((await refresh(host, ag.state))?.state.outputs.databases).toEqual(["Inbound"]);

    // Teardown in the engine's order: the link, the DAG, then the AG.
    await armLink("DELETE", undefined, "DAG_Inbound");
    await destroy(host, dag.state);
    await destroy(host, ag.state);
    expect(
      (
        await adminQuery(world.sql, "SELECT name FROM sys.availability_groups WHERE name LIKE N'%Inbound%'")
      )[0],
    ).toEqual([]);
  });
});

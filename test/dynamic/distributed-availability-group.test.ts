/**
 * The distributed availability group provider through Pulumi's real dynamic-provider host, against
 * the SQL Server emulator: lifecycle, availability mode in place, initialPrimary ignored once
 * created, adoption and conflicts, the managed instance as initial primary, hostile input, secrets,
 * and convergence of a create re-run after a fault at each of its statements.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { buildCreateDistributedAgSql } from "../../src/tsql";
import { destroy, preview, refresh, up } from "../support/engine-steps";
import { urnFor, type ProviderHost } from "../support/provider-host";
import { plaintextPaths, UNKNOWN } from "../support/wire";
import { adminQuery, agCatalog, convergenceRuns, productStatements } from "./support/availability-groups";
import { connectionInputs } from "./support/emulator";
import { lostReplyLifecycle } from "./support/lost-reply";
import { startProviderTestBed } from "./support/test-bed";

const DB = "Sales";
const AG = "AG_Sales";
const MI_AG = "AG_Sales_MI";
const DAG = "DAG_Sales";
const SQL_URL = "TCP://10.0.0.4:5022";
const MI_FQDN = "sqlmi1.abc123def456.database.windows.net";
const MI_URL = `tcp://${MI_FQDN}:5022;Server=[sqlmi1]`;

describe("DistributedAvailabilityGroup provider", () => {
  let emulator: SqlServerEmulator;
  let host: ProviderHost;
  let providerText: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:DistributedAvailabilityGroup", "dag");

  beforeAll(async () => {
    ({ providerText, emulator, host } = await startProviderTestBed(
      "./dist/dynamic/distributed-availability-group.js",
      "distributedAvailabilityGroupProvider",
      {
        productVersion: "16.0.4125.3",
        databases: [{ name: DB, recoveryModel: "FULL", fullBackup: true }],
      },
    ));
    await adminQuery(emulator, createAgSql(AG, DB));
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  const createAgSql = (name: string, db?: string) =>
    `CREATE AVAILABILITY GROUP [${name}] WITH (CLUSTER_TYPE = NONE) ${db ? `FOR DATABASE [${db}]` : "FOR"} REPLICA ON N'${emulator.connectionInfo().serverName}'
     WITH (ENDPOINT_URL = N'${SQL_URL}', AVAILABILITY_MODE = SYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC)`;
  const inputs = (extra: Record<string, unknown> = {}) => ({
    __provider: providerText,
    connection: connectionInputs(emulator),
    password: pulumi.secret(emulator.connectionInfo().password),
    name: DAG,
    agName: AG,
    miAgName: MI_AG,
    sqlServerListenerUrl: SQL_URL,
    managedInstanceFqdn: MI_FQDN,
    managedInstanceName: "sqlmi1",
    database: DB,
    ...extra,
  });
  const dagMembers = async (name = DAG) =>
    (
      await adminQuery(
        emulator,
        `SELECT r.replica_server_name, r.endpoint_url, r.availability_mode_desc, r.session_timeout
         FROM sys.availability_replicas r JOIN sys.availability_groups ag ON ag.group_id = r.group_id
         WHERE ag.name = N'${name}' AND ag.is_distributed = 1 ORDER BY r.replica_server_name`,
      )
    )[0];
  const groupIdOf = async (name = DAG) =>
    String(
      (
        await adminQuery(emulator, `SELECT group_id FROM sys.availability_groups WHERE name = N'${name}'`)
      )[0][0]?.group_id,
    );
  const dropDags = async () => {
    const rows = (
      await adminQuery(emulator, "SELECT name FROM sys.availability_groups WHERE is_distributed = 1")
    )[0];
    for (const row of rows) await adminQuery(emulator, `DROP AVAILABILITY GROUP [${String(row.name)}]`);
  };

  it("creates, reads without drift, switches the availability mode in place, refreshes a drop, deletes", async () => {
    await dropDags();
    emulator.tds.resetCounters();
    const created = await up(host, urn, inputs());
    expect(created.op).toBe("create");
    const create = productStatements(emulator.tds.requestLog()).find((e) => e.text.startsWith("CREATE"));
    expect(create?.text.indexOf(`N'${AG}' WITH`)).toBeLessThan(create!.text.indexOf(`N'${MI_AG}' WITH`));
    expect(await dagMembers()).toEqual([
      {
        replica_server_name: AG,
        endpoint_url: SQL_URL,
        availability_mode_desc: "ASYNCHRONOUS_COMMIT",
        session_timeout: 20,
      },
      {
        replica_server_name: MI_AG,
        endpoint_url: MI_URL,
        availability_mode_desc: "ASYNCHRONOUS_COMMIT",
        session_timeout: expect.any(Number),
      },
    ]);
    expect(created.state.outputs).toMatchObject({
      adopted: false,
      localRole: "PRIMARY",
      availabilityMode: "ASYNCHRONOUS_COMMIT",
      sessionTimeout: 20,
      initialPrimary: "SqlServer",
      members: [
        { agName: AG, listenerUrl: SQL_URL, availabilityMode: "ASYNCHRONOUS_COMMIT", role: "PRIMARY" },
        { agName: MI_AG, listenerUrl: MI_URL, availabilityMode: "ASYNCHRONOUS_COMMIT" },
      ],
    });

    expect((await refresh(host, created.state))?.changed).toBe(false);
    expect((await preview(host, urn, inputs(), created.state)).op).toBe("same");
    // initialPrimary was a creation-time choice: changing it later plans nothing.
    expect((await preview(host, urn, inputs({ initialPrimary: "ManagedInstance" }), created.state)).op).toBe(
      "same",
    );

    emulator.tds.resetCounters();
    const reconnected = await up(
      host,
      urn,
      inputs({ connection: connectionInputs(emulator, { connectTimeoutMs: 20_000 }) }),
      created.state,
    );
    expect(reconnected.op).toBe("update");
    expect(emulator.tds.counters().requests).toBe(0);

    emulator.tds.resetCounters();
    const sync = await up(host, urn, inputs({ availabilityMode: "SYNCHRONOUS_COMMIT" }), reconnected.state);
    expect(sync.op).toBe("update");
    expect(
      productStatements(emulator.tds.requestLog())
        .filter((e) => e.text.startsWith("ALTER"))
        .map((e) => e.text),
    ).toEqual([
      `ALTER AVAILABILITY GROUP [${DAG}]\nMODIFY\nAVAILABILITY GROUP ON\n` +
        `    N'${AG}' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT),\n` +
        `    N'${MI_AG}' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT);`,
    ]);
    expect((await dagMembers()).map((m) => m.availability_mode_desc)).toEqual([
      "SYNCHRONOUS_COMMIT",
      "SYNCHRONOUS_COMMIT",
    ]);
    expect(sync.state.outputs.availabilityMode).toBe("SYNCHRONOUS_COMMIT");

    // One member switched back out of band: refresh shows no common mode; up sets both again.
    await adminQuery(
      emulator,
      `ALTER AVAILABILITY GROUP [${DAG}] MODIFY AVAILABILITY GROUP ON N'${AG}' WITH (AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT)`,
    );
    const drifted = await refresh(host, sync.state);
    expect(drifted?.changed).toBe(true);
    expect(drifted?.state.outputs.availabilityMode).toBeNull();
    const repaired = await up(host, urn, inputs({ availabilityMode: "SYNCHRONOUS_COMMIT" }), drifted!.state);
    expect(repaired.op).toBe("update");
    expect((await dagMembers()).map((m) => m.availability_mode_desc)).toEqual([
      "SYNCHRONOUS_COMMIT",
      "SYNCHRONOUS_COMMIT",
    ]);

    await adminQuery(emulator, `DROP AVAILABILITY GROUP [${DAG}]`);
    expect(await refresh(host, repaired.state)).toBeUndefined();
    const again = await up(host, urn, inputs());
    await destroy(host, again.state);
    expect(await dagMembers()).toEqual([]);
    expect(await refresh(host, again.state)).toBeUndefined();
    await destroy(host, again.state); // already gone
  });

  it("carries the group's group_id in its id: kept while the group stays, new when the group is made again", async () => {
    await dropDags();
    const created = await up(host, urn, inputs());
    const first = await groupIdOf();
    expect(created.state.id).toMatch(new RegExp(`/distributed-availability-group/${DAG}#${first}$`));
    expect(created.state.outputs.groupId).toBe(first);
    expect((await refresh(host, created.state))?.changed).toBe(false);
    const sync = await up(host, urn, inputs({ availabilityMode: "SYNCHRONOUS_COMMIT" }), created.state);
    expect(sync.op).toBe("update");
    expect(sync.state.outputs.groupId).toBe(first);

    // Dropped and made again out of band, the same definition: a new group, which refresh reports.
    await adminQuery(emulator, `DROP AVAILABILITY GROUP [${DAG}]`);
    const remade = buildCreateDistributedAgSql({
      dagName: DAG,
      agName: AG,
      miAgName: MI_AG,
      sqlServerListenerUrl: SQL_URL,
      miFqdn: MI_FQDN,
      miName: "sqlmi1",
      database: DB,
      initialPrimary: "SqlServer",
      availabilityMode: "SYNCHRONOUS_COMMIT",
    });
    await adminQuery(emulator, remade);
    const second = await groupIdOf();
    expect(second).not.toBe(first);
    const refreshed = await refresh(host, sync.state);
    expect(refreshed?.changed).toBe(true);
    expect(refreshed?.state.id).toBe(created.state.id.replace(first, second));
    expect(refreshed?.state.outputs.groupId).toBe(second);
    expect(
      (await preview(host, urn, inputs({ availabilityMode: "SYNCHRONOUS_COMMIT" }), refreshed!.state)).op,
    ).toBe("same");

    // Dropped, then made again by the next up: a new id too.
    await adminQuery(emulator, `DROP AVAILABILITY GROUP [${DAG}]`);
    expect(await refresh(host, refreshed!.state)).toBeUndefined();
    const recreated = await up(host, urn, inputs());
    const third = await groupIdOf();
    expect(recreated.state.id).toBe(created.state.id.replace(first, third));
    await destroy(host, recreated.state);
  });

  it("replaces on names and URLs, deleting first when the name stays", async () => {
    await dropDags();
    const created = await up(host, urn, inputs());
    for (const [key, value] of [
      ["sqlServerListenerUrl", "TCP://sql1.contoso.com:5022"],
      ["managedInstanceName", "sqlmi2"],
      ["miAgName", "AG_Other_MI"],
      ["sessionTimeout", 30],
    ] as const) {
      const plan = await preview(host, urn, inputs({ [key]: value }), created.state);
      expect(plan.diff).toMatchObject({ replaces: [key], deleteBeforeReplace: true });
    }
    const renamed = await preview(host, urn, inputs({ name: "DAG_Sales2" }), created.state);
    expect(renamed.diff).toMatchObject({ replaces: ["name"], deleteBeforeReplace: false });
    const moved = await up(
      host,
      urn,
      inputs({ sqlServerListenerUrl: "TCP://sql1.contoso.com:5022" }),
      created.state,
    );
    expect(moved.op).toBe("replace");
    expect((await dagMembers())[0].endpoint_url).toBe("TCP://sql1.contoso.com:5022");
    await destroy(host, moved.state);
  });

  it("adopts a matching group and leaves it on delete; refuses conflicting ones", async () => {
    await dropDags();
    const createDag = (name: string, miUrl: string) =>
      adminQuery(
        emulator,
        `CREATE AVAILABILITY GROUP [${name}] WITH (DISTRIBUTED) AVAILABILITY GROUP ON
         N'${AG}' WITH (LISTENER_URL = N'${SQL_URL}', AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC, SESSION_TIMEOUT = 20),
         N'${MI_AG}' WITH (LISTENER_URL = N'${miUrl}', AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC)`,
      );
    await createDag(DAG, MI_URL);
    const adopted = await up(host, urn, inputs());
    expect(adopted.state.outputs.adopted).toBe(true);
    expect((await preview(host, urn, inputs(), adopted.state)).op).toBe("same");
    await destroy(host, adopted.state);
    expect(await dagMembers()).toHaveLength(2);

    await expect(up(host, urn, inputs({ managedInstanceName: "othermi" }))).rejects.toThrow(
      /\[DAG_Sales\].*'AG_Sales_MI' listens on tcp:\/\/sqlmi1\..*, not tcp:\/\/sqlmi1\..*Server=\[othermi\].*another name/s,
    );
    await expect(up(host, urn, inputs({ name: AG }))).rejects.toThrow(
      /a regular availability group, not a distributed one/,
    );

    const owned = await up(host, urn, inputs({ dropAdoptedOnDelete: true }));
    await destroy(host, owned.state);
    expect(await dagMembers()).toEqual([]);
  });

  it("lists the managed instance first, with the database in its URL, when it is the initial primary", async () => {
    await dropDags();
    await adminQuery(emulator, createAgSql("AG_Inbound"));
    emulator.tds.resetCounters();
    const created = await up(
      host,
      urn,
      inputs({ agName: "AG_Inbound", initialPrimary: "ManagedInstance", database: "Inbound" }),
    );
    const create = productStatements(emulator.tds.requestLog()).find((e) =>
      e.text.startsWith("CREATE"),
    )!.text;
    expect(create.indexOf(`N'${MI_AG}' WITH`)).toBeLessThan(create.indexOf("N'AG_Inbound' WITH"));
    expect(create).toContain(`LISTENER_URL = N'${MI_URL};Database=[Inbound]'`);
    expect(created.state.outputs.localRole).toBe("SECONDARY");
    await destroy(host, created.state);
    await adminQuery(emulator, "DROP AVAILABILITY GROUP [AG_Inbound]");
  });

  it("refuses hostile and invalid input in check without sending a statement", async () => {
    emulator.tds.resetCounters();
    const bad = await host.check(
      urn,
      {},
      inputs({
        name: "a]; DROP DATABASE x--",
        agName: "x'--",
        miAgName: "m".repeat(129),
        sqlServerListenerUrl: "TCP://h:5022'--",
        managedInstanceFqdn: "bad host",
        managedInstanceName: "Bad_Name",
        database: "tempdb",
        initialPrimary: "Azure",
        availabilityMode: "FAST",
        sessionTimeout: 2,
        connection: { host: "bad host;", port: 0 },
      }),
    );
    expect(bad.failures.map((f) => f.property).sort()).toEqual([
      "agName",
      "availabilityMode",
      "connection.host",
      "connection.port",
      "connection.user",
      "database",
      "initialPrimary",
      "managedInstanceFqdn",
      "managedInstanceName",
      "miAgName",
      "name",
      "sessionTimeout",
      "sqlServerListenerUrl",
    ]);
    // Only the whole statement shows these: a database the MI URL cannot carry, an address as FQDN.
    const miPrimary = await host.check(
      urn,
      {},
      inputs({ initialPrimary: "ManagedInstance", database: "a;b" }),
    );
    expect(miPrimary.failures.map((f) => f.property)).toEqual(["database"]);
    const address = await host.check(urn, {}, inputs({ managedInstanceFqdn: "10.0.0.9" }));
    expect(address.failures.map((f) => f.property)).toEqual(["managedInstanceFqdn"]);
    const unknown = await host.check(
      urn,
      {},
      inputs({
        name: UNKNOWN,
        sqlServerListenerUrl: UNKNOWN,
        managedInstanceFqdn: UNKNOWN,
        database: UNKNOWN,
        initialPrimary: UNKNOWN,
      }),
    );
    expect(unknown.failures).toEqual([]);
    expect(emulator.tds.counters().requests).toBe(0);
  });

  it("keeps the password out of state, __provider and the host's logs", async () => {
    await dropDags();
    const secret = emulator.connectionInfo().password;
    const created = await up(host, urn, inputs());
    expect(plaintextPaths(created.plan.check.state, [secret])).toEqual([]);
    expect(plaintextPaths(created.state.outputs, [secret])).toEqual([]);
    expect(providerText.includes(secret)).toBe(false);
    expect(host.logs().filter((entry) => entry.message.includes(secret))).toEqual([]);
    await destroy(host, created.state);
  });

  it("converges when create is re-run after a fault at any of its statements", async () => {
    await dropDags();
    await destroy(host, (await up(host, urn, inputs())).state); // warms the connection pool
    emulator.tds.resetCounters();
    const clean = await up(host, urn, inputs());
    const statements = productStatements(emulator.tds.requestLog());
    const expected = await agCatalog(emulator);
    await destroy(host, clean.state);
    // The read, then CREATE with the read of the new group in the same request.
    expect(statements.length).toBeGreaterThanOrEqual(2);
    const runs = await convergenceRuns({
      host,
      emulator,
      urn,
      inputs: () => inputs(),
      reset: dropDags,
      statements,
    });
    const unfailed = runs.filter((run) => !run.failed).map((run) => run.label);
    expect(unfailed.filter((label) => !/^drop at statement \d+ \(SELECT/.test(label))).toEqual([]);
    expect(runs.some((run) => run.partial)).toBe(true);
    for (const run of runs)
      expect({ label: run.label, catalog: run.catalog }).toEqual({ label: run.label, catalog: expected });
    await dropDags();
  });

  it("a CREATE of the distributed group whose reply is lost stays the stack's: finished by the next up, dropped by destroy", async () => {
    await dropDags();
    const run = await lostReplyLifecycle({
      host,
      emulator,
      urn,
      inputs: () => inputs(),
      createStatement: /CREATE AVAILABILITY GROUP \[DAG_Sales\]/,
      exists: async () => (await dagMembers()).length > 0,
      additionalSecretOutputs: ["password", "accessToken"],
    });
    expect(run.rerun.state.outputs.members).toHaveLength(2);
    // Its id was given before the reply that carried the group_id: the group it made keeps it.
    expect(run.rerun.state.id).toMatch(new RegExp(`/distributed-availability-group/${DAG}$`));
    expect(run.rerun.state.outputs.groupId).toEqual(expect.stringMatching(/^[0-9A-F-]{36}$/i));
  });

  it("a CREATE of the distributed group that ran although its request failed stays the stack's: finished by the next up, dropped by destroy", async () => {
    await dropDags();
    await lostReplyLifecycle({
      host,
      emulator,
      urn,
      inputs: () => inputs(),
      createStatement: /CREATE AVAILABILITY GROUP \[DAG_Sales\]/,
      fault: "run-then-error",
      exists: async () => (await dagMembers()).length > 0,
      additionalSecretOutputs: ["password", "accessToken"],
    });
  });
});

/**
 * The availability group provider through Pulumi's real dynamic-provider host, against the SQL
 * Server emulator: lifecycle, endpoint URL change in place, adoption and conflicts, the refusal to
 * drop a group a distributed availability group uses, hostile input, versions, and convergence of
 * a create re-run after a fault at each of its statements.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { destroy, preview, refresh, up } from "../support/engine-steps";
import { urnFor, type ProviderHost } from "../support/provider-host";
import { plaintextPaths, UNKNOWN } from "../support/wire";
import { adminQuery, agCatalog, convergenceRuns, productStatements } from "./support/availability-groups";
import { connectionInputs } from "./support/emulator";
import { lostReplyLifecycle } from "./support/lost-reply";
import { startProviderTestBed } from "./support/test-bed";

const DB = "Sales";
const AG = "AG_Sales";
const URL_1 = "TCP://10.0.0.4:5022";
const URL_2 = "TCP://sql1.contoso.com:5022";

describe("AvailabilityGroup provider", () => {
  let emulator: SqlServerEmulator;
  let host: ProviderHost;
  let providerText: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:AvailabilityGroup", "ag");

  beforeAll(async () => {
    ({ providerText, emulator, host } = await startProviderTestBed(
      "./dist/dynamic/availability-group.js",
      "availabilityGroupProvider",
      {
        productVersion: "16.0.4125.3",
        databases: [
          { name: DB, recoveryModel: "FULL", fullBackup: true },
          { name: "Other", recoveryModel: "FULL", fullBackup: true },
        ],
      },
    ));
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  const inputs = (extra: Record<string, unknown> = {}, e: SqlServerEmulator = emulator) => ({
    __provider: providerText,
    connection: connectionInputs(e),
    password: pulumi.secret(e.connectionInfo().password),
    name: AG,
    database: DB,
    replicaServerName: e.connectionInfo().serverName,
    endpointUrl: URL_1,
    productVersion: "16.0.4125.3",
    ...extra,
  });
  const groups = async () =>
    (await adminQuery(emulator, "SELECT name FROM sys.availability_groups ORDER BY name"))[0].map(
      (r) => r.name,
    );
  const dropAll = async () => {
    for (const name of (await groups()).reverse()) {
      const dag = (
        await adminQuery(
          emulator,
          `SELECT is_distributed FROM sys.availability_groups WHERE name = N'${name}'`,
        )
      )[0];
      if (dag[0]?.is_distributed) await adminQuery(emulator, `DROP AVAILABILITY GROUP [${name}]`);
    }
    for (const name of await groups()) await adminQuery(emulator, `DROP AVAILABILITY GROUP [${name}]`);
  };

  it("creates, reads without drift, changes the endpoint URL in place, refreshes a drop, deletes", async () => {
    await dropAll();
    const created = await up(host, urn, inputs());
    expect(created.op).toBe("create");
    expect(created.state.outputs).toMatchObject({
      adopted: false,
      clusterType: "NONE",
      databases: [DB],
      endpointUrl: URL_1,
      replicaServerName: emulator.connectionInfo().serverName,
    });
    const [replica] = (
      await adminQuery(
        emulator,
        `SELECT r.endpoint_url, ag.cluster_type_desc FROM sys.availability_replicas r
        JOIN sys.availability_groups ag ON ag.group_id = r.group_id WHERE ag.name = N'${AG}'`,
      )
    )[0];
    expect(replica).toMatchObject({ endpoint_url: URL_1, cluster_type_desc: "none" });

    expect((await refresh(host, created.state))?.changed).toBe(false);
    expect((await preview(host, urn, inputs(), created.state)).op).toBe("same");

    // Connection and credential changes: an update that sends no SQL.
    emulator.tds.resetCounters();
    const reconnected = await up(
      host,
      urn,
      inputs({ connection: connectionInputs(emulator, { requestTimeoutMs: 20_000 }) }),
      created.state,
    );
    expect(reconnected.op).toBe("update");
    expect(emulator.tds.counters().requests).toBe(0);

    // The endpoint URL changes in place with one ALTER.
    emulator.tds.resetCounters();
    const moved = await up(host, urn, inputs({ endpointUrl: URL_2 }), reconnected.state);
    expect(moved.op).toBe("update");
    const sent = productStatements(emulator.tds.requestLog()).map((e) => e.text);
    expect(sent.filter((t) => /ALTER AVAILABILITY GROUP/.test(t))).toEqual([
      `ALTER AVAILABILITY GROUP [${AG}]\nMODIFY REPLICA ON N'${emulator.connectionInfo().serverName}'\nWITH (ENDPOINT_URL = N'${URL_2}');`,
    ]);
    expect(moved.state.outputs.endpointUrl).toBe(URL_2);

    // Out-of-band URL change: refresh reports it; the next up changes it back.
    await adminQuery(
      emulator,
      `ALTER AVAILABILITY GROUP [${AG}] MODIFY REPLICA ON N'${emulator.connectionInfo().serverName}' WITH (ENDPOINT_URL = N'${URL_1}')`,
    );
    const drifted = await refresh(host, moved.state);
    expect(drifted).toMatchObject({ changed: true, state: { outputs: { endpointUrl: URL_1 } } });
    expect((await preview(host, urn, inputs({ endpointUrl: URL_2 }), drifted!.state)).op).toBe("update");

    await adminQuery(emulator, `DROP AVAILABILITY GROUP [${AG}]`);
    expect(await refresh(host, moved.state)).toBeUndefined();

    const again = await up(host, urn, inputs());
    expect(again.state.outputs.adopted).toBe(false);
    await destroy(host, again.state);
    expect(await groups()).toEqual([]);
    expect(await refresh(host, again.state)).toBeUndefined();
    await destroy(host, again.state); // already gone
  });

  it("puts back a database taken out of the group out of band, with one ALTER and a new group_database_id; refused with SQL Server's error and fix while the database does not qualify", async () => {
    await dropAll();
    const created = await up(host, urn, inputs());
    const firstId = created.state.outputs.groupDatabaseId;
    const [[row]] = await adminQuery(
      emulator,
      `SELECT group_database_id FROM sys.availability_databases_cluster WHERE database_name = N'${DB}'`,
    );
    expect(firstId).toBe(row.group_database_id);
    expect(firstId).toMatch(/^[0-9A-F-]{36}$/i);

    await adminQuery(emulator, `ALTER AVAILABILITY GROUP [${AG}] REMOVE DATABASE [${DB}]`);
    const drifted = await refresh(host, created.state);
    expect(drifted).toMatchObject({
      changed: true,
      state: { outputs: { databases: [], groupDatabaseId: null } },
    });
    const planned = await preview(host, urn, inputs(), drifted!.state);
    expect(planned.op).toBe("update");
    // Without a refresh nothing was read: the state still holds the database, so nothing is planned.
    expect((await preview(host, urn, inputs(), created.state)).op).toBe("same");

    emulator.tds.resetCounters();
    const repaired = await up(host, urn, inputs(), drifted!.state);
    expect(repaired.op).toBe("update");
    const sent = productStatements(emulator.tds.requestLog()).map((e) => e.text);
    expect(sent.filter((t) => /ALTER AVAILABILITY GROUP/.test(t))).toEqual([
      `ALTER AVAILABILITY GROUP [${AG}] ADD DATABASE [${DB}];`,
    ]);
    expect(repaired.state.outputs).toMatchObject({ databases: [DB] });
    expect(repaired.state.outputs.groupDatabaseId).toMatch(/^[0-9A-F-]{36}$/i);
    expect(repaired.state.outputs.groupDatabaseId).not.toBe(firstId);
    expect(await refresh(host, repaired.state)).toMatchObject({ changed: false });
    expect((await preview(host, urn, inputs(), repaired.state)).op).toBe("same");

    // Taken out again and the database no longer meets the group's conditions: the update fails with
    // SQL Server's error and its fix, and the state still asks for the database on the next up.
    await adminQuery(emulator, `ALTER AVAILABILITY GROUP [${AG}] REMOVE DATABASE [${DB}]`);
    await adminQuery(emulator, `ALTER DATABASE [${DB}] SET RECOVERY SIMPLE`);
    const stale = await refresh(host, repaired.state);
    await expect(up(host, urn, inputs(), stale!.state)).rejects.toThrow(
      /put the database back.*\[Sales\].*not in full recovery mode.*FULL/s,
    );
    expect((await preview(host, urn, inputs(), stale!.state)).op).toBe("update");
    await adminQuery(emulator, `ALTER DATABASE [${DB}] SET RECOVERY FULL`);
    await adminQuery(emulator, `BACKUP DATABASE [${DB}] TO DISK = N'/backups/sales.bak'`);
    const healed = await up(host, urn, inputs(), stale!.state);
    expect(healed.state.outputs.databases).toEqual([DB]);
    await destroy(host, healed.state);
    expect(await groups()).toEqual([]);
  });

  it("replaces on a new name or database, deleting first only when the name stays", async () => {
    await dropAll();
    const created = await up(host, urn, inputs());
    const renamed = await preview(host, urn, inputs({ name: "AG_Sales2" }), created.state);
    expect(renamed.op).toBe("replace");
    expect(renamed.diff).toMatchObject({ replaces: ["name"], deleteBeforeReplace: false });
    const otherDb = await preview(host, urn, inputs({ database: "Other" }), created.state);
    expect(otherDb.diff).toMatchObject({ replaces: ["database"], deleteBeforeReplace: true });
    const upgraded = await preview(host, urn, inputs({ productVersion: "16.0.4135.4" }), created.state);
    expect(upgraded.op).toBe("update");

    const replaced = await up(host, urn, inputs({ database: "Other" }), created.state);
    expect(replaced.op).toBe("replace");
    expect(replaced.state.outputs.databases).toEqual(["Other"]);
    await destroy(host, replaced.state);
    expect(await groups()).toEqual([]);
  });

  it("adopts a matching group and leaves it on delete; refuses conflicting ones", async () => {
    await dropAll();
    const server = emulator.connectionInfo().serverName;
    const createSql = (db: string, name = AG) =>
      `CREATE AVAILABILITY GROUP [${name}] WITH (CLUSTER_TYPE = NONE) FOR DATABASE [${db}] REPLICA ON N'${server}'
       WITH (ENDPOINT_URL = N'${URL_1}', AVAILABILITY_MODE = SYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC)`;
    await adminQuery(emulator, createSql(DB));
    const adopted = await up(host, urn, inputs());
    expect(adopted.state.outputs.adopted).toBe(true);
    await destroy(host, adopted.state);
    expect(await groups()).toEqual([AG]);

    // Same name, another database: a conflict naming the group, the difference and the fix.
    const conflict = up(host, urn, inputs({ database: "Other" }));
    await expect(conflict).rejects.toThrow(
      /availability group \[AG_Sales\].*\[Sales\], not only \[Other\].*another name/s,
    );

    // A distributed availability group of that name is not adoptable.
    await adminQuery(
      emulator,
      `CREATE AVAILABILITY GROUP [DAG_X] WITH (DISTRIBUTED) AVAILABILITY GROUP ON
       N'${AG}' WITH (LISTENER_URL = N'${URL_1}', AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC),
       N'AG_Sales_MI' WITH (LISTENER_URL = N'tcp://mi.x.database.windows.net:5022;Server=[mi]', AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC)`,
    );
    await expect(up(host, urn, inputs({ name: "DAG_X" }))).rejects.toThrow(
      /distributed availability group, not a regular one/,
    );

    // dropAdoptedOnDelete: refused while the DAG uses the group, with the fix.
    const owned = await up(host, urn, inputs({ dropAdoptedOnDelete: true }));
    await expect(destroy(host, owned.state)).rejects.toThrow(
      /\[DAG_X\] still uses it\. Remove the link first/,
    );
    expect(await groups()).toEqual([AG, "DAG_X"]);
    await adminQuery(emulator, "DROP AVAILABILITY GROUP [DAG_X]");
    await destroy(host, owned.state);
    expect(await groups()).toEqual([]);
  });

  it("refuses hostile and invalid input in check without sending a statement", async () => {
    emulator.tds.resetCounters();
    const bad = await host.check(
      urn,
      {},
      inputs({
        name: "a".repeat(129),
        database: "master",
        replicaServerName: "bad\u0000name",
        endpointUrl: "TCP://h:5022'; DROP DATABASE x--",
        productVersion: "sixteen",
        connection: { host: "bad host;", port: 70000 },
      }),
    );
    expect(bad.failures.map((f) => f.property).sort()).toEqual([
      "connection.host",
      "connection.port",
      "connection.user",
      "database",
      "endpointUrl",
      "name",
      "productVersion",
      "replicaServerName",
    ]);
    for (const endpointUrl of ["10.0.0.4:5022", "TCP://10.0.0.4:70000", "TCP://a b:5022", "TCP://h:5022/x"]) {
      const result = await host.check(urn, {}, inputs({ endpointUrl }));
      expect(result.failures.map((f) => f.property)).toEqual(["endpointUrl"]);
    }
    // The managed instance as initial primary needs SQL Server 2022 CU10.
    const old = await host.check(urn, {}, inputs({ database: undefined, productVersion: "15.0.4312.2" }));
    expect(old.failures).toEqual([{ property: "productVersion", reason: expect.stringMatching(/CU10/) }]);
    const cu9 = await host.check(urn, {}, inputs({ database: undefined, productVersion: "16.0.4085.2" }));
    expect(cu9.failures.map((f) => f.property)).toEqual(["productVersion"]);
    const cu10 = await host.check(urn, {}, inputs({ database: undefined, productVersion: "16.0.4095.4" }));
    expect(cu10.failures).toEqual([]);
    // SQL Server 2019 before CU20 does not support the link at all.
    const cu19 = await host.check(urn, {}, inputs({ productVersion: "15.0.4298.1" }));
    expect(cu19.failures).toEqual([{ property: "productVersion", reason: expect.stringMatching(/CU20/) }]);
    expect(emulator.tds.counters().requests).toBe(0);

    // Values unknown during preview are checked later, not refused.
    const unknown = await host.check(
      urn,
      {},
      inputs({
        name: UNKNOWN,
        database: UNKNOWN,
        replicaServerName: UNKNOWN,
        endpointUrl: UNKNOWN,
        productVersion: UNKNOWN,
      }),
    );
    expect(unknown.failures).toEqual([]);
    expect(emulator.tds.counters().requests).toBe(0);

    // Legal but hostile names are quoted, not refused.
    await dropAll();
    const hostile = "a]; DROP DATABASE x--";
    const created = await up(host, urn, inputs({ name: hostile }));
    expect(await groups()).toEqual([hostile]);
    await destroy(host, created.state);
  });

  it("keeps the password out of state, __provider and the host's logs", async () => {
    await dropAll();
    const secret = emulator.connectionInfo().password;
    const created = await up(host, urn, inputs());
    expect(plaintextPaths(created.plan.check.state, [secret])).toEqual([]);
    expect(plaintextPaths(created.state.outputs, [secret])).toEqual([]);
    expect(providerText.includes(secret)).toBe(false);
    expect(host.logs().filter((entry) => entry.message.includes(secret))).toEqual([]);
    await destroy(host, created.state);
  });

  it("writes CLUSTER_TYPE = NONE except on SQL Server 2016; the MI-as-primary group gets the grant", async () => {
    const cases = [
      { version: "13.0.7000.253", cluster: null, clusterType: "WSFC" },
      { version: "15.0.4312.2", cluster: "WITH (CLUSTER_TYPE = NONE)", clusterType: "NONE" },
      { version: "16.0.4125.3", cluster: "WITH (CLUSTER_TYPE = NONE)", clusterType: "NONE" },
    ];
    for (const c of cases) {
      const e = new SqlServerEmulator({
        productVersion: c.version,
        serverName: "HOST\\INST",
        databases: [{ name: DB, recoveryModel: "FULL", fullBackup: true }],
      });
      await e.start();
      try {
        const created = await up(host, urn, inputs({ productVersion: c.version }, e));
        const create = e.tds.requestLog().find((entry) => entry.text.startsWith("CREATE AVAILABILITY GROUP"));
        expect(create?.text).toContain("N'HOST\\INST' WITH");
        if (c.cluster) expect(create?.text).toContain(c.cluster);
        else expect(create?.text).not.toContain("CLUSTER_TYPE");
        expect(created.state.outputs.clusterType).toBe(c.clusterType);
        await destroy(host, created.state);
      } finally {
        await e.stop();
      }
    }
    // The managed instance as initial primary: no database, and GRANT CREATE ANY DATABASE.
    await dropAll();
    emulator.tds.resetCounters();
    const miPrimary = await up(host, urn, inputs({ database: undefined }));
    const sent = productStatements(emulator.tds.requestLog()).map((entry) => entry.text);
    expect(sent.find((t) => t.startsWith("CREATE AVAILABILITY GROUP"))).toContain("    FOR REPLICA ON\n");
    expect(sent).toContain(`ALTER AVAILABILITY GROUP [${AG}] GRANT CREATE ANY DATABASE;`);
    expect(miPrimary.state.outputs).toMatchObject({ databases: [], createAnyDatabaseGranted: true });
    await destroy(host, miPrimary.state);
  });

  it("converges when create is re-run after a fault at any of its statements", async () => {
    for (const database of [DB, undefined]) {
      // Once to warm the provider's connection pool, so request numbers repeat from run to run.
      await destroy(host, (await up(host, urn, inputs({ database }))).state);
      await dropAll();
      emulator.tds.resetCounters();
      const clean = await up(host, urn, inputs({ database }));
      const statements = productStatements(emulator.tds.requestLog());
      const expected = await agCatalog(emulator);
      await destroy(host, clean.state);
      // The read, CREATE with the read of the new group in the same request, and the grant.
      expect(statements.length).toBeGreaterThanOrEqual(database ? 2 : 3);
      const runs = await convergenceRuns({
        host,
        emulator,
        urn,
        inputs: () => inputs({ database }),
        reset: dropAll,
        statements,
      });
      // Every error reached a statement of create and failed it; a dropped connection fails a
      // statement, while a read is retried on a new connection.
      const unfailed = runs.filter((run) => !run.failed).map((run) => run.label);
      expect(unfailed.filter((label) => !/^drop at statement \d+ \(SELECT/.test(label))).toEqual([]);
      // A fault after CREATE AVAILABILITY GROUP leaves a partially created resource, finished by update.
      expect(runs.some((run) => run.partial)).toBe(true);
      for (const run of runs)
        expect({ label: run.label, catalog: run.catalog }).toEqual({ label: run.label, catalog: expected });
    }
    await dropAll();
  });

  it("a CREATE AVAILABILITY GROUP whose reply is lost stays the stack's: finished by the next up, dropped by destroy", async () => {
    await dropAll();
    const run = await lostReplyLifecycle({
      host,
      emulator,
      urn,
      inputs: () => inputs({ database: undefined }),
      createStatement: /CREATE AVAILABILITY GROUP \[AG_Sales\]/,
      exists: async () => (await groups()).includes(AG),
      additionalSecretOutputs: ["password", "accessToken"],
    });
    // The rest of the create (the grant for automatic seeding) was done by the update.
    expect(run.rerun.state.outputs).toMatchObject({ createAnyDatabaseGranted: true, clusterType: "NONE" });
  });

  it("a CREATE AVAILABILITY GROUP that ran although its request failed stays the stack's: finished by the next up, dropped by destroy", async () => {
    await dropAll();
    await lostReplyLifecycle({
      host,
      emulator,
      urn,
      inputs: () => inputs({ database: undefined }),
      createStatement: /CREATE AVAILABILITY GROUP \[AG_Sales\]/,
      fault: "run-then-error",
      exists: async () => (await groups()).includes(AG),
      additionalSecretOutputs: ["password", "accessToken"],
    });
  });
});

/**
 * The LinkRole provider through Pulumi's real dynamic-provider host, against the local world
 * (SQL Server 2022 CU13 emulator + ARM emulator, managed instance on the SQLServer2022 policy):
 * the runbook's link set up as an administrator, then refusals in check, recording the roles,
 * the data-loss guard (a held secondary times out with the LSN evidence and changes nothing),
 * planned failover to the managed instance and back, drift, forced failover with the LSN gap and
 * split brain resolution, and the link's removal.
 */
import { SqlManagementClient } from "@azure/arm-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getLink } from "../../src/azure/links";
import { StaticTokenCredential } from "../../src/testing/arm/credential";
import { armLongRunning } from "../../src/testing/arm/test-support";
import { startLocalWorld, type LocalWorld } from "../../src/testing/world";
import { buildIfStale } from "../support/build";
import { destroy, preview, refresh, up, type ResourceState } from "../support/engine-steps";
import { ProviderHostError, startProviderHost, urnFor, type ProviderHost } from "../support/provider-host";
import { serializeProvider } from "../support/serialize";
import { plaintextPaths } from "../support/wire";
import { adminQuery, productStatements } from "./support/availability-groups";
import { linkRoleInputs, setUpLink } from "./support/link-role";

const DB = "Sales";
const DAG = `DAG_${DB}`;
const AG = `AG_${DB}`;
const MI_AG = `AG_${DB}_MI`;
const ARM_TOKEN = "arm-token-7f3e9c1d";

describe("LinkRole provider", () => {
  let world: LocalWorld;
  let host: ProviderHost;
  let providerText: string;
  let state: ResourceState;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:LinkRole", "role");

  beforeAll(async () => {
    await buildIfStale();
    providerText = (await serializeProvider("./dist/dynamic/link-role.js", "linkRoleProvider")).text;
    world = await startLocalWorld({
      databases: [DB],
      seedingSeconds: 0.3,
      productVersion: "16.0.4125.3",
      databaseFormat: "SQLServer2022",
      armOperationMs: 20,
    });
    host = await startProviderHost();
    await setUpLink(world, DB);
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await world?.stop();
  });

  const target = () => ({
    subscriptionId: world.info.arm.subscriptionId,
    resourceGroupName: world.info.arm.resourceGroupName,
    managedInstanceName: world.info.arm.managedInstanceName,
    armEndpoint: world.info.arm.endpoint,
    tlsCaPem: world.info.arm.tlsCaPem,
    pollIntervalMs: 20,
    credential: new StaticTokenCredential(),
  });
  const inputs = (extra: Record<string, unknown> = {}) => ({
    ...linkRoleInputs(world, DB, {
      provider: providerText,
      armAccessToken: ARM_TOKEN,
      productVersion: "16.0.4125.3",
      failoverMode: "Manual",
    }),
    ...extra,
  });
  /** SQL Server's role in the DAG (catalog) and the managed instance's (Azure). */
  const roles = async () => {
    const [rows] = await adminQuery(
      world.sql,
      `SELECT rs.role_desc FROM sys.dm_hadr_availability_replica_states rs
         JOIN sys.availability_groups ag ON ag.group_id = rs.group_id
        WHERE ag.name = N'${DAG}' AND rs.is_local = 1;`,
    );
    const link = await getLink(target(), DAG);
    return { sqlServer: rows[0]?.role_desc, managedInstance: link?.instanceLinkRole };
  };
  const dagModes = async () => {
    const [rows] = await adminQuery(
      world.sql,
      `SELECT r.replica_server_name, r.availability_mode_desc FROM sys.availability_replicas r
         JOIN sys.availability_groups ag ON ag.group_id = r.group_id
        WHERE ag.name = N'${DAG}' ORDER BY r.replica_server_name;`,
    );
    return {
      sqlServer: rows.map((r) => r.availability_mode_desc),
      azure: (await getLink(target(), DAG))?.replicationMode,
    };
  };
  const resetAllCounters = () => {
    world.sql.tds.resetCounters();
    world.arm.resetCounters();
  };
  const noRequests = () => ({ sql: world.sql.tds.counters().requests, arm: world.arm.counters().requests });
  const sqlStatements = () => productStatements(world.sql.tds.requestLog()).map((e) => e.text);
  const secrets = () => [world.info.sql.password, ARM_TOKEN];

  it("refuses hostile and invalid input in check without a request to either side", async () => {
    resetAllCounters();
    const bad = await host.check(
      urn,
      {},
      inputs({
        dagName: "a]; DROP DATABASE x--",
        agName: "AG'x",
        miAgName: "x".repeat(129),
        database: "master",
        primary: "Both",
        productVersion: "12.0.6024.0",
        databaseFormat: "Latest",
        failoverMode: "Auto",
        replicationMode: "Semi",
        managedInstanceName: "Bad_Name",
        subscriptionId: "not-a-guid",
        armEndpoint: "ftp://x",
        synchronizationTimeoutSeconds: 0,
        lsnStableSeconds: -1,
        connection: { host: "a b", port: 70000 },
      }),
    );
    expect(bad.failures.map((f) => f.property).sort()).toEqual(
      [
        "agName",
        "armEndpoint",
        "connection.host",
        "connection.port",
        "connection.user",
        "dagName",
        "database",
        "databaseFormat",
        "failoverMode",
        "lsnStableSeconds",
        "managedInstanceName",
        "miAgName",
        "primary",
        "productVersion",
        "replicationMode",
        "subscriptionId",
        "synchronizationTimeoutSeconds",
      ].sort(),
    );
    expect(noRequests()).toEqual({ sql: 0, arm: 0 });
  });

  it("refuses impossible role changes in check with the reason, without a request", async () => {
    resetAllCounters();
    const refusal = async (olds: Record<string, unknown>, news: Record<string, unknown>) =>
      (await host.check(urn, inputs(olds), inputs(news))).failures;
    // Failover mode None: failing over to the MI is a cutover, fail back impossible.
    expect(
      await refusal({ primary: "SqlServer" }, { primary: "ManagedInstance", failoverMode: "None" }),
    ).toEqual([
      { property: "cutover", reason: expect.stringMatching(/failover mode is "None".*cutover: true/) },
    ]);
    expect(
      await refusal(
        { primary: "SqlServer" },
        { primary: "ManagedInstance", failoverMode: "None", cutover: true },
      ),
    ).toEqual([]);
    expect(
      await refusal({ primary: "ManagedInstance" }, { primary: "SqlServer", failoverMode: "None" }),
    ).toEqual([{ property: "primary", reason: expect.stringMatching(/cannot fail back to SQL Server/) }]);
    // SQL Server 2019 and 2016: a failover ends the link.
    for (const productVersion of ["15.0.4312.2", "13.0.7000.253"]) {
      expect(await refusal({ primary: "SqlServer" }, { primary: "ManagedInstance", productVersion })).toEqual(
        [
          {
            property: "cutover",
            reason: expect.stringMatching(/cannot be the secondary of a link.*cutover: true/),
          },
        ],
      );
    }
    // An always-up-to-date managed instance has no way back.
    expect(
      await refusal(
        { primary: "ManagedInstance" },
        { primary: "SqlServer", databaseFormat: "AlwaysUpToDate" },
      ),
    ).toEqual([
      { property: "databaseFormat", reason: expect.stringMatching(/AlwaysUpToDate.*cannot fail back/) },
    ]);
    // SQL Server 2022 before CU10 cannot take the primary role back.
    expect(
      await refusal({ primary: "ManagedInstance" }, { primary: "SqlServer", productVersion: "16.0.1000.6" }),
    ).toEqual([{ property: "productVersion", reason: expect.stringMatching(/CU10/) }]);
    expect(noRequests()).toEqual({ sql: 0, arm: 0 });
  });

  it("describes the path per version in plannedAction during preview", async () => {
    const plan = async (olds: Record<string, unknown>, news: Record<string, unknown>) =>
      (await host.check(urn, inputs(olds), inputs(news))).state.plannedAction;
    expect(await plan({ primary: "SqlServer" }, { primary: "ManagedInstance" })).toMatch(
      /planned failover to the managed instance.*ALTER AVAILABILITY GROUP \.\.\. FAILOVER on SQL Server/,
    );
    expect(
      await plan({ primary: "SqlServer" }, { primary: "ManagedInstance", productVersion: "16.0.4095.4" }),
    ).toMatch(/Azure failover action \(Planned\)/);
    expect(await plan({ primary: "ManagedInstance" }, { primary: "SqlServer" })).toMatch(
      /setRole action.*FORCE_FAILOVER_ALLOW_DATA_LOSS on SQL Server/,
    );
    expect(
      await plan({ primary: "SqlServer" }, { primary: "ManagedInstance", forceFailoverAllowDataLoss: true }),
    ).toMatch(/forced failover to the managed instance.*ForcedAllowDataLoss/);
  });

  it("create records the roles without changing anything; the same inputs preview as same", async () => {
    resetAllCounters();
    const created = await up(host, urn, inputs());
    state = created.state;
    expect(state.outputs).toMatchObject({
      primary: "SqlServer",
      sqlServerRole: "PRIMARY",
      managedInstanceRole: "SECONDARY",
      dataLossLsnGap: null,
      splitBrainResolved: false,
    });
    expect(sqlStatements().filter((s) => /^\s*ALTER/i.test(s))).toEqual([]);
    expect(world.arm.requestLog().filter((e) => e.method !== "GET")).toEqual([]);
    expect(plaintextPaths(state.outputs, secrets())).toEqual([]);
    expect(plaintextPaths(created.plan.check.state, secrets())).toEqual([]);
    expect((await preview(host, urn, inputs(), state)).op).toBe("same");
    // The workload keeps writing: the LSNs move, the roles do not; refresh reports no drift.
    const again = await refresh(host, state);
    expect(again?.changed).toBe(false);
    expect(again?.state.outputs.primary).toBe("SqlServer");
  });

  it("a change of connection settings or token is an update that sends nothing", async () => {
    resetAllCounters();
    const info = world.info.sql;
    const changed = await up(
      host,
      urn,
      inputs({
        connection: {
          host: info.host,
          port: info.port,
          user: info.user,
          trustServerCertificate: true,
          requestTimeoutMs: 20000,
        },
      }),
      state,
    );
    expect(changed.op).toBe("update");
    expect(sqlStatements()).toEqual([]);
    expect(world.arm.counters().requests).toBe(0);
    state = (await up(host, urn, inputs(), changed.state)).state;
  });

  it("waits for the held secondary, times out with the LSN evidence and changes nothing", async () => {
    world.sql.model.setWorkload(DB, false);
    world.sql.model.holdSecondary(DAG, true);
    world.sql.model.setWorkload(DB, true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    world.sql.model.setWorkload(DB, false);
    resetAllCounters();
    const started = Date.now();
    const failure = await up(
      host,
      urn,
      inputs({ primary: "ManagedInstance", synchronizationTimeoutSeconds: 3 }),
      state,
    ).catch((e: unknown) => e);
    const elapsed = (Date.now() - started) / 1000;
    expect(failure).toBeInstanceOf(ProviderHostError);
    const message = (failure as ProviderHostError).details;
    if (process.env.PEEK) console.log(message);
    expect(message).toMatch(/The link \[DAG_Sales\] was not safe to fail over within 3 s/);
    expect(message).toMatch(
      /SQL Server PRIMARY \(last hardened LSN \d+\), managed instance SECONDARY \(last hardened LSN \d+\)/,
    );
    expect(message).toMatch(/the LSNs differ by \d+/);
    expect(message).toMatch(/Nothing was failed over and the configured replication mode was restored/);
    expect(secrets().some((s) => message.includes(s))).toBe(false);
    expect(elapsed).toBeLessThan(8);
    expect(await roles()).toEqual({ sqlServer: "PRIMARY", managedInstance: "Secondary" });
    expect(await dagModes()).toEqual({
      sqlServer: ["ASYNCHRONOUS_COMMIT", "ASYNCHRONOUS_COMMIT"],
      azure: "Async",
    });
    expect(sqlStatements().some((s) => /FAILOVER/.test(s))).toBe(false);
    // At most one observation (one DMV query) per second while waiting.
    const observations = sqlStatements().filter((s) => s.includes("sys.dm_hadr_automatic_seeding")).length;
    expect(observations).toBeLessThanOrEqual(Math.ceil(elapsed) + 2);
    world.sql.model.holdSecondary(DAG, false);
  });

  it("fails over to the managed instance: synchronous commit, equal LSNs, T-SQL FAILOVER, mode restored", async () => {
    world.sql.model.setWorkload(DB, false);
    resetAllCounters();
    const plan = await preview(host, urn, inputs({ primary: "ManagedInstance" }), state);
    expect(plan.op).toBe("update");
    const done = await up(host, urn, inputs({ primary: "ManagedInstance" }), state);
    state = done.state;
    expect(done.op).toBe("update");
    expect(await roles()).toEqual({ sqlServer: "SECONDARY", managedInstance: "Primary" });
    expect(state.outputs).toMatchObject({
      primary: "ManagedInstance",
      sqlServerRole: "SECONDARY",
      managedInstanceRole: "PRIMARY",
    });
    const statements = sqlStatements().filter((s) => /^ALTER/.test(s));
    expect(statements).toEqual([
      [
        "ALTER AVAILABILITY GROUP [DAG_Sales]",
        "MODIFY",
        "AVAILABILITY GROUP ON",
        "    N'AG_Sales' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT),",
        "    N'AG_Sales_MI' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT);",
      ].join("\n"),
      "ALTER AVAILABILITY GROUP [DAG_Sales] FAILOVER;",
      [
        "ALTER AVAILABILITY GROUP [DAG_Sales]",
        "MODIFY",
        "AVAILABILITY GROUP ON",
        "    N'AG_Sales' WITH (AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT),",
        "    N'AG_Sales_MI' WITH (AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT);",
      ].join("\n"),
    ]);
    expect(await dagModes()).toMatchObject({ azure: "Async" });
    const progress = host.logs().map((e) => e.message);
    expect(progress.some((m) => /synchronized, both sides at LSN \d+ for 1 s/.test(m))).toBe(true);
    expect(plaintextPaths(state.outputs, secrets())).toEqual([]);
    expect(host.logs().filter((e) => secrets().some((s) => e.message.includes(s)))).toEqual([]);
    expect((await preview(host, urn, inputs({ primary: "ManagedInstance" }), state)).op).toBe("same");
  }, 60_000);

  it("fails back to SQL Server: the managed instance demoted with setRole, SQL Server promoted", async () => {
    world.sql.model.setWorkload(DB, false);
    resetAllCounters();
    const done = await up(host, urn, inputs({ primary: "SqlServer" }), state);
    state = done.state;
    expect(await roles()).toEqual({ sqlServer: "PRIMARY", managedInstance: "Secondary" });
    expect(state.outputs).toMatchObject({ primary: "SqlServer", sqlServerRole: "PRIMARY" });
    expect(sqlStatements()).toContain("ALTER AVAILABILITY GROUP [DAG_Sales] FORCE_FAILOVER_ALLOW_DATA_LOSS;");
    const setRole = world.arm.requestLog().filter((e) => e.method === "POST" && /\/setRole/.test(e.path));
    expect(setRole).toHaveLength(1);
    expect(await dagModes()).toMatchObject({ azure: "Async" });
  }, 60_000);

  it("refresh reports a failover made outside Pulumi as drift", async () => {
    // Out of band: synchronous commit and T-SQL FAILOVER as an administrator.
    world.sql.model.setWorkload(DB, false);
    await adminQuery(
      world.sql,
      `ALTER AVAILABILITY GROUP [${DAG}] MODIFY AVAILABILITY GROUP ON
         N'${AG}' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT), N'${MI_AG}' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT);`,
    );
    world.sql.model.partner.setRemoteAvailabilityMode(DAG, "SYNCHRONOUS_COMMIT");
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await adminQuery(world.sql, `ALTER AVAILABILITY GROUP [${DAG}] FAILOVER;`);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const refreshed = await refresh(host, state);
    expect(refreshed?.changed).toBe(true);
    expect(refreshed?.state.outputs).toMatchObject({
      primary: "ManagedInstance",
      sqlServerRole: "SECONDARY",
    });
    state = refreshed!.state;
    // The declared primary is SQL Server: the next up fails back.
    expect((await preview(host, urn, inputs({ primary: "SqlServer" }), state)).op).toBe("update");
    world.sql.model.partner.setRemoteAvailabilityMode(DAG, "ASYNCHRONOUS_COMMIT");
    state = (await up(host, urn, inputs({ primary: "SqlServer" }), state)).state;
    expect(await roles()).toEqual({ sqlServer: "PRIMARY", managedInstance: "Secondary" });
  }, 60_000);

  it("below 2022 CU13 the failover to the managed instance goes through the Azure failover action", async () => {
    world.sql.model.setWorkload(DB, false);
    const older = { productVersion: "16.0.4095.4" };
    state = (await up(host, urn, inputs(older), state)).state;
    resetAllCounters();
    state = (await up(host, urn, inputs({ ...older, primary: "ManagedInstance" }), state)).state;
    expect(await roles()).toEqual({ sqlServer: "SECONDARY", managedInstance: "Primary" });
    expect(sqlStatements().some((s) => /FAILOVER/.test(s))).toBe(false);
    const posts = world.arm.requestLog().filter((e) => e.method === "POST");
    expect(posts.map((e) => e.path.split("?")[0].split("/").pop())).toEqual(["failover"]);
    expect(await dagModes()).toMatchObject({ azure: "Async" });
    state = (await up(host, urn, inputs({ ...older, primary: "SqlServer" }), state)).state;
    expect(await roles()).toEqual({ sqlServer: "PRIMARY", managedInstance: "Secondary" });
    state = (await up(host, urn, inputs(), state)).state;
  }, 60_000);

  it("a planned failover interrupted at any statement converges when run again", async () => {
    world.sql.model.setWorkload(DB, false);
    const statements = [
      /AVAILABILITY_MODE = SYNCHRONOUS_COMMIT/,
      /FAILOVER;$/,
      /AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT/,
    ];
    const outcomes: string[] = [];
    for (const match of statements) {
      for (const action of ["error", "drop"] as const) {
        world.sql.tds.clearFaults();
        world.sql.tds.addFault({ on: { match }, action, times: 1 });
        const first = await up(host, urn, inputs({ primary: "ManagedInstance" }), state).catch(
          (e: unknown) => e,
        );
        world.sql.tds.clearFaults();
        const failed = first instanceof Error;
        // A failed update keeps the previous state: the engine runs the same update again.
        const prior = failed ? state : (first as { state: ResourceState }).state;
        const second = await up(host, urn, inputs({ primary: "ManagedInstance" }), prior);
        expect(await roles()).toEqual({ sqlServer: "SECONDARY", managedInstance: "Primary" });
        expect(await dagModes()).toEqual({
          sqlServer: ["ASYNCHRONOUS_COMMIT", "ASYNCHRONOUS_COMMIT"],
          azure: "Async",
        });
        outcomes.push(`${action} at ${match.source}: ${failed ? "failed, then converged" : "succeeded"}`);
        state = (await up(host, urn, inputs({ primary: "SqlServer" }), second.state)).state;
        expect(await roles()).toEqual({ sqlServer: "PRIMARY", managedInstance: "Secondary" });
      }
    }
    if (process.env.PEEK) console.log(outcomes.join("\n"));
    expect(outcomes.filter((o) => o.includes("failed, then converged"))).toHaveLength(6);
  }, 180_000);

  it("a fail back interrupted after the managed instance was demoted is finished by the next run", async () => {
    world.sql.model.setWorkload(DB, false);
    state = (await up(host, urn, inputs({ primary: "ManagedInstance" }), state)).state;
    world.sql.tds.addFault({ on: { match: /FORCE_FAILOVER_ALLOW_DATA_LOSS/ }, action: "error", times: 1 });
    const failed = await up(host, urn, inputs({ primary: "SqlServer" }), state).catch((e: unknown) => e);
    world.sql.tds.clearFaults();
    expect(failed).toBeInstanceOf(ProviderHostError);
    // Neither side is primary now: the managed instance was demoted, SQL Server not yet promoted.
    expect(await roles()).toEqual({ sqlServer: "SECONDARY", managedInstance: "Secondary" });
    resetAllCounters();
    state = (await up(host, urn, inputs({ primary: "SqlServer" }), state)).state;
    expect(await roles()).toEqual({ sqlServer: "PRIMARY", managedInstance: "Secondary" });
    expect(world.arm.requestLog().filter((e) => e.method === "POST")).toEqual([]);
    expect(sqlStatements()).toContain("ALTER AVAILABILITY GROUP [DAG_Sales] FORCE_FAILOVER_ALLOW_DATA_LOSS;");
    expect(await dagModes()).toEqual({
      sqlServer: ["ASYNCHRONOUS_COMMIT", "ASYNCHRONOUS_COMMIT"],
      azure: "Async",
    });
  }, 60_000);

  it("forced failover to the managed instance resolves the split brain and reports the LSN gap", async () => {
    world.sql.model.setWorkload(DB, false);
    world.sql.model.holdSecondary(DAG, true);
    world.sql.model.setWorkload(DB, true, "sqlServer");
    await new Promise((resolve) => setTimeout(resolve, 500));
    world.sql.model.setWorkload(DB, false);
    const before = world.sql.model.partner.linkStatus(DAG)!;
    const expectedGap = (
      BigInt(before.sqlServerLastHardenedLsn) - BigInt(before.managedInstanceLastHardenedLsn)
    ).toString();
    expect(BigInt(expectedGap)).toBeGreaterThan(0n);
    resetAllCounters();
    const done = await up(
      host,
      urn,
      inputs({ primary: "ManagedInstance", forceFailoverAllowDataLoss: true }),
      state,
    );
    state = done.state;
    world.sql.model.holdSecondary(DAG, false);
    expect(await roles()).toEqual({ sqlServer: "SECONDARY", managedInstance: "Primary" });
    expect(state.outputs).toMatchObject({
      primary: "ManagedInstance",
      dataLossLsnGap: expectedGap,
      splitBrainResolved: true,
    });
    expect(sqlStatements()).toContain("ALTER AVAILABILITY GROUP [DAG_Sales] SET (ROLE = SECONDARY);");
    const failover = world.arm.requestLog().filter((e) => e.method === "POST" && /\/failover/.test(e.path));
    expect(failover).toHaveLength(1);
    const warnings = host.logs().map((e) => e.message);
    expect(warnings.some((m) => m.includes(`${expectedGap} LSN ahead`))).toBe(true);
  }, 60_000);

  it("a split brain made outside Pulumi: planned failover refuses, forced fail back resolves it", async () => {
    // SQL Server forced to primary out of band while the managed instance is primary: both are.
    await adminQuery(world.sql, `ALTER AVAILABILITY GROUP [${DAG}] FORCE_FAILOVER_ALLOW_DATA_LOSS;`);
    expect(await roles()).toEqual({ sqlServer: "PRIMARY", managedInstance: "Primary" });
    const refused = await up(host, urn, inputs({ primary: "SqlServer" }), state).catch((e: unknown) => e);
    expect((refused as ProviderHostError).details).toMatch(/split brain.*forceFailoverAllowDataLoss: true/);
    resetAllCounters();
    const done = await up(
      host,
      urn,
      inputs({ primary: "SqlServer", forceFailoverAllowDataLoss: true }),
      state,
    );
    state = done.state;
    expect(await roles()).toEqual({ sqlServer: "PRIMARY", managedInstance: "Secondary" });
    expect(state.outputs).toMatchObject({ primary: "SqlServer", splitBrainResolved: true });
    expect(state.outputs.dataLossLsnGap).toMatch(/^\d+$/);
    // SQL Server already was primary: only the managed instance was demoted.
    expect(sqlStatements().some((s) => /FORCE_FAILOVER/.test(s))).toBe(false);
    expect(
      world.arm.requestLog().filter((e) => e.method === "POST" && /\/setRole/.test(e.path)),
    ).toHaveLength(1);
  }, 60_000);

  it("an Azure failure during the fail back restores the mode and the next run completes it", async () => {
    world.sql.model.setWorkload(DB, false);
    state = (await up(host, urn, inputs({ primary: "ManagedInstance" }), state)).state;
    world.arm.addFault({
      match: { method: "POST", pathRegex: /\/setRole/ },
      status: 409,
      code: "DistributedAvailabilityGroupSetRoleChangeRoleAlreadyInProgress",
      times: 1,
    });
    const failed = await up(host, urn, inputs({ primary: "SqlServer" }), state).catch((e: unknown) => e);
    world.arm.clearFaults();
    expect(failed).toBeInstanceOf(ProviderHostError);
    const message = (failed as ProviderHostError).details;
    expect(message).toMatch(/DistributedAvailabilityGroupSetRoleChangeRoleAlreadyInProgress/);
    expect(secrets().some((s) => message.includes(s))).toBe(false);
    expect(await roles()).toEqual({ sqlServer: "SECONDARY", managedInstance: "Primary" });
    expect(await dagModes()).toEqual({
      sqlServer: ["ASYNCHRONOUS_COMMIT", "ASYNCHRONOUS_COMMIT"],
      azure: "Async",
    });
    state = (await up(host, urn, inputs({ primary: "SqlServer" }), state)).state;
    expect(await roles()).toEqual({ sqlServer: "PRIMARY", managedInstance: "Secondary" });
  }, 60_000);

  it("forced fail back from a managed instance primary: SQL Server forced, the managed instance demoted", async () => {
    world.sql.model.setWorkload(DB, false);
    state = (await up(host, urn, inputs({ primary: "ManagedInstance" }), state)).state;
    resetAllCounters();
    state = (await up(host, urn, inputs({ primary: "SqlServer", forceFailoverAllowDataLoss: true }), state))
      .state;
    expect(await roles()).toEqual({ sqlServer: "PRIMARY", managedInstance: "Secondary" });
    expect(sqlStatements()).toContain("ALTER AVAILABILITY GROUP [DAG_Sales] FORCE_FAILOVER_ALLOW_DATA_LOSS;");
    const posts = world.arm.requestLog().filter((e) => e.method === "POST");
    expect(posts.map((e) => e.path.split("?")[0].split("/").pop())).toEqual(["setRole"]);
    // Nothing was written while the workload was stopped: no gap.
    expect(state.outputs).toMatchObject({ splitBrainResolved: true, dataLossLsnGap: "0" });
  }, 60_000);

  it("delete changes nothing; once the link is gone refresh reports the resource gone", async () => {
    resetAllCounters();
    await destroy(host, state);
    expect(world.sql.tds.counters().requests).toBe(0);
    expect(await roles()).toEqual({ sqlServer: "PRIMARY", managedInstance: "Secondary" });
    const client = new SqlManagementClient(new StaticTokenCredential(), world.info.arm.subscriptionId, {
      endpoint: world.info.arm.endpoint,
      tlsOptions: { ca: world.info.arm.tlsCaPem },
    });
    const { endpoint, subscriptionId, resourceGroupName, managedInstanceName } = world.info.arm;
    await armLongRunning(
      client,
      `${endpoint}/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}` +
        `/providers/Microsoft.Sql/managedInstances/${managedInstanceName}` +
        `/distributedAvailabilityGroups/${DAG}?api-version=2023-08-01`,
      "DELETE",
      undefined,
    );
    await adminQuery(world.sql, `DROP AVAILABILITY GROUP [${DAG}];`);
    expect(await refresh(host, state)).toBeUndefined();
  });
});

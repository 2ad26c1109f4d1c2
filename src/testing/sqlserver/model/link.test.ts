import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SqlError } from "../types";
import {
  createInstanceModel,
  PartnerError,
  type InstanceChange,
  type InstanceState,
  type SqlServerInstance,
} from "./index";
import { execContext, MI_FQDN, rows, setUpLink } from "./test-support";

function sqlError(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error("expected a SqlError");
}

const T0 = Date.UTC(2026, 5, 1);
const ctx = execContext();
let clock = T0;
let base: InstanceState;
const open: SqlServerInstance[] = [];

beforeAll(() => {
  clock = T0;
  const model = createInstanceModel({ now: () => clock });
  setUpLink(model, "sales");
  base = model.saveState();
  model.dispose();
});

afterEach(() => {
  for (const m of open.splice(0)) m.dispose();
});

/** SQL Server with the link's objects (runbook steps 1-11), on a manual clock at T0. Defaults: connect 200, seed 500, sync 200, tick 100 ms. */
function linked(state: InstanceState = base, options: { productVersion?: string } = {}): SqlServerInstance {
  clock = T0;
  const s = options.productVersion ? { ...state, productVersion: options.productVersion } : state;
  const model = createInstanceModel({ state: s, now: () => clock });
  open.push(model);
  return model;
}

const at = (ms: number) => {
  clock = T0 + ms;
};

function remoteReplica(model: SqlServerInstance) {
  return rows(model, "sys.dm_hadr_availability_replica_states").find((r) => r.is_local === false)!;
}

function dagDatabaseStates(model: SqlServerInstance) {
  const dag = rows(model, "sys.availability_groups").find((g) => g.name === "DAG_sales")!;
  return rows(model, "sys.dm_hadr_database_replica_states").filter((r) => r.group_id === dag.group_id);
}

function toSynchronousCommit(model: SqlServerInstance) {
  model.alterAvailabilityGroup(ctx, "DAG_sales", {
    kind: "modifyDistributedMembers",
    members: [
      { agName: "AG_sales", availabilityMode: "SYNCHRONOUS_COMMIT" },
      { agName: "AG_sales_MI", availabilityMode: "SYNCHRONOUS_COMMIT" },
    ],
  });
}

const join = { managedInstanceName: "sqlmi1", managedInstanceRole: "SECONDARY" as const };

describe("link from SQL Server to the managed instance", () => {
  it("connects after connectMs, seeds over seedingMs, then stays SYNCHRONIZING in asynchronous commit", () => {
    const model = linked();
    expect(remoteReplica(model).connected_state_desc).toBe("DISCONNECTED");
    expect(model.partner.linkStatus("DAG_sales")).toMatchObject({
      connected: false,
      seedingState: "PENDING",
      synchronizationState: "NOT SYNCHRONIZING",
    });

    model.partner.connectRemote("DAG_sales", join);
    at(199);
    expect(remoteReplica(model).connected_state_desc).toBe("DISCONNECTED");
    at(200);
    expect(remoteReplica(model).connected_state_desc).toBe("CONNECTED");
    at(450);
    expect(model.partner.linkStatus("DAG_sales")).toMatchObject({
      seedingState: "SEEDING",
      seedingProgressPercent: 50,
    });
    expect(rows(model, "sys.dm_hadr_automatic_seeding")[0]).toMatchObject({
      current_state: "SEEDING",
      number_of_attempts: 1,
      is_source: true,
    });
    expect(dagDatabaseStates(model).find((r) => !r.is_local)).toMatchObject({
      database_state_desc: "RESTORING",
      synchronization_state_desc: "NOT SYNCHRONIZING",
    });

    at(700);
    const status = model.partner.linkStatus("DAG_sales")!;
    expect(status).toMatchObject({
      connected: true,
      seedingState: "COMPLETED",
      seedingProgressPercent: 100,
      synchronizationState: "SYNCHRONIZING",
      availabilityMode: "ASYNCHRONOUS_COMMIT",
    });
    expect(rows(model, "sys.dm_hadr_automatic_seeding")[0]).toMatchObject({ current_state: "COMPLETED" });

    at(2000);
    const states = dagDatabaseStates(model);
    const local = states.find((r) => r.is_local)!;
    const remote = states.find((r) => !r.is_local)!;
    expect(remote.synchronization_state_desc).toBe("SYNCHRONIZING");
    expect(remote.synchronization_state).toBe(1);
    // The primary writes every tick; the asynchronous secondary trails.
    expect((local.last_hardened_lsn as bigint) > (remote.last_hardened_lsn as bigint)).toBe(true);
    expect(remote.log_send_queue_size).toBeGreaterThan(0n);
    const later = model.partner.linkStatus("DAG_sales")!;
    at(2500);
    expect(
      model.partner.linkStatus("DAG_sales")!.sqlServerLastHardenedLsn > later.sqlServerLastHardenedLsn,
    ).toBe(true);

    // Without a workload the secondary catches up and the LSNs stay equal.
    model.setWorkload("sales", false);
    at(2600);
    const idle = model.partner.linkStatus("DAG_sales")!;
    expect(idle.managedInstanceLastHardenedLsn).toBe(idle.sqlServerLastHardenedLsn);
    at(4000);
    expect(model.partner.linkStatus("DAG_sales")!.sqlServerLastHardenedLsn).toBe(
      idle.sqlServerLastHardenedLsn,
    );
  });

  it("reaches SYNCHRONIZED syncMs after both sides commit synchronously", () => {
    const model = linked();
    model.partner.connectRemote("DAG_sales", join);
    at(1000);
    toSynchronousCommit(model);
    expect(model.partner.linkStatus("DAG_sales")!.synchronizationState).toBe("SYNCHRONIZING");
    at(1199);
    expect(model.partner.linkStatus("DAG_sales")!.synchronizationState).toBe("SYNCHRONIZING");
    at(1200);
    const status = model.partner.linkStatus("DAG_sales")!;
    expect(status).toMatchObject({
      synchronizationState: "SYNCHRONIZED",
      availabilityMode: "SYNCHRONOUS_COMMIT",
    });
    expect(status.managedInstanceLastHardenedLsn).toBe(status.sqlServerLastHardenedLsn);
    expect(dagDatabaseStates(model).map((r) => r.synchronization_state_desc)).toEqual([
      "SYNCHRONIZED",
      "SYNCHRONIZED",
    ]);

    // The MI's own replication mode counts too.
    model.partner.setRemoteAvailabilityMode("DAG_sales", "ASYNCHRONOUS_COMMIT");
    expect(model.partner.linkStatus("DAG_sales")).toMatchObject({
      synchronizationState: "SYNCHRONIZING",
      availabilityMode: "ASYNCHRONOUS_COMMIT",
    });
  });

  it("reports the MI's failure to join in last_connect_error_*, and recovers on a later join", () => {
    const model = linked();
    at(50);
    model.partner.failRemote("DAG_sales", {
      number: 41974,
      description: "MI certificate not imported on SQL Server",
    });
    const remote = remoteReplica(model);
    expect(remote).toMatchObject({
      connected_state_desc: "DISCONNECTED",
      last_connect_error_number: 41974,
      last_connect_error_description: "MI certificate not imported on SQL Server",
      synchronization_health_desc: "NOT_HEALTHY",
    });
    expect((remote.last_connect_error_timestamp as Date).getTime()).toBe(T0 + 50);
    expect(model.partner.linkStatus("DAG_sales")!.lastConnectError?.number).toBe(41974);
    model.partner.connectRemote("DAG_sales", join);
    at(300);
    expect(remoteReplica(model).connected_state_desc).toBe("CONNECTED");
    model.partner.disconnectRemote("DAG_sales");
    expect(remoteReplica(model)).toMatchObject({
      connected_state_desc: "DISCONNECTED",
      last_connect_error_number: null,
    });
  });
});

describe("failover", () => {
  function synchronized(): SqlServerInstance {
    const model = linked();
    model.partner.connectRemote("DAG_sales", join);
    at(800);
    toSynchronousCommit(model);
    model.partner.setRemoteAvailabilityMode("DAG_sales", "SYNCHRONOUS_COMMIT");
    at(1100);
    expect(model.partner.linkStatus("DAG_sales")!.synchronizationState).toBe("SYNCHRONIZED");
    return model;
  }

  it("planned FAILOVER swaps roles when synchronized, then SQL Server follows the MI", () => {
    const model = synchronized();
    const changes: InstanceChange[] = [];
    model.on("change", (c: InstanceChange) => changes.push(c));
    model.alterAvailabilityGroup(ctx, "DAG_sales", { kind: "failover" });
    expect(changes).toContainEqual({ kind: "role", object: "DAG_sales", detail: "SECONDARY/PRIMARY" });
    const status = model.partner.linkStatus("DAG_sales")!;
    expect(status).toMatchObject({
      sqlServerRole: "SECONDARY",
      managedInstanceRole: "PRIMARY",
      synchronizationState: "SYNCHRONIZED",
    });
    at(2000);
    const after = model.partner.linkStatus("DAG_sales")!;
    expect(after.managedInstanceLastHardenedLsn > status.managedInstanceLastHardenedLsn).toBe(true);
    expect(after.sqlServerLastHardenedLsn).toBe(after.managedInstanceLastHardenedLsn);
    const local = dagDatabaseStates(model).find((r) => r.is_local)!;
    expect(local).toMatchObject({ is_primary_replica: false, synchronization_state_desc: "SYNCHRONIZED" });
    expect(sqlError(() => model.canUseDatabase("sa", "sales")).number).toBe(976);
    // Only the primary can fail over.
    expect(sqlError(() => model.alterAvailabilityGroup(ctx, "DAG_sales", { kind: "failover" })).number).toBe(
      41140,
    );
  });

  it("refuses FAILOVER when not synchronized, in asynchronous commit, or before SQL Server 2022 CU13", () => {
    const asyncModel = linked();
    asyncModel.partner.connectRemote("DAG_sales", join);
    at(2000);
    expect(
      sqlError(() => asyncModel.alterAvailabilityGroup(ctx, "DAG_sales", { kind: "failover" })).number,
    ).toBe(47208);

    const held = synchronized();
    held.holdSecondary("DAG_sales", true);
    at(1500);
    const status = held.partner.linkStatus("DAG_sales")!;
    expect(status.synchronizationState).toBe("SYNCHRONIZING");
    expect(status.sqlServerLastHardenedLsn > status.managedInstanceLastHardenedLsn).toBe(true);
    expect(sqlError(() => held.alterAvailabilityGroup(ctx, "DAG_sales", { kind: "failover" })).number).toBe(
      47208,
    );
    expect(() => held.partner.remoteFailover("DAG_sales", "Planned")).toThrow(PartnerError);
    held.holdSecondary("DAG_sales", false);
    at(1600);
    expect(held.partner.linkStatus("DAG_sales")!.synchronizationState).toBe("SYNCHRONIZING");
    at(1700);
    expect(held.partner.linkStatus("DAG_sales")!.synchronizationState).toBe("SYNCHRONIZED");

    const cu12 = linked(base, { productVersion: "16.0.4115.5" });
    expect(sqlError(() => cu12.alterAvailabilityGroup(ctx, "DAG_sales", { kind: "failover" })).number).toBe(
      47123,
    );
  });

  it("a planned failover from the MI side makes the MI primary", () => {
    const model = synchronized();
    model.partner.remoteFailover("DAG_sales", "Planned");
    expect(model.partner.linkStatus("DAG_sales")).toMatchObject({
      sqlServerRole: "SECONDARY",
      managedInstanceRole: "PRIMARY",
    });
    expect(() => model.partner.remoteFailover("DAG_sales", "Planned")).toThrow(PartnerError);
  });

  it("a forced failover on the MI while SQL Server is primary is a split brain, resolved by setRole", () => {
    const model = synchronized();
    model.partner.remoteFailover("DAG_sales", "ForcedAllowDataLoss");
    at(1500);
    const split = model.partner.linkStatus("DAG_sales")!;
    expect(split).toMatchObject({
      sqlServerRole: "PRIMARY",
      managedInstanceRole: "PRIMARY",
      synchronizationState: "NOT SYNCHRONIZING",
    });
    expect(
      rows(model, "sys.dm_hadr_availability_replica_states").filter((r) => r.role_desc === "PRIMARY"),
    ).toHaveLength(3);
    model.partner.remoteSetRole("DAG_sales", "SECONDARY");
    at(1800);
    expect(model.partner.linkStatus("DAG_sales")).toMatchObject({
      sqlServerRole: "PRIMARY",
      managedInstanceRole: "SECONDARY",
      synchronizationState: "SYNCHRONIZED",
    });
    expect(() => model.partner.remoteSetRole("DAG_sales", "SECONDARY")).toThrow(PartnerError);
  });

  it("FORCE_FAILOVER_ALLOW_DATA_LOSS on the SQL Server secondary, then SET (ROLE = SECONDARY)", () => {
    const model = synchronized();
    model.alterAvailabilityGroup(ctx, "DAG_sales", { kind: "failover" });
    expect(
      sqlError(() => model.alterAvailabilityGroup(ctx, "AG_sales", { kind: "forceFailoverAllowDataLoss" }))
        .number,
    ).toBe(41122);
    model.alterAvailabilityGroup(ctx, "DAG_sales", { kind: "forceFailoverAllowDataLoss" });
    at(1500);
    const split = model.partner.linkStatus("DAG_sales")!;
    expect([split.sqlServerRole, split.managedInstanceRole]).toEqual(["PRIMARY", "PRIMARY"]);
    // Both sides write: the logs diverge.
    at(2000);
    const diverged = model.partner.linkStatus("DAG_sales")!;
    expect(diverged.sqlServerLastHardenedLsn > split.sqlServerLastHardenedLsn).toBe(true);
    expect(diverged.managedInstanceLastHardenedLsn > split.managedInstanceLastHardenedLsn).toBe(true);
    expect(
      sqlError(() => model.alterAvailabilityGroup(ctx, "DAG_sales", { kind: "forceFailoverAllowDataLoss" }))
        .number,
    ).toBe(41122);

    // Only SQL Server keeps writing: its extra transactions are lost when it becomes secondary again.
    model.setWorkload("sales", false, "managedInstance");
    at(2400);
    const beforeRevert = model.partner.linkStatus("DAG_sales")!;
    expect(beforeRevert.sqlServerLastHardenedLsn > beforeRevert.managedInstanceLastHardenedLsn).toBe(true);
    model.alterAvailabilityGroup(ctx, "DAG_sales", { kind: "setRole", role: "SECONDARY" });
    expect(model.partner.linkStatus("DAG_sales")).toMatchObject({
      sqlServerRole: "SECONDARY",
      managedInstanceRole: "PRIMARY",
    });
    at(2700);
    const resolved = model.partner.linkStatus("DAG_sales")!;
    expect(resolved.managedInstanceLastHardenedLsn).toBe(beforeRevert.managedInstanceLastHardenedLsn);
    expect(resolved.synchronizationState).toBe("SYNCHRONIZED");
    expect(resolved.sqlServerLastHardenedLsn).toBe(resolved.managedInstanceLastHardenedLsn);
  });
});

describe("managed instance as initial primary", () => {
  function miPrimary(grant: boolean): SqlServerInstance {
    const model = linked();
    model.createAvailabilityGroup(ctx, {
      name: "AG_orders",
      clusterType: "NONE",
      options: {},
      databases: [],
      replicas: [
        {
          serverName: "SQL1",
          endpointUrl: "TCP://10.0.0.4:5022",
          availabilityMode: "SYNCHRONOUS_COMMIT",
          failoverMode: "MANUAL",
          seedingMode: "AUTOMATIC",
        },
      ],
    });
    if (grant) model.alterAvailabilityGroup(ctx, "AG_orders", { kind: "grantCreateAnyDatabase" });
    model.createDistributedAvailabilityGroup(ctx, {
      name: "DAG_orders",
      members: [
        {
          agName: "AG_orders_MI",
          listenerUrl: `tcp://${MI_FQDN}:5022;Server=[sqlmi1];Database=[orders]`,
          availabilityMode: "ASYNCHRONOUS_COMMIT",
          failoverMode: "MANUAL",
          seedingMode: "AUTOMATIC",
        },
        {
          agName: "AG_orders",
          listenerUrl: "TCP://10.0.0.4:5022",
          availabilityMode: "ASYNCHRONOUS_COMMIT",
          failoverMode: "MANUAL",
          seedingMode: "AUTOMATIC",
        },
      ],
    });
    expect(model.partner.distributedAvailabilityGroup("DAG_orders")).toMatchObject({
      localRole: "SECONDARY",
      database: "orders",
    });
    model.partner.connectRemote("DAG_orders", {
      managedInstanceName: "sqlmi1",
      managedInstanceRole: "PRIMARY",
    });
    return model;
  }

  it("creates the database RESTORING while seeding, then synchronizes it as secondary", () => {
    const model = miPrimary(true);
    at(300);
    expect(rows(model, "sys.databases").find((d) => d.name === "orders")).toMatchObject({
      state_desc: "RESTORING",
    });
    expect(sqlError(() => model.canUseDatabase("sa", "orders")).number).toBe(927);
    at(800);
    expect(rows(model, "sys.databases").find((d) => d.name === "orders")).toMatchObject({
      state_desc: "ONLINE",
      recovery_model_desc: "FULL",
    });
    const status = model.partner.linkStatus("DAG_orders")!;
    expect(status).toMatchObject({
      sqlServerRole: "SECONDARY",
      managedInstanceRole: "PRIMARY",
      seedingState: "COMPLETED",
      synchronizationState: "SYNCHRONIZING",
    });
    at(1500);
    const later = model.partner.linkStatus("DAG_orders")!;
    expect(later.managedInstanceLastHardenedLsn > status.managedInstanceLastHardenedLsn).toBe(true);
    expect(later.sqlServerLastHardenedLsn > status.sqlServerLastHardenedLsn).toBe(true);
  });

  it("fails seeding without GRANT CREATE ANY DATABASE", () => {
    const model = miPrimary(false);
    at(300);
    expect(model.partner.linkStatus("DAG_orders")!.seedingState).toBe("FAILED");
    expect(
      rows(model, "sys.dm_hadr_automatic_seeding").find((r) => r.current_state === "FAILED")
        ?.failure_state_desc,
    ).toMatch(/CREATE ANY DATABASE/);
    expect(model.databaseId("orders")).toBeNull();
  });
});

describe("change events on real timers", () => {
  it("reports connection, seeding and synchronization as they happen, without polling", async () => {
    const model = createInstanceModel({
      state: base,
      timings: { connectMs: 10, seedingMs: 20, syncMs: 10, lsnTickMs: 5 },
    });
    open.push(model);
    const phases: string[] = [];
    const synchronizedEvent = new Promise<void>((resolve) =>
      model.on("change", (c: InstanceChange) => {
        if (c.kind === "link" && c.object === "DAG_sales" && c.detail.includes("/")) phases.push(c.detail);
        if (c.detail.endsWith("/SYNCHRONIZED")) resolve();
      }),
    );
    toSynchronousCommit(model);
    model.partner.connectRemote("DAG_sales", join);
    await synchronizedEvent;
    // Timers may coalesce phases on a loaded machine; the order never goes back.
    const order = [
      "true/SEEDING/NOT SYNCHRONIZING",
      "true/COMPLETED/SYNCHRONIZING",
      "true/COMPLETED/SYNCHRONIZED",
    ];
    const positions = phases.map((p) => order.indexOf(p));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(phases.at(-1)).toBe("true/COMPLETED/SYNCHRONIZED");
  });
});

describe("log full", () => {
  it("stops replication and writes until a log backup frees space", () => {
    const model = linked();
    model.partner.connectRemote("DAG_sales", join);
    at(1000);
    model.setLogUsePercent("sales", 100);
    const stalled = model.partner.linkStatus("DAG_sales")!;
    at(2000);
    const still = model.partner.linkStatus("DAG_sales")!;
    expect(still.sqlServerLastHardenedLsn).toBe(stalled.sqlServerLastHardenedLsn);
    expect(still.managedInstanceLastHardenedLsn).toBe(stalled.managedInstanceLastHardenedLsn);
    expect(rows(model, "sys.databases").find((d) => d.name === "sales")?.log_reuse_wait_desc).toBe(
      "AVAILABILITY_REPLICA",
    );
    model.backup(ctx, {
      database: "sales",
      type: "LOG",
      target: { kind: "DISK", path: "/b/sales.trn" },
      copyOnly: false,
      options: {},
    });
    at(2500);
    const resumed = model.partner.linkStatus("DAG_sales")!;
    expect(resumed.sqlServerLastHardenedLsn > still.sqlServerLastHardenedLsn).toBe(true);
    expect(resumed.managedInstanceLastHardenedLsn > still.managedInstanceLastHardenedLsn).toBe(true);
  });

  it("a held secondary keeps the log: a log backup does not free it", () => {
    const model = linked();
    model.partner.connectRemote("DAG_sales", join);
    at(1000);
    model.holdSecondary("DAG_sales", true);
    model.setLogUsePercent("sales", 60);
    model.backup(ctx, {
      database: "sales",
      type: "LOG",
      target: { kind: "DISK", path: "/b/sales.trn" },
      copyOnly: false,
      options: {},
    });
    expect(rows(model, "sys.databases").find((d) => d.name === "sales")?.log_reuse_wait_desc).toBe(
      "AVAILABILITY_REPLICA",
    );
    expect(
      rows(model, "sys.dm_db_log_space_usage", execContext("sa", "sales"))[0].used_log_space_in_percent,
    ).toBe("60.00");
  });
});

describe("seeding interrupted", () => {
  it("starts over after the connection is lost", () => {
    const model = linked();
    model.partner.connectRemote("DAG_sales", join);
    at(500);
    expect(model.partner.linkStatus("DAG_sales")!.seedingState).toBe("SEEDING");
    model.partner.failRemote("DAG_sales", { number: 41986, description: "connection failed" });
    at(1000);
    expect(model.partner.linkStatus("DAG_sales")).toMatchObject({
      connected: false,
      seedingState: "PENDING",
    });
    model.partner.connectRemote("DAG_sales", join);
    at(1300);
    expect(model.partner.linkStatus("DAG_sales")).toMatchObject({
      connected: true,
      seedingState: "SEEDING",
      seedingProgressPercent: 20,
    });
    expect(rows(model, "sys.dm_hadr_automatic_seeding")[0].number_of_attempts).toBe(2);
    at(1700);
    expect(model.partner.linkStatus("DAG_sales")!.seedingState).toBe("COMPLETED");
  });
});

describe("change events", () => {
  it("reports statements, the MI's role changes, and nothing after dispose", async () => {
    const model = createInstanceModel({
      state: base,
      timings: { connectMs: 5, seedingMs: 5, syncMs: 5, lsnTickMs: 5 },
    });
    const changes: InstanceChange[] = [];
    model.on("change", (c: InstanceChange) => changes.push(c));
    model.createDatabase(ctx, "extra");
    expect(changes).toContainEqual({ kind: "statement", object: "extra", detail: "CREATE DATABASE" });
    model.partner.connectRemote("DAG_sales", join);
    model.partner.remoteFailover("DAG_sales", "ForcedAllowDataLoss");
    expect(changes).toContainEqual({ kind: "role", object: "DAG_sales", detail: "PRIMARY/PRIMARY" });
    model.dispose();
    const count = changes.length;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(changes).toHaveLength(count);
  });
});

describe("SQL Server 2019", () => {
  it("a failover to the managed instance is a one-way cutover: the link disconnects", () => {
    const model = linked(base, { productVersion: "15.0.4312.2" });
    model.partner.connectRemote("DAG_sales", join);
    at(800);
    toSynchronousCommit(model);
    model.partner.setRemoteAvailabilityMode("DAG_sales", "SYNCHRONOUS_COMMIT");
    at(1100);
    model.partner.remoteFailover("DAG_sales", "Planned");
    expect(model.partner.linkStatus("DAG_sales")).toMatchObject({
      connected: false,
      sqlServerRole: "SECONDARY",
      managedInstanceRole: "PRIMARY",
      synchronizationState: "NOT SYNCHRONIZING",
    });
  });
});

describe("mirroring endpoint state", () => {
  it("stopping the endpoint disconnects the MI; starting it reconnects after connectMs", () => {
    const model = linked();
    model.partner.connectRemote("DAG_sales", join);
    at(1000);
    expect(model.partner.linkStatus("DAG_sales")!.connected).toBe(true);
    model.alterEndpoint(ctx, { name: "database_mirroring_endpoint", state: "STOPPED" });
    expect(remoteReplica(model)).toMatchObject({
      connected_state_desc: "DISCONNECTED",
      last_connect_error_number: 35204,
    });
    at(1500);
    model.alterEndpoint(ctx, { name: "database_mirroring_endpoint", state: "STARTED" });
    at(1600);
    expect(model.partner.linkStatus("DAG_sales")!.connected).toBe(false);
    at(1700);
    expect(model.partner.linkStatus("DAG_sales")).toMatchObject({
      connected: true,
      seedingState: "COMPLETED",
    });
  });
});

import { describe, expect, it } from "vitest";
import { SqlError } from "../types";
import type { CreateAvailabilityGroupSpec, CreateDistributedAvailabilityGroupSpec } from "./contract";
import { createInstanceModel, type InstanceOptions } from "./index";
import { execContext, MI_FQDN, rows } from "./test-support";

function sqlError(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error("expected a SqlError");
}

const ctx = execContext();

function agSpec(
  database: string | undefined,
  overrides: Partial<CreateAvailabilityGroupSpec> = {},
): CreateAvailabilityGroupSpec {
  return {
    name: `AG_${database ?? "empty"}`,
    clusterType: "NONE",
    options: {},
    databases: database ? [database] : [],
    replicas: [
      {
        serverName: "SQL1",
        endpointUrl: "TCP://10.0.0.4:5022",
        availabilityMode: "SYNCHRONOUS_COMMIT",
        failoverMode: "MANUAL",
        seedingMode: "AUTOMATIC",
      },
    ],
    ...overrides,
  };
}

function dagSpec(localAg: string, name = "DAG_sales"): CreateDistributedAvailabilityGroupSpec {
  return {
    name,
    members: [
      {
        agName: localAg,
        listenerUrl: "TCP://10.0.0.4:5022",
        availabilityMode: "ASYNCHRONOUS_COMMIT",
        failoverMode: "MANUAL",
        seedingMode: "AUTOMATIC",
        sessionTimeout: 20,
      },
      {
        agName: `${localAg}_MI`,
        listenerUrl: `tcp://${MI_FQDN}:5022;Server=[sqlmi1]`,
        availabilityMode: "ASYNCHRONOUS_COMMIT",
        failoverMode: "MANUAL",
        seedingMode: "AUTOMATIC",
      },
    ],
  };
}

const ready = (options: InstanceOptions = {}) =>
  createInstanceModel({ databases: [{ name: "sales", fullBackup: true }], ...options });

describe("CREATE AVAILABILITY GROUP refusals", () => {
  it("needs Always On enabled (35221)", () => {
    const e = sqlError(() => ready({ hadrEnabled: false }).createAvailabilityGroup(ctx, agSpec("sales")));
    expect(e.number).toBe(35221);
    expect(e.message).toMatch(
      /^Could not process the operation\. Always On Availability Groups replica manager is disabled/,
    );
  });

  it("runs in master only (35208) and for sysadmin only (262)", () => {
    expect(
      sqlError(() => ready().createAvailabilityGroup(execContext("sa", "sales"), agSpec("sales"))).number,
    ).toBe(35208);
    const model = ready({
      logins: [
        { name: "sa", password: "x" },
        { name: "app", password: "y" },
      ],
    });
    expect(sqlError(() => model.createAvailabilityGroup(execContext("app"), agSpec("sales"))).number).toBe(
      262,
    );
  });

  it("needs a replica named like @@SERVERNAME (35237), named instances included", () => {
    const e = sqlError(() =>
      ready().createAvailabilityGroup(
        ctx,
        agSpec("sales", { replicas: [{ ...agSpec("sales").replicas[0], serverName: "OTHER" }] }),
      ),
    );
    expect(e.number).toBe(35237);
    const named = ready({ serverName: "HOST\\INST" });
    named.createAvailabilityGroup(
      ctx,
      agSpec("sales", { replicas: [{ ...agSpec("sales").replicas[0], serverName: "host\\inst" }] }),
    );
    expect(rows(named, "sys.availability_replicas")[0].replica_server_name).toBe("host\\inst");
  });

  it("checks the databases: exists, user, FULL recovery, log chain, not in another AG", () => {
    const model = createInstanceModel({
      databases: [
        { name: "sales", fullBackup: true },
        { name: "simple", recoveryModel: "SIMPLE", fullBackup: true },
        { name: "nobackup" },
      ],
    });
    expect(sqlError(() => model.createAvailabilityGroup(ctx, agSpec("nope"))).number).toBe(35238);
    expect(sqlError(() => model.createAvailabilityGroup(ctx, agSpec("msdb"))).number).toBe(35249);
    expect(sqlError(() => model.createAvailabilityGroup(ctx, agSpec("simple"))).number).toBe(1465);
    const e = sqlError(() => model.createAvailabilityGroup(ctx, agSpec("nobackup")));
    expect(e.number).toBe(1475);
    expect(e.message).toMatch(
      /^Database "nobackup" might contain bulk logged changes that have not been backed up\./,
    );
    model.createAvailabilityGroup(ctx, agSpec("sales"));
    expect(sqlError(() => model.createAvailabilityGroup(ctx, agSpec("sales", { name: "AG2" }))).number).toBe(
      35244,
    );
    expect(
      sqlError(() => model.createAvailabilityGroup(ctx, agSpec(undefined, { name: "ag_SALES" }))).number,
    ).toBe(41042);
  });

  it("a COPY_ONLY full backup does not satisfy 1475", () => {
    const model = createInstanceModel({ databases: [{ name: "sales" }] });
    model.backup(ctx, {
      database: "sales",
      type: "DATABASE",
      target: { kind: "DISK", path: "/b" },
      copyOnly: true,
      options: {},
    });
    expect(sqlError(() => model.createAvailabilityGroup(ctx, agSpec("sales"))).number).toBe(1475);
  });

  it("refuses CLUSTER_TYPE on SQL Server 2016, where an AG is always WSFC", () => {
    const model = ready({ productVersion: "13.0.7000.253" });
    expect(() => model.createAvailabilityGroup(ctx, agSpec("sales"))).toThrow(SqlError);
    model.createAvailabilityGroup(ctx, agSpec("sales", { clusterType: undefined }));
    expect(rows(model, "sys.availability_groups")[0]).toMatchObject({
      cluster_type: 0,
      cluster_type_desc: "wsfc",
    });
  });
});

describe("availability group catalog", () => {
  it("shows the AG, its replica, its database, PRIMARY/HEALTHY/CONNECTED and SYNCHRONIZED", () => {
    const model = ready();
    model.createAvailabilityGroup(ctx, agSpec("sales"));
    const [group] = rows(model, "sys.availability_groups");
    expect(group).toMatchObject({
      name: "AG_sales",
      is_distributed: false,
      cluster_type: 2,
      cluster_type_desc: "none",
      is_contained: false,
    });
    const [replica] = rows(model, "sys.availability_replicas");
    expect(replica).toMatchObject({
      group_id: group.group_id,
      replica_server_name: "SQL1",
      endpoint_url: "TCP://10.0.0.4:5022",
      availability_mode_desc: "SYNCHRONOUS_COMMIT",
      failover_mode_desc: "MANUAL",
      seeding_mode: 0,
      seeding_mode_desc: "AUTOMATIC",
    });
    const [cluster] = rows(model, "sys.availability_databases_cluster");
    expect(cluster).toMatchObject({ group_id: group.group_id, database_name: "sales" });
    expect(rows(model, "sys.dm_hadr_availability_replica_states")).toMatchObject([
      {
        replica_id: replica.replica_id,
        is_local: true,
        role_desc: "PRIMARY",
        synchronization_health_desc: "HEALTHY",
        connected_state_desc: "CONNECTED",
      },
    ]);
    const [dbState] = rows(model, "sys.dm_hadr_database_replica_states");
    expect(dbState).toMatchObject({
      database_id: 5,
      is_local: true,
      is_primary_replica: true,
      synchronization_state_desc: "SYNCHRONIZED",
    });
    expect(typeof dbState.last_hardened_lsn).toBe("bigint");
    const db = rows(model, "sys.databases").find((d) => d.name === "sales");
    expect(db).toMatchObject({
      replica_id: replica.replica_id,
      group_database_id: cluster.group_database_id,
    });
  });

  it("has the documented column types for the HADR DMVs", () => {
    const model = ready();
    const types = (view: string) =>
      Object.fromEntries(model.catalogTable(view, ctx)!.columns.map((c) => [c.name, c.type]));
    const dbStates = types("sys.dm_hadr_database_replica_states");
    expect(dbStates.last_hardened_lsn).toEqual({ kind: "numeric", precision: 25, scale: 0 });
    expect(dbStates.log_send_queue_size).toEqual({ kind: "bigint" });
    expect(dbStates.synchronization_state).toEqual({ kind: "tinyint" });
    expect(dbStates.group_database_id).toEqual({ kind: "uniqueidentifier" });
    const replicaStates = types("sys.dm_hadr_availability_replica_states");
    expect(replicaStates.last_connect_error_description).toEqual({ kind: "nvarchar", length: 1024 });
    expect(replicaStates.last_connect_error_timestamp).toEqual({ kind: "datetime" });
    expect(types("sys.availability_groups").is_distributed).toEqual({ kind: "bit" });
    expect(types("sys.availability_replicas").endpoint_url).toEqual({ kind: "nvarchar", length: 128 });
    expect(types("sys.dm_hadr_automatic_seeding").number_of_attempts).toEqual({ kind: "int" });
  });

  it("protects databases in an AG from DROP (3752) and from leaving FULL recovery (1468)", () => {
    const model = ready();
    model.createAvailabilityGroup(ctx, agSpec("sales"));
    expect(sqlError(() => model.dropDatabase(ctx, "sales")).number).toBe(3752);
    expect(sqlError(() => model.setRecoveryModel(ctx, "sales", "SIMPLE")).number).toBe(1468);
  });

  it("FAILOVER of a CLUSTER_TYPE = NONE AG is 47122", () => {
    const model = ready();
    model.createAvailabilityGroup(ctx, agSpec("sales"));
    expect(sqlError(() => model.alterAvailabilityGroup(ctx, "AG_sales", { kind: "failover" })).number).toBe(
      47122,
    );
  });

  it("ADD and REMOVE DATABASE apply the join rules", () => {
    const model = createInstanceModel({ databases: [{ name: "sales", fullBackup: true }, { name: "hr" }] });
    model.createAvailabilityGroup(ctx, agSpec(undefined));
    expect(
      sqlError(() => model.alterAvailabilityGroup(ctx, "AG_empty", { kind: "addDatabase", database: "hr" }))
        .number,
    ).toBe(1475);
    model.alterAvailabilityGroup(ctx, "AG_empty", { kind: "addDatabase", database: "sales" });
    expect(rows(model, "sys.availability_databases_cluster").map((r) => r.database_name)).toEqual(["sales"]);
    model.alterAvailabilityGroup(ctx, "AG_empty", { kind: "removeDatabase", database: "sales" });
    expect(rows(model, "sys.availability_databases_cluster")).toEqual([]);
  });
});

describe("distributed availability groups", () => {
  it("lists the member AGs as replicas with their LISTENER_URL, the MI member DISCONNECTED", () => {
    const model = ready();
    model.createAvailabilityGroup(ctx, agSpec("sales"));
    model.createDistributedAvailabilityGroup(ctx, dagSpec("AG_sales"));
    const dag = rows(model, "sys.availability_groups").find((g) => g.name === "DAG_sales")!;
    expect(dag.is_distributed).toBe(true);
    const replicas = rows(model, "sys.availability_replicas").filter((r) => r.group_id === dag.group_id);
    expect(
      replicas.map((r) => [
        r.replica_server_name,
        r.endpoint_url,
        r.availability_mode_desc,
        r.session_timeout,
      ]),
    ).toEqual([
      ["AG_sales", "TCP://10.0.0.4:5022", "ASYNCHRONOUS_COMMIT", 20],
      ["AG_sales_MI", `tcp://${MI_FQDN}:5022;Server=[sqlmi1]`, "ASYNCHRONOUS_COMMIT", 10],
    ]);
    const states = rows(model, "sys.dm_hadr_availability_replica_states").filter(
      (r) => r.group_id === dag.group_id,
    );
    expect(states.map((s) => [s.is_local, s.role_desc, s.connected_state_desc])).toEqual([
      [true, "PRIMARY", "CONNECTED"],
      [false, "SECONDARY", "DISCONNECTED"],
    ]);
    expect(model.partner.distributedAvailabilityGroup("DAG_sales")).toMatchObject({
      localAgName: "AG_sales",
      remoteAgName: "AG_sales_MI",
      database: "sales",
      localRole: "PRIMARY",
    });
  });

  it("needs its local member AG (unconfirmed number 41035)", () => {
    const e = sqlError(() => ready().createDistributedAvailabilityGroup(ctx, dagSpec("AG_missing")));
    expect(e.number).toBe(41035);
  });

  it("keeps the member AG until the DAG is dropped; missing AGs are 15151", () => {
    const model = ready();
    model.createAvailabilityGroup(ctx, agSpec("sales"));
    model.createDistributedAvailabilityGroup(ctx, dagSpec("AG_sales"));
    const e = sqlError(() => model.dropAvailabilityGroup(ctx, "AG_sales"));
    expect(e.number).toBe(41190);
    expect(e.message).toContain("DAG_sales");
    model.dropAvailabilityGroup(ctx, "DAG_sales");
    model.dropAvailabilityGroup(ctx, "AG_sales");
    expect(rows(model, "sys.availability_groups")).toEqual([]);
    expect(sqlError(() => model.dropAvailabilityGroup(ctx, "AG_sales")).number).toBe(15151);
    expect(sqlError(() => model.alterAvailabilityGroup(ctx, "AG_sales", { kind: "failover" })).number).toBe(
      15151,
    );
  });

  it("DROP works with Always On disabled; CREATE does not", () => {
    const model = ready();
    model.createAvailabilityGroup(ctx, agSpec("sales"));
    const state = model.saveState();
    state.hadrEnabled = false;
    const restarted = createInstanceModel({ state });
    expect(restarted.serverProperty("IsHadrEnabled")).toBe(0);
    restarted.dropAvailabilityGroup(ctx, "AG_sales");
    expect(sqlError(() => restarted.createAvailabilityGroup(ctx, agSpec("sales"))).number).toBe(35221);
  });
});

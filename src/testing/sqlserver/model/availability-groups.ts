/**
 * CREATE / DROP AVAILABILITY GROUP (regular and distributed) and the
 * validations SQL Server applies, in the order it applies them.
 */
import type {
  CreateAvailabilityGroupSpec,
  CreateDistributedAvailabilityGroupSpec,
  ExecContext,
} from "./contract";
import type { SqlValue } from "../types";
import type { ModelContext } from "./context";
import { errors } from "./errors";
import { INITIAL_LSN, lsnAdd } from "./lsn";
import type { AvailabilityGroupState, DatabaseState, DistributedGroupState } from "./state";
import { supportsClusterType } from "./version";

const CLUSTER_TYPES = { WSFC: 0, EXTERNAL: 1, NONE: 2 } as const;

/** The checks shared by every availability group DDL statement. */
export function checkAgDdl(m: ModelContext, ctx: ExecContext, statement: string, requireHadr = true): void {
  if (requireHadr && !m.state.hadrEnabled) throw errors.hadrDisabled();
  if (ctx.database.toLowerCase() !== "master") throw errors.agDdlOutsideMaster();
  m.requirePermission(ctx, statement);
}

/** A database may join an AG: exists, user database, in no other AG, FULL recovery, log chain started. */
export function checkJoinableDatabase(m: ModelContext, name: string, ag: string): DatabaseState {
  const db = m.database(name);
  if (!db) throw errors.agDatabaseMissing(name, ag);
  if (db.system) throw errors.agSystemDatabase(db.name);
  if (m.groupOfDatabase(db.name)) throw errors.agDatabaseInOtherGroup(db.name, ag);
  if (db.recoveryModel !== "FULL") throw errors.notFullRecovery(db.name);
  if (!db.chainFullBackupLsn) throw errors.noFullBackup(db.name);
  return db;
}

/** AG options as written, kept JSON-friendly for the state file. */
function storableOption(value: SqlValue | true): string | number | boolean {
  if (value === null) return "";
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString("hex");
  if (typeof value === "bigint") return Number(value);
  return value;
}

export function createAvailabilityGroup(
  m: ModelContext,
  ctx: ExecContext,
  spec: CreateAvailabilityGroupSpec,
): void {
  checkAgDdl(m, ctx, "CREATE AVAILABILITY GROUP");
  if (m.group(spec.name)) throw errors.agExists(spec.name);
  if (spec.clusterType && !supportsClusterType(m.product)) {
    throw errors.agOptionUnsupported(spec.name, "CLUSTER_TYPE on SQL Server 2016");
  }
  const seen: string[] = [];
  for (const r of spec.replicas) {
    if (seen.some((s) => m.sameName(s, r.serverName))) throw errors.duplicateReplica(r.serverName, spec.name);
    seen.push(r.serverName);
  }
  if (!spec.replicas.some((r) => m.sameName(r.serverName, m.state.serverName)))
    throw errors.noLocalReplica(spec.name);
  const databases = spec.databases.map((d) => checkJoinableDatabase(m, d, spec.name));
  const now = m.now();
  const ag: AvailabilityGroupState = {
    kind: "AG",
    name: spec.name,
    groupId: m.newGuid(),
    clusterType: CLUSTER_TYPES[spec.clusterType ?? "WSFC"],
    options: Object.fromEntries(Object.entries(spec.options).map(([k, v]) => [k, storableOption(v)])),
    createDate: now,
    replicas: spec.replicas.map((r) => ({
      replicaId: m.newGuid(),
      serverName: r.serverName,
      endpointUrl: r.endpointUrl,
      availabilityMode: r.availabilityMode,
      failoverMode: r.failoverMode,
      seedingMode: r.seedingMode ?? "MANUAL",
      sessionTimeout: r.sessionTimeout ?? 10,
      createDate: now,
      modifyDate: now,
    })),
    databases: databases.map((d) => ({ name: d.name, groupDatabaseId: m.newGuid() })),
    createAnyDatabase: false,
    localRole: "PRIMARY",
  };
  m.state.groups.push(ag);
}

export function createDistributedAvailabilityGroup(
  m: ModelContext,
  ctx: ExecContext,
  spec: CreateDistributedAvailabilityGroupSpec,
): void {
  checkAgDdl(m, ctx, "CREATE AVAILABILITY GROUP");
  if (m.group(spec.name)) throw errors.agExists(spec.name);
  if (spec.members.length !== 2) throw errors.dagLocalMemberMissing(spec.name);
  const localIndex = spec.members.findIndex((mb) => m.availabilityGroup(mb.agName) !== undefined);
  if (localIndex < 0) throw errors.dagLocalMemberMissing(spec.name);
  const local = spec.members[localIndex];
  const remote = spec.members[1 - localIndex];
  const now = m.now();
  const localRole = localIndex === 0 ? "PRIMARY" : "SECONDARY";
  const dag: DistributedGroupState = {
    kind: "DAG",
    name: spec.name,
    groupId: m.newGuid(),
    createDate: now,
    members: spec.members.map((mb) => ({
      replicaId: m.newGuid(),
      agName: mb.agName,
      listenerUrl: mb.listenerUrl,
      availabilityMode: mb.availabilityMode,
      failoverMode: mb.failoverMode,
      seedingMode: mb.seedingMode,
      sessionTimeout: mb.sessionTimeout ?? 10,
      createDate: now,
      modifyDate: now,
    })),
    localAgName: m.availabilityGroup(local.agName)!.name,
    remoteAgName: remote.agName,
    localRole,
    remoteRole: localRole === "PRIMARY" ? "SECONDARY" : "PRIMARY",
    link: {
      joined: false,
      seeding: "NONE",
      seedingAttempts: 0,
      held: false,
      // The MI as initial primary already holds the database; as secondary it has nothing yet.
      remoteLsn: localRole === "PRIMARY" ? "0" : lsnAdd(INITIAL_LSN, 1000),
      remoteWorkload: true,
    },
  };
  m.state.groups.push(dag);
}

export function dropAvailabilityGroup(m: ModelContext, ctx: ExecContext, name: string): void {
  checkAgDdl(m, ctx, "DROP AVAILABILITY GROUP", false);
  const group = m.group(name);
  if (!group) throw errors.agNotFound("drop", name);
  if (group.kind === "AG") {
    const dag = m.state.groups.find(
      (g): g is DistributedGroupState => g.kind === "DAG" && m.sameName(g.localAgName, group.name),
    );
    if (dag) throw errors.agIsDistributedMember(group.name, dag.name);
  }
  m.state.groups = m.state.groups.filter((g) => g !== group);
}

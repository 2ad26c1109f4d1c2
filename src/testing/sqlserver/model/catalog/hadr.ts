/**
 * The Always On catalog views and DMVs: sys.availability_groups,
 * sys.availability_replicas, sys.availability_databases_cluster,
 * sys.dm_hadr_availability_replica_states, sys.dm_hadr_database_replica_states,
 * sys.dm_hadr_automatic_seeding and sys.dm_hadr_physical_seeding_stats.
 * For a distributed AG the "replicas" are its member AGs.
 */
import type { CatalogTable } from "../contract";
import type { ModelContext } from "../context";
import { linkView, type LinkView } from "../hadr-status";
import { LSN_STEP } from "../lsn";
import type { SynchronizationState } from "../partner";
import type { AvailabilityGroupState, DistributedGroupState } from "../state";
import { date, T, table, type ColumnSpec, type Row } from "./columns";

const CLUSTER_TYPE_DESC = ["wsfc", "external", "none"];
const AVAILABILITY_MODE = { ASYNCHRONOUS_COMMIT: 0, SYNCHRONOUS_COMMIT: 1, CONFIGURATION_ONLY: 4 } as const;
const FAILOVER_MODE = { AUTOMATIC: 0, MANUAL: 1, EXTERNAL: 2 } as const;
const SEEDING_MODE = { AUTOMATIC: 0, MANUAL: 1 } as const;
const ROLE = { RESOLVING: 0, PRIMARY: 1, SECONDARY: 2 } as const;
const SYNC_STATE: Record<SynchronizationState, number> = {
  "NOT SYNCHRONIZING": 0,
  SYNCHRONIZING: 1,
  SYNCHRONIZED: 2,
  REVERTING: 3,
  INITIALIZING: 4,
};
const HEALTH = ["NOT_HEALTHY", "PARTIALLY_HEALTHY", "HEALTHY"] as const;

function localAgOf(m: ModelContext, dag: DistributedGroupState): AvailabilityGroupState | undefined {
  return m.availabilityGroup(dag.localAgName);
}

const GROUPS: ColumnSpec[] = [
  ["group_id", T.guid, false],
  ["name", T.sysname],
  ["resource_id", T.nvarchar(40)],
  ["resource_group_id", T.nvarchar(40)],
  ["failure_condition_level", T.int],
  ["health_check_timeout", T.int],
  ["automated_backup_preference", T.tinyint],
  ["automated_backup_preference_desc", T.nvarchar(60)],
  ["version", T.smallint],
  ["basic_features", T.bit],
  ["dtc_support", T.bit],
  ["db_failover", T.bit],
  ["is_distributed", T.bit],
  ["cluster_type", T.tinyint],
  ["cluster_type_desc", T.nvarchar(60)],
  ["required_synchronized_secondaries_to_commit", T.int],
  ["sequence_number", T.bigint],
];

export function availabilityGroupsView(m: ModelContext, visible: boolean): CatalogTable {
  const spec = m.product.major >= 16 ? [...GROUPS, ["is_contained", T.bit] as ColumnSpec] : GROUPS;
  const rows: Row[] = (visible ? m.state.groups : []).map((g) => {
    const clusterType = g.kind === "AG" ? g.clusterType : (localAgOf(m, g)?.clusterType ?? 2);
    const option = (name: string) => (g.kind === "AG" ? g.options[name] : undefined);
    return {
      group_id: g.groupId,
      name: g.name,
      resource_id: clusterType === 0 ? g.groupId.toLowerCase() : null,
      resource_group_id: clusterType === 0 ? g.groupId.toLowerCase() : null,
      failure_condition_level: g.kind === "AG" ? 3 : null,
      health_check_timeout: g.kind === "AG" ? 30000 : null,
      automated_backup_preference: 2,
      automated_backup_preference_desc: "secondary",
      version: 1,
      basic_features: option("BASIC") === true,
      dtc_support: option("DTC_SUPPORT") === "PER_DB",
      db_failover: option("DB_FAILOVER") === "ON" || option("DB_FAILOVER") === true,
      is_distributed: g.kind === "DAG",
      cluster_type: clusterType,
      cluster_type_desc: CLUSTER_TYPE_DESC[clusterType],
      required_synchronized_secondaries_to_commit: 0,
      sequence_number: BigInt(g.createDate),
      is_contained: false,
    };
  });
  return table(spec, rows);
}

const REPLICAS: ColumnSpec[] = [
  ["replica_id", T.guid],
  ["group_id", T.guid],
  ["replica_metadata_id", T.int],
  ["replica_server_name", T.nvarchar(256)],
  ["owner_sid", T.varbinary(85)],
  ["endpoint_url", T.nvarchar(128)],
  ["availability_mode", T.tinyint],
  ["availability_mode_desc", T.nvarchar(60)],
  ["failover_mode", T.tinyint],
  ["failover_mode_desc", T.nvarchar(60)],
  ["session_timeout", T.int],
  ["primary_role_allow_connections", T.tinyint],
  ["primary_role_allow_connections_desc", T.nvarchar(60)],
  ["secondary_role_allow_connections", T.tinyint],
  ["secondary_role_allow_connections_desc", T.nvarchar(60)],
  ["create_date", T.datetime],
  ["modify_date", T.datetime],
  ["backup_priority", T.int],
  ["read_only_routing_url", T.nvarchar(256)],
  ["seeding_mode", T.tinyint],
  ["seeding_mode_desc", T.nvarchar(60)],
];

export function availabilityReplicasView(m: ModelContext, visible: boolean): CatalogTable {
  const rows: Row[] = [];
  for (const g of visible ? m.state.groups : []) {
    const replicas =
      g.kind === "AG"
        ? g.replicas.map((r) => ({ ...r, name: r.serverName, url: r.endpointUrl }))
        : g.members.map((mb) => ({ ...mb, name: mb.agName, url: mb.listenerUrl }));
    replicas.forEach((r, i) =>
      rows.push({
        replica_id: r.replicaId,
        group_id: g.groupId,
        replica_metadata_id: i + 1,
        replica_server_name: r.name,
        owner_sid: Buffer.from([1]),
        endpoint_url: r.url,
        availability_mode: AVAILABILITY_MODE[r.availabilityMode],
        availability_mode_desc: r.availabilityMode,
        failover_mode: FAILOVER_MODE[r.failoverMode],
        failover_mode_desc: r.failoverMode,
        session_timeout: r.sessionTimeout,
        primary_role_allow_connections: 2,
        primary_role_allow_connections_desc: "ALL",
        secondary_role_allow_connections: 0,
        secondary_role_allow_connections_desc: "NO",
        create_date: date(r.createDate),
        modify_date: date(r.modifyDate),
        backup_priority: 50,
        seeding_mode: SEEDING_MODE[r.seedingMode],
        seeding_mode_desc: r.seedingMode,
      }),
    );
  }
  return table(REPLICAS, rows);
}

const DATABASES_CLUSTER: ColumnSpec[] = [
  ["group_id", T.guid],
  ["group_database_id", T.guid],
  ["database_name", T.sysname],
  ["truncation_lsn", T.lsn],
];

export function availabilityDatabasesClusterView(m: ModelContext, visible: boolean): CatalogTable {
  const rows: Row[] = [];
  for (const g of visible ? m.state.groups : []) {
    const ag = g.kind === "AG" ? g : localAgOf(m, g);
    for (const d of ag?.databases ?? []) {
      rows.push({ group_id: g.groupId, group_database_id: d.groupDatabaseId, database_name: d.name });
    }
  }
  return table(DATABASES_CLUSTER, rows);
}

const REPLICA_STATES: ColumnSpec[] = [
  ["replica_id", T.guid],
  ["group_id", T.guid],
  ["is_local", T.bit],
  ["role", T.tinyint],
  ["role_desc", T.nvarchar(60)],
  ["operational_state", T.tinyint],
  ["operational_state_desc", T.nvarchar(60)],
  ["connected_state", T.tinyint],
  ["connected_state_desc", T.nvarchar(60)],
  ["recovery_health", T.tinyint],
  ["recovery_health_desc", T.nvarchar(60)],
  ["synchronization_health", T.tinyint],
  ["synchronization_health_desc", T.nvarchar(60)],
  ["last_connect_error_number", T.int],
  ["last_connect_error_description", T.nvarchar(1024)],
  ["last_connect_error_timestamp", T.datetime],
];

function linkHealth(view: LinkView): number {
  if (!view.connected || view.splitBrain) return 0;
  if (view.secondaryState === "SYNCHRONIZED") return 2;
  if (view.secondaryState === "SYNCHRONIZING" && !view.synchronousCommit) return 2;
  return 1;
}

export function replicaStatesView(m: ModelContext): CatalogTable {
  const rows: Row[] = [];
  for (const g of m.state.groups) {
    if (g.kind === "AG") {
      for (const r of g.replicas) {
        const local = m.sameName(r.serverName, m.state.serverName);
        const role = local ? g.localRole : "RESOLVING";
        rows.push({
          replica_id: r.replicaId,
          group_id: g.groupId,
          is_local: local,
          role: ROLE[role],
          role_desc: role,
          operational_state: local ? 2 : null,
          operational_state_desc: local ? "ONLINE" : null,
          connected_state: local ? 1 : 0,
          connected_state_desc: local ? "CONNECTED" : "DISCONNECTED",
          recovery_health: local ? 1 : null,
          recovery_health_desc: local ? "ONLINE" : null,
          synchronization_health: local ? 2 : 0,
          synchronization_health_desc: local ? "HEALTHY" : "NOT_HEALTHY",
        });
      }
      continue;
    }
    const view = linkView(m, g);
    const health = linkHealth(view);
    for (const mb of g.members) {
      const local = m.sameName(mb.agName, g.localAgName);
      const role = local ? g.localRole : g.remoteRole;
      const error = local ? undefined : g.link.lastConnectError;
      rows.push({
        replica_id: mb.replicaId,
        group_id: g.groupId,
        is_local: local,
        role: ROLE[role],
        role_desc: role,
        operational_state: local ? 2 : null,
        operational_state_desc: local ? "ONLINE" : null,
        connected_state: local || view.connected ? 1 : 0,
        connected_state_desc: local || view.connected ? "CONNECTED" : "DISCONNECTED",
        recovery_health: local ? 1 : null,
        recovery_health_desc: local ? "ONLINE" : null,
        synchronization_health: health,
        synchronization_health_desc: HEALTH[health],
        last_connect_error_number: error?.number ?? null,
        last_connect_error_description: error?.description ?? null,
        last_connect_error_timestamp: date(error?.timestamp),
      });
    }
  }
  return table(REPLICA_STATES, rows);
}

const LSN_COLUMNS = [
  "recovery_lsn",
  "truncation_lsn",
  "last_sent_lsn",
  "last_received_lsn",
  "last_hardened_lsn",
  "last_redone_lsn",
  "end_of_log_lsn",
  "last_commit_lsn",
];

const DATABASE_REPLICA_STATES: ColumnSpec[] = [
  ["database_id", T.int],
  ["group_id", T.guid],
  ["replica_id", T.guid],
  ["group_database_id", T.guid],
  ["is_local", T.bit],
  ["is_primary_replica", T.bit],
  ["synchronization_state", T.tinyint],
  ["synchronization_state_desc", T.nvarchar(60)],
  ["is_commit_participant", T.bit],
  ["synchronization_health", T.tinyint],
  ["synchronization_health_desc", T.nvarchar(60)],
  ["database_state", T.tinyint],
  ["database_state_desc", T.nvarchar(60)],
  ["is_suspended", T.bit],
  ["suspend_reason", T.tinyint],
  ["suspend_reason_desc", T.nvarchar(60)],
  ...LSN_COLUMNS.map((c): ColumnSpec => [c, T.lsn]),
  ["last_sent_time", T.datetime],
  ["last_received_time", T.datetime],
  ["last_hardened_time", T.datetime],
  ["last_redone_time", T.datetime],
  ["last_commit_time", T.datetime],
  ["log_send_queue_size", T.bigint],
  ["log_send_rate", T.bigint],
  ["redo_queue_size", T.bigint],
  ["redo_rate", T.bigint],
  ["filestream_send_rate", T.bigint],
  ["low_water_mark_for_ghosts", T.bigint],
  ["secondary_lag_seconds", T.bigint],
];

function lsnCells(lsn: bigint, at: Date): Row {
  const row: Row = {};
  for (const c of LSN_COLUMNS) row[c] = lsn;
  for (const c of [
    "last_sent_time",
    "last_received_time",
    "last_hardened_time",
    "last_redone_time",
    "last_commit_time",
  ])
    row[c] = at;
  return row;
}

/** Log send queue in KB: the emulated log writes 60 KB per block. */
const KB_PER_BLOCK = 60n;

export function databaseReplicaStatesView(m: ModelContext): CatalogTable {
  const rows: Row[] = [];
  const now = new Date(m.now());
  for (const g of m.state.groups) {
    if (g.kind === "AG") {
      const local = g.replicas.find((r) => m.sameName(r.serverName, m.state.serverName));
      for (const d of g.databases) {
        const db = m.database(d.name);
        if (!db || !local) continue;
        const state: SynchronizationState =
          local.availabilityMode === "SYNCHRONOUS_COMMIT" ? "SYNCHRONIZED" : "SYNCHRONIZING";
        rows.push({
          ...lsnCells(BigInt(db.lsn), now),
          database_id: db.id,
          group_id: g.groupId,
          replica_id: local.replicaId,
          group_database_id: d.groupDatabaseId,
          is_local: true,
          is_primary_replica: g.localRole === "PRIMARY",
          synchronization_state: SYNC_STATE[state],
          synchronization_state_desc: state,
          is_commit_participant: local.availabilityMode === "SYNCHRONOUS_COMMIT",
          synchronization_health: 2,
          synchronization_health_desc: "HEALTHY",
          database_state: db.state === "ONLINE" ? 0 : 1,
          database_state_desc: db.state,
          is_suspended: false,
          log_send_queue_size: 0n,
          log_send_rate: 0n,
          redo_queue_size: 0n,
          redo_rate: 0n,
          filestream_send_rate: 0n,
          secondary_lag_seconds: 0n,
        });
      }
      continue;
    }
    const view = linkView(m, g);
    const db = view.database;
    const agDb = localAgOf(m, g)?.databases[0];
    if (!db || !agDb) continue;
    const health = linkHealth(view);
    const primaryLsn = g.localRole === "PRIMARY" ? view.sqlServerLsn : view.managedInstanceLsn;
    for (const mb of g.members) {
      const local = m.sameName(mb.agName, g.localAgName);
      const role = local ? g.localRole : g.remoteRole;
      const lsn = local ? view.sqlServerLsn : view.managedInstanceLsn;
      let state: SynchronizationState;
      if (role === "SECONDARY") state = view.secondaryState;
      else if (view.splitBrain) state = local ? "SYNCHRONIZING" : "NOT SYNCHRONIZING";
      else
        state =
          view.synchronousCommit && view.secondaryState === "SYNCHRONIZED" ? "SYNCHRONIZED" : "SYNCHRONIZING";
      const behind = role === "SECONDARY" && primaryLsn > lsn ? (primaryLsn - lsn) / LSN_STEP : 0n;
      const remoteRestoring = !local && g.localRole === "PRIMARY" && view.seedingState !== "COMPLETED";
      rows.push({
        ...lsnCells(lsn, now),
        database_id: db.id,
        group_id: g.groupId,
        replica_id: mb.replicaId,
        group_database_id: agDb.groupDatabaseId,
        is_local: local,
        is_primary_replica: role === "PRIMARY",
        synchronization_state: SYNC_STATE[state],
        synchronization_state_desc: state,
        is_commit_participant: view.synchronousCommit && state === "SYNCHRONIZED",
        synchronization_health: health,
        synchronization_health_desc: HEALTH[health],
        database_state: local ? (db.state === "ONLINE" ? 0 : 1) : remoteRestoring ? 1 : 0,
        database_state_desc: local ? db.state : remoteRestoring ? "RESTORING" : "ONLINE",
        is_suspended: false,
        log_send_queue_size: behind * KB_PER_BLOCK,
        log_send_rate: 0n,
        redo_queue_size: 0n,
        redo_rate: 0n,
        filestream_send_rate: 0n,
        secondary_lag_seconds: role === "SECONDARY" ? (behind * BigInt(m.timings.lsnTickMs)) / 1000n : null,
      });
    }
  }
  return table(DATABASE_REPLICA_STATES, rows);
}

const AUTOMATIC_SEEDING: ColumnSpec[] = [
  ["start_time", T.datetime],
  ["completion_time", T.datetime],
  ["ag_id", T.guid],
  ["ag_db_id", T.guid],
  ["ag_remote_replica_id", T.guid],
  ["operation_id", T.guid],
  ["is_source", T.bit],
  ["current_state", T.nvarchar(32)],
  ["performed_seeding", T.bit],
  ["failure_state", T.int],
  ["failure_state_desc", T.nvarchar(256)],
  ["error_code", T.int],
  ["number_of_attempts", T.int],
];

export function automaticSeedingView(m: ModelContext): CatalogTable {
  const rows: Row[] = [];
  for (const g of m.state.groups) {
    if (g.kind !== "DAG" || g.link.seedingAttempts === 0) continue;
    const l = g.link;
    const remote = g.members.find((mb) => m.sameName(mb.agName, g.remoteAgName));
    const failed = l.seeding === "FAILED";
    rows.push({
      start_time: date(l.seedingStartedAt),
      completion_time: date(l.seedingCompletedAt),
      ag_id: g.groupId,
      ag_db_id: localAgOf(m, g)?.databases[0]?.groupDatabaseId ?? null,
      ag_remote_replica_id: remote?.replicaId ?? null,
      operation_id: g.groupId,
      is_source: g.localRole === "PRIMARY",
      current_state: l.seeding === "NONE" ? "PENDING" : l.seeding,
      performed_seeding: l.seeding === "COMPLETED",
      failure_state: failed ? 1 : null,
      failure_state_desc: failed ? (l.seedingFailure ?? "Seeding failed") : null,
      error_code: failed ? 1 : 0,
      number_of_attempts: l.seedingAttempts,
    });
  }
  return table(AUTOMATIC_SEEDING, rows);
}

const PHYSICAL_SEEDING: ColumnSpec[] = [
  ["local_physical_seeding_id", T.guid],
  ["remote_physical_seeding_id", T.guid],
  ["local_database_id", T.int],
  ["local_database_name", T.nvarchar(128)],
  ["remote_machine_name", T.nvarchar(128)],
  ["role_desc", T.nvarchar(60)],
  ["internal_state_desc", T.nvarchar(60)],
  ["transfer_rate_bytes_per_second", T.bigint],
  ["transferred_size_bytes", T.bigint],
  ["database_size_bytes", T.bigint],
  ["start_time_utc", T.datetime],
  ["end_time_utc", T.datetime],
  ["estimate_time_complete_utc", T.datetime],
  ["failure_message", T.nvarchar(4000)],
];

const SEEDED_BYTES = 64n * 1024n * 1024n;

export function physicalSeedingView(m: ModelContext): CatalogTable {
  const rows: Row[] = [];
  for (const g of m.state.groups) {
    if (g.kind !== "DAG" || g.link.seedingAttempts === 0) continue;
    const view = linkView(m, g);
    const l = g.link;
    rows.push({
      local_physical_seeding_id: g.groupId,
      remote_physical_seeding_id: g.groupId,
      local_database_id: view.database?.id ?? null,
      local_database_name: view.database?.name ?? null,
      remote_machine_name: l.managedInstanceName ?? null,
      role_desc: g.localRole === "PRIMARY" ? "SOURCE" : "DESTINATION",
      internal_state_desc:
        l.seeding === "COMPLETED" ? "Success" : l.seeding === "FAILED" ? "Failed" : "ReadingAndSendingData",
      transfer_rate_bytes_per_second: (SEEDED_BYTES * 1000n) / BigInt(Math.max(1, m.timings.seedingMs)),
      transferred_size_bytes: (SEEDED_BYTES * BigInt(view.seedingProgressPercent)) / 100n,
      database_size_bytes: SEEDED_BYTES,
      start_time_utc: date(l.seedingStartedAt),
      end_time_utc: date(l.seedingCompletedAt),
      estimate_time_complete_utc: date(
        l.seedingStartedAt === undefined ? undefined : l.seedingStartedAt + m.timings.seedingMs,
      ),
      failure_message: l.seedingFailure ?? null,
    });
  }
  return table(PHYSICAL_SEEDING, rows);
}

/**
 * The Always On DMVs: sys.dm_hadr_availability_replica_states, sys.dm_hadr_database_replica_states,
 * sys.dm_hadr_automatic_seeding and sys.dm_hadr_physical_seeding_stats.
 * For a distributed AG the "replicas" are its member AGs.
 */
import type { CatalogTable } from "../contract";
import type { ModelContext } from "../context";
import { linkView, localDatabaseIndex, NameIndex, type LinkView } from "../hadr-status";
import { LSN_STEP } from "../lsn";
import type { SynchronizationState } from "../partner";
import type { AvailabilityGroupState, DistributedGroupState } from "../state";
import { date, T, table, type ColumnSpec, type Row } from "./columns";

const ROLE = { RESOLVING: 0, PRIMARY: 1, SECONDARY: 2 } as const;
const SYNC_STATE: Record<SynchronizationState, number> = {
  "NOT SYNCHRONIZING": 0,
  SYNCHRONIZING: 1,
  SYNCHRONIZED: 2,
  REVERTING: 3,
  INITIALIZING: 4,
};
const HEALTH = ["NOT_HEALTHY", "PARTIALLY_HEALTHY", "HEALTHY"] as const;

export function localAvailabilityGroup(
  m: ModelContext,
  dag: DistributedGroupState,
): AvailabilityGroupState | undefined {
  return m.availabilityGroup(dag.localAgName);
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
  const localDatabaseOf = localDatabaseIndex(m);
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
    const view = linkView(m, g, localDatabaseOf);
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
  const names = new NameIndex(m);
  const now = new Date(m.now());
  for (const g of m.state.groups) {
    if (g.kind === "AG") {
      const local = g.replicas.find((r) => m.sameName(r.serverName, m.state.serverName));
      for (const d of g.databases) {
        const db = names.database(d.name);
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
    const view = linkView(m, g, names.localDatabase);
    const db = view.database;
    const agDb = names.availabilityGroup(g.localAgName)?.databases[0];
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
      ag_db_id: localAvailabilityGroup(m, g)?.databases[0]?.groupDatabaseId ?? null,
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
  const localDatabaseOf = localDatabaseIndex(m);
  for (const g of m.state.groups) {
    if (g.kind !== "DAG" || g.link.seedingAttempts === 0) continue;
    const view = linkView(m, g, localDatabaseOf);
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

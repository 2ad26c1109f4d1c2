/**
 * sys.availability_groups, sys.availability_replicas and
 * sys.availability_databases_cluster. For a distributed AG the "replicas" are
 * its member AGs, with endpoint_url = LISTENER_URL.
 */
import type { CatalogTable } from "../contract";
import type { ModelContext } from "../context";
import { localAvailabilityGroup } from "./hadr";
import { date, T, table, type ColumnSpec, type Row } from "./columns";

const CLUSTER_TYPE_DESC = ["wsfc", "external", "none"];
const AVAILABILITY_MODE = { ASYNCHRONOUS_COMMIT: 0, SYNCHRONOUS_COMMIT: 1, CONFIGURATION_ONLY: 4 } as const;
const FAILOVER_MODE = { AUTOMATIC: 0, MANUAL: 1, EXTERNAL: 2 } as const;
const SEEDING_MODE = { AUTOMATIC: 0, MANUAL: 1 } as const;

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
    const clusterType = g.kind === "AG" ? g.clusterType : (localAvailabilityGroup(m, g)?.clusterType ?? 2);
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
    const ag = g.kind === "AG" ? g : localAvailabilityGroup(m, g);
    for (const d of ag?.databases ?? []) {
      rows.push({ group_id: g.groupId, group_database_id: d.groupDatabaseId, database_name: d.name });
    }
  }
  return table(DATABASES_CLUSTER, rows);
}

/**
 * Resolves a catalog object name as written ("sys.certificates",
 * "master.sys.certificates", "[msdb].[dbo].[backupset]", "msdb..backupset")
 * to its view, applying metadata visibility.
 *
 * Visibility (a simplification of SQL Server's rules): a non-sysadmin login
 * sees every database in sys.databases and the system endpoints, but no
 * certificates, keys, mirroring endpoint, availability groups or backup
 * history (empty results), and the sys.dm_* views refuse it (error 300, VIEW
 * SERVER STATE).
 */
import type { CatalogTable, ExecContext } from "../contract";
import type { ModelContext } from "../context";
import { errors } from "../errors";
import {
  backupMediaFamilyView,
  backupsetView,
  databasesView,
  logSpaceView,
  recoveryStatusView,
} from "./databases";
import { endpointsView, mirroringEndpointsView, tcpEndpointsView } from "./endpoints";
import {
  availabilityDatabasesClusterView,
  availabilityGroupsView,
  availabilityReplicasView,
} from "./availability-groups";
import {
  automaticSeedingView,
  databaseReplicaStatesView,
  physicalSeedingView,
  replicaStatesView,
} from "./hadr";
import { certificatesView, symmetricKeysView } from "./security";
import { AGENT_TABLES } from "../agent-jobs";

type View = (m: ModelContext, database: string, visible: boolean) => CatalogTable;

const SYS_VIEWS: Record<string, View> = {
  databases: (m) => databasesView(m),
  symmetric_keys: (m, db, v) => symmetricKeysView(m, db, v),
  certificates: (m, db, v) => certificatesView(m, db, v),
  endpoints: (m, _db, v) => endpointsView(m, v),
  tcp_endpoints: (m, _db, v) => tcpEndpointsView(m, v),
  database_mirroring_endpoints: (m, _db, v) => mirroringEndpointsView(m, v),
  availability_groups: (m, _db, v) => availabilityGroupsView(m, v),
  availability_replicas: (m, _db, v) => availabilityReplicasView(m, v),
  availability_databases_cluster: (m, _db, v) => availabilityDatabasesClusterView(m, v),
  dm_hadr_availability_replica_states: (m) => replicaStatesView(m),
  dm_hadr_database_replica_states: (m) => databaseReplicaStatesView(m),
  dm_hadr_automatic_seeding: (m) => automaticSeedingView(m),
  dm_hadr_physical_seeding_stats: (m) => physicalSeedingView(m),
  dm_db_log_space_usage: (m, db) => logSpaceView(m, db),
  database_recovery_status: (m) => recoveryStatusView(m),
};

const MSDB_TABLES: Record<string, View> = {
  backupset: (m, _db, v) => backupsetView(m, v),
  backupmediafamily: (m, _db, v) => backupMediaFamilyView(m, v),
  ...Object.fromEntries(
    Object.entries(AGENT_TABLES).map(([name, view]): [string, View] => [name, (m, _db, v) => view(m, v)]),
  ),
};

function splitName(name: string): string[] {
  const parts: string[] = [];
  const re = /\[((?:[^\]]|\]\])*)\]|([^.]*)/g;
  let rest = name.trim();
  while (rest.length >= 0) {
    re.lastIndex = 0;
    const match = re.exec(rest);
    if (!match) break;
    parts.push((match[1] !== undefined ? match[1].replace(/\]\]/g, "]") : match[2]).trim().toLowerCase());
    rest = rest.slice(match[0].length);
    if (!rest.startsWith(".")) break;
    rest = rest.slice(1);
  }
  return parts;
}

export function catalogTable(m: ModelContext, name: string, ctx: ExecContext): CatalogTable | undefined {
  const parts = splitName(name);
  if (parts.length < 2 || parts.length > 3) return undefined;
  const [database, schema, object] =
    parts.length === 3 ? parts : [ctx.database.toLowerCase(), parts[0], parts[1]];
  const db = m.database(database);
  if (!db) return undefined;
  const visible = m.isSysadmin(ctx.login);
  if (schema === "sys") {
    const view = SYS_VIEWS[object];
    if (!view) return undefined;
    if (object.startsWith("dm_") && !visible) throw errors.viewServerState();
    return view(m, db.name, visible);
  }
  if ((schema === "dbo" || schema === "") && db.name.toLowerCase() === "msdb") {
    const view = MSDB_TABLES[object];
    return view ? view(m, db.name, visible) : undefined;
  }
  return undefined;
}

/**
 * sys.databases, sys.dm_db_log_space_usage and msdb's backup history.
 */
import type { CatalogTable } from "../contract";
import type { ModelContext } from "../context";
import { localDatabaseIndex, receiving, type LocalDatabaseLookup } from "../hadr-status";
import type { DatabaseState } from "../state";
import { date, T, table, type ColumnSpec } from "./columns";

const RECOVERY_CODES = { FULL: 1, BULK_LOGGED: 2, SIMPLE: 3 } as const;
const STATE_CODES = { ONLINE: 0, RESTORING: 1 } as const;

const DATABASES: ColumnSpec[] = [
  ["name", T.sysname, false],
  ["database_id", T.int, false],
  ["source_database_id", T.int],
  ["owner_sid", T.varbinary(85)],
  ["create_date", T.datetime, false],
  ["compatibility_level", T.tinyint, false],
  ["collation_name", T.sysname],
  ["user_access", T.tinyint],
  ["user_access_desc", T.nvarchar(60)],
  ["is_read_only", T.bit],
  ["state", T.tinyint],
  ["state_desc", T.nvarchar(60)],
  ["is_in_standby", T.bit],
  ["recovery_model", T.tinyint],
  ["recovery_model_desc", T.nvarchar(60)],
  ["log_reuse_wait", T.tinyint],
  ["log_reuse_wait_desc", T.nvarchar(60)],
  ["is_encrypted", T.bit],
  ["is_master_key_encrypted_by_server", T.bit],
  ["is_broker_enabled", T.bit],
  ["replica_id", T.guid],
  ["group_database_id", T.guid],
];

/** Why the log cannot be truncated (sys.databases.log_reuse_wait/_desc). */
function logReuseWait(m: ModelContext, db: DatabaseState, local: LocalDatabaseLookup): [number, string] {
  const lagging = m.state.groups.some(
    (g) =>
      g.kind === "DAG" &&
      g.localRole === "PRIMARY" &&
      local(g) === db &&
      (!receiving(m, g, local) || g.link.remoteLsn !== db.lsn),
  );
  if (lagging && db.logUsePercent > 5) return [9, "AVAILABILITY_REPLICA"];
  if (db.recoveryModel !== "SIMPLE" && db.chainFullBackupLsn && db.logUsePercent > 5)
    return [2, "LOG_BACKUP"];
  return [0, "NOTHING"];
}

export function databasesView(m: ModelContext): CatalogTable {
  const compat = m.product.major * 10;
  const localOf = localDatabaseIndex(m);
  return table(
    DATABASES,
    m.state.databases.map((db) => {
      const ag = m.groupOfDatabase(db.name);
      const agDb = ag?.databases.find((d) => m.sameName(d.name, db.name));
      const local = ag?.replicas.find((r) => m.sameName(r.serverName, m.state.serverName));
      const [wait, waitDesc] = logReuseWait(m, db, localOf);
      return {
        name: db.name,
        database_id: db.id,
        owner_sid: Buffer.from([1]),
        create_date: date(db.createDate),
        compatibility_level: compat,
        collation_name: m.state.collation,
        user_access: 0,
        user_access_desc: "MULTI_USER",
        is_read_only: false,
        state: STATE_CODES[db.state],
        state_desc: db.state,
        is_in_standby: false,
        recovery_model: RECOVERY_CODES[db.recoveryModel],
        recovery_model_desc: db.recoveryModel,
        log_reuse_wait: wait,
        log_reuse_wait_desc: waitDesc,
        is_encrypted: false,
        is_master_key_encrypted_by_server: m.state.security[db.name.toLowerCase()]?.masterKey !== undefined,
        is_broker_enabled: db.name.toLowerCase() === "msdb",
        replica_id: local?.replicaId ?? null,
        group_database_id: agDb?.groupDatabaseId ?? null,
      };
    }),
  );
}

const LOG_SPACE: ColumnSpec[] = [
  ["database_id", T.int],
  ["total_log_size_in_bytes", T.bigint],
  ["used_log_space_in_bytes", T.bigint],
  ["used_log_space_in_percent", T.numeric(5, 2)],
  ["log_space_in_bytes_since_last_backup", T.bigint],
];

const LOG_SIZE = 64 * 1024 * 1024;

/** sys.dm_db_log_space_usage for the current database. */
export function logSpaceView(m: ModelContext, database: string): CatalogTable {
  const db = m.database(database);
  const rows = db
    ? [
        {
          database_id: db.id,
          total_log_size_in_bytes: BigInt(LOG_SIZE),
          used_log_space_in_bytes: BigInt(Math.round((LOG_SIZE * db.logUsePercent) / 100)),
          used_log_space_in_percent: db.logUsePercent.toFixed(2),
          log_space_in_bytes_since_last_backup: BigInt(Math.round((LOG_SIZE * db.logUsePercent) / 100)),
        },
      ]
    : [];
  return table(LOG_SPACE, rows);
}

const RECOVERY_STATUS: ColumnSpec[] = [
  ["database_id", T.int, false],
  ["last_log_backup_lsn", T.lsn],
];

/**
 * sys.database_recovery_status: last_log_backup_lsn is NULL while the database has no log backup
 * chain (SIMPLE, or FULL without a full backup since the switch: "pseudo-simple").
 */
export function recoveryStatusView(m: ModelContext): CatalogTable {
  return table(
    RECOVERY_STATUS,
    m.state.databases.map((db) => {
      const chain =
        db.recoveryModel !== "SIMPLE" ? (db.lastLogBackupLsn ?? db.chainFullBackupLsn) : undefined;
      return { database_id: db.id, last_log_backup_lsn: chain === undefined ? null : BigInt(chain) };
    }),
  );
}

const BACKUPSET: ColumnSpec[] = [
  ["backup_set_id", T.int, false],
  ["media_set_id", T.int, false],
  ["name", T.nvarchar(128)],
  ["user_name", T.nvarchar(128)],
  ["database_name", T.nvarchar(128)],
  ["database_creation_date", T.datetime],
  ["backup_start_date", T.datetime],
  ["backup_finish_date", T.datetime],
  ["type", T.char(1)],
  ["is_copy_only", T.bit],
  ["recovery_model", T.nvarchar(60)],
  ["first_lsn", T.lsn],
  ["last_lsn", T.lsn],
  ["checkpoint_lsn", T.lsn],
  ["database_backup_lsn", T.lsn],
  ["backup_size", T.numeric(20, 0)],
  ["compressed_backup_size", T.numeric(20, 0)],
  ["server_name", T.nvarchar(128)],
  ["machine_name", T.nvarchar(128)],
  ["is_snapshot", T.bit],
];

export function backupsetView(m: ModelContext, visible: boolean): CatalogTable {
  const machine = m.state.serverName.split("\\")[0];
  return table(
    BACKUPSET,
    (visible ? m.state.backups : []).map((b) => ({
      backup_set_id: b.id,
      media_set_id: b.id,
      user_name: b.userName,
      database_name: b.databaseName,
      database_creation_date: date(m.database(b.databaseName)?.createDate),
      backup_start_date: date(b.start),
      backup_finish_date: date(b.finish),
      type: b.type,
      is_copy_only: b.copyOnly,
      recovery_model: b.recoveryModel,
      first_lsn: BigInt(b.firstLsn),
      last_lsn: BigInt(b.lastLsn),
      checkpoint_lsn: BigInt(b.checkpointLsn),
      database_backup_lsn: BigInt(b.databaseBackupLsn),
      backup_size: BigInt(b.size),
      compressed_backup_size: BigInt(b.size),
      server_name: m.state.serverName,
      machine_name: machine,
      is_snapshot: false,
    })),
  );
}

const MEDIA_FAMILY: ColumnSpec[] = [
  ["media_set_id", T.int, false],
  ["family_sequence_number", T.tinyint, false],
  ["physical_device_name", T.nvarchar(260)],
  ["device_type", T.tinyint],
];

export function backupMediaFamilyView(m: ModelContext, visible: boolean): CatalogTable {
  return table(
    MEDIA_FAMILY,
    (visible ? m.state.backups : []).map((b) => ({
      media_set_id: b.id,
      family_sequence_number: 1,
      physical_device_name: b.device,
      device_type: /^https?:/i.test(b.device) ? 9 : 2,
    })),
  );
}

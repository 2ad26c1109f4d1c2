/**
 * Databases and their backups: CREATE/DROP DATABASE, ALTER DATABASE SET
 * RECOVERY, BACKUP DATABASE/LOG and the log chain the link depends on.
 */
import type { BackupSpec, ExecContext, RecoveryModel } from "./contract";
import type { ModelContext } from "./context";
import { errors } from "./errors";
import { localDatabase } from "./hadr-status";
import { lsnAdd } from "./lsn";
import type { BackupSetState, DatabaseState } from "./state";

const MAX_NAME = 128;

export function requireDatabase(m: ModelContext, name: string): DatabaseState {
  const db = m.database(name);
  if (!db) throw errors.databaseDoesNotExist(name);
  return db;
}

export function canUseDatabase(m: ModelContext, login: string, name: string): void {
  const db = m.database(name);
  if (!db || !m.login(login)) throw errors.databaseDoesNotExist(name);
  if (db.state === "RESTORING") throw errors.databaseRestoring(db.name);
  const secondary = m.state.groups.some(
    (g) => g.kind === "DAG" && g.localRole === "SECONDARY" && localDatabase(m, g) === db,
  );
  // The link's replicas do not allow connections in the secondary role (SECONDARY_ROLE ALLOW_CONNECTIONS = NO).
  if (secondary) throw errors.secondaryNotAccessible(db.name);
}

function lowestFreeId(m: ModelContext): number {
  const used = new Set(m.state.databases.map((d) => d.id));
  let id = 5;
  while (used.has(id)) id++;
  return id;
}

export function addDatabase(
  m: ModelContext,
  name: string,
  settings: { recoveryModel?: RecoveryModel; state?: DatabaseState["state"]; lsn?: string } = {},
): DatabaseState {
  const model = m.database("model");
  const db: DatabaseState = {
    name,
    id: lowestFreeId(m),
    createDate: m.now(),
    recoveryModel: settings.recoveryModel ?? model?.recoveryModel ?? "FULL",
    state: settings.state ?? "ONLINE",
    system: false,
    lsn: settings.lsn ?? lsnAdd(model?.lsn ?? "37000000001600001", 1),
    logUsePercent: 5,
    workload: true,
  };
  m.state.databases.push(db);
  m.state.nextDatabaseId = Math.max(m.state.nextDatabaseId, db.id + 1);
  return db;
}

export function createDatabase(m: ModelContext, ctx: ExecContext, name: string): DatabaseState {
  m.requirePermission(ctx, "CREATE DATABASE");
  if (name.length === 0 || name.length > MAX_NAME) throw errors.databaseDoesNotExist(name);
  if (m.database(name)) throw errors.databaseExists(name);
  return addDatabase(m, name);
}

export function dropDatabase(m: ModelContext, ctx: ExecContext, name: string): void {
  const db = m.database(name);
  if (!db) throw errors.dropDatabaseMissing(name);
  m.requirePermission(ctx, "DROP DATABASE");
  if (db.system) throw errors.dropSystemDatabase(db.name);
  if (m.groupOfDatabase(db.name)) throw errors.databaseInAvailabilityGroup(db.name);
  m.state.databases = m.state.databases.filter((d) => d !== db);
  delete m.state.security[db.name.toLowerCase()];
}

export function setRecoveryModel(
  m: ModelContext,
  ctx: ExecContext,
  name: string,
  model: RecoveryModel,
): void {
  const db = m.database(name);
  if (!db) throw errors.alterDatabaseMissing(name);
  m.requirePermission(ctx, "ALTER DATABASE");
  if (db.name.toLowerCase() === "tempdb" && model !== "SIMPLE") throw errors.recoveryNotSettable(db.name);
  if (model !== "FULL" && m.groupOfDatabase(db.name)) throw errors.databaseInAgOperation(db.name);
  if (db.recoveryModel === model) return;
  db.recoveryModel = model;
  if (model === "SIMPLE") {
    // SIMPLE truncates the log on checkpoint: the log chain is broken until the next full backup.
    db.chainFullBackupLsn = undefined;
    db.lastLogBackupLsn = undefined;
  }
}

/** True when the log cannot be truncated because a link's secondary has not hardened it. */
export type ReplicaLagProbe = (database: string) => boolean;

/**
 * A log backup while the link seeds the database truncates log the seeding still needs: the
 * seeding fails (1412) and the link has to be dropped and created again (mi-link.md §1 row 14, §5).
 */
function breakSeedingOf(m: ModelContext, db: DatabaseState): void {
  for (const g of m.state.groups) {
    if (g.kind !== "DAG" || g.localRole !== "PRIMARY" || g.link.seeding !== "SEEDING") continue;
    if (localDatabase(m, g) !== db) continue;
    g.link.seeding = "FAILED";
    g.link.seedingFailure =
      `Error 1412: The remote copy of database "${db.name}" has not been rolled forward to a point in time ` +
      "that is encompassed in the local copy of the database log: a log backup ran during seeding. Drop and " +
      "recreate the link.";
  }
}

export function backup(
  m: ModelContext,
  ctx: ExecContext,
  spec: BackupSpec,
  replicaLagging: ReplicaLagProbe,
): void {
  const db = requireDatabase(m, spec.database);
  m.requireSysadmin(ctx);
  if (db.name.toLowerCase() === "tempdb") throw errors.backupTempdb();
  if (db.state === "RESTORING") throw errors.databaseRestoring(db.name);
  const isLog = spec.type === "LOG";
  if (isLog && db.recoveryModel === "SIMPLE") throw errors.logBackupSimple();
  if (isLog && !db.chainFullBackupLsn) throw errors.logBackupNoFull();

  const start = m.now();
  const previousFull = [...m.state.backups]
    .reverse()
    .find((b) => m.sameName(b.databaseName, db.name) && b.type === "D" && !b.copyOnly);
  const firstLsn = isLog ? (db.lastLogBackupLsn ?? db.chainFullBackupLsn ?? db.lsn) : db.lsn;
  // A backup writes its own log records.
  db.lsn = lsnAdd(db.lsn, 1);
  const lastLsn = db.lsn;
  const pages = isLog ? 1 + (BigInt(lastLsn) - BigInt(firstLsn) > 0n ? 8 : 0) : 344;
  const row: BackupSetState = {
    id: m.state.nextBackupSetId++,
    databaseName: db.name,
    type: isLog ? "L" : "D",
    copyOnly: spec.copyOnly,
    firstLsn,
    lastLsn,
    databaseBackupLsn: isLog ? (db.chainFullBackupLsn ?? "0") : (previousFull?.firstLsn ?? "0"),
    checkpointLsn: firstLsn,
    start,
    finish: m.now(),
    recoveryModel: db.recoveryModel,
    userName: ctx.login,
    size: pages * 8192 + 4096,
    device: spec.target.path,
  };
  m.state.backups.push(row);
  if (isLog && !spec.copyOnly) breakSeedingOf(m, db);
  if (!spec.copyOnly) {
    if (isLog) {
      db.lastLogBackupLsn = lastLsn;
      if (!replicaLagging(db.name)) db.logUsePercent = Math.min(db.logUsePercent, 5);
    } else if (db.recoveryModel !== "SIMPLE") {
      db.chainFullBackupLsn = firstLsn;
      db.lastLogBackupLsn = undefined;
    }
  }

  const seconds = Math.max(0.001, (row.finish - start) / 1000);
  const info = (number: number, message: string) => ctx.info({ number, state: 1, severity: 0, message });
  if (isLog) {
    info(4035, `Processed ${pages} pages for database '${db.name}', file '${db.name}_log' on file 1.`);
  } else {
    info(4035, `Processed ${pages - 2} pages for database '${db.name}', file '${db.name}' on file 1.`);
    info(4035, `Processed 2 pages for database '${db.name}', file '${db.name}_log' on file 1.`);
  }
  const mbPerSec = (pages * 8192) / 1048576 / seconds;
  info(
    3014,
    `BACKUP ${isLog ? "LOG" : "DATABASE"} successfully processed ${pages} pages in ${seconds.toFixed(3)} seconds (${mbPerSec.toFixed(3)} MB/sec).`,
  );
}

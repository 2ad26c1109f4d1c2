/**
 * Making one database ready to be the link's primary: FULL recovery and a log backup chain
 * (a full backup, not COPY_ONLY, since it entered FULL recovery). Used by both create and the
 * update that repairs drift. Every decision is made from one catalog read before any change, so
 * a refusal (missing database, no backup target) changes nothing.
 */
import type * as mssql from "mssql";
import { runStatement, runStatementThenRead, SqlServerOperationError } from "../sql";
import {
  backupChainParams,
  parseBackupChain,
  readBackupChain,
  type BackupChainInfo,
} from "../sql/catalog/backup-chain";
import { BACKUP_CHAIN_QUERY } from "../tsql/queries/backup-chain";
import { SQL_ERROR_FIXES } from "../sql/error-fixes";
import { buildFullBackupSql, buildSetRecoveryFullSql, type BackupOptions, type BackupTarget } from "../tsql";
import { connectionSecrets, type ConnectionInputs } from "./common/connection";

export interface ReadinessInputs extends ConnectionInputs {
  database: string;
  backupTarget?: BackupTarget;
  backupOptions?: Omit<BackupOptions, "copyOnly">;
}

/** What the catalog says about the database's readiness, as outputs. */
export interface ReadinessState {
  recoveryModel: string;
  /** ISO time of the last full backup that was not COPY_ONLY; null when there is none. */
  lastFullBackupFinishDate: string | null;
  /** A full backup was taken since the database entered FULL recovery: the link can seed from it. */
  backupChainIntact: boolean;
}

export interface ReadinessOutcome extends ReadinessState {
  /** This run took the full backup. */
  backupTaken: boolean;
  /** Where that backup went (disk path or URL). */
  backupFile: string | null;
}

/** SQL Server errors of BACKUP about its target, and the error 3013 that follows them. */
const BACKUP_TARGET_ERRORS = [3201, 3013, 3041, 3202, 18204, 18210, 3271];

/** The outputs for a database as read. */
export function readinessState(chain: BackupChainInfo): ReadinessState {
  return {
    recoveryModel: chain.recoveryModel,
    lastFullBackupFinishDate: chain.lastFullBackup?.toISOString() ?? null,
    backupChainIntact: chain.chainIntact,
  };
}

/** True when the state last read no longer lets the link start: an update must repair it. */
export function readinessDrifted(state: Partial<ReadinessState>): boolean {
  if (state.recoveryModel === undefined) return false;
  return state.recoveryModel !== "FULL" || state.backupChainIntact === false;
}

function backupFileOf(target: BackupTarget): string {
  return "disk" in target ? target.disk : target.url;
}

function databaseObject(database: string): string {
  return `[${database}]`;
}

/** Sets FULL recovery when needed and takes a full backup when no log backup chain exists. */
export async function ensureDatabaseReady(
  pool: mssql.ConnectionPool,
  inputs: ReadinessInputs,
  server: string,
): Promise<ReadinessOutcome> {
  const { database } = inputs;
  const secrets = connectionSecrets(inputs);
  const chain = await readBackupChain(pool, database);
  if (!chain) throw missingDatabaseError(database, server);
  if (chain.state !== "ONLINE") {
    throw new Error(
      `Database ${databaseObject(database)} on ${server} is ${chain.state}, not ONLINE: its recovery model ` +
        `and backups cannot be changed. Bring it online (or finish its restore WITH RECOVERY), then run again.`,
    );
  }
  // Leaving SIMPLE starts without a log backup chain; leaving BULK_LOGGED keeps it.
  const chainAfterSwitch = chain.recoveryModel === "SIMPLE" ? false : chain.chainIntact;
  if (!chainAfterSwitch && !inputs.backupTarget) {
    throw new Error(
      `Database ${databaseObject(database)} on ${server} has no full backup since it entered FULL recovery ` +
        `(recovery model ${chain.recoveryModel}), and the link needs one. Set \`backupTarget\` ` +
        `({ disk: "/var/opt/mssql/backup/${database}.bak" } or { url: "https://..." }) so it can be taken, ` +
        `or take a full backup that is not COPY_ONLY yourself, then run again.`,
    );
  }
  if (chain.recoveryModel !== "FULL") {
    await runStatement(pool, buildSetRecoveryFullSql(database), undefined, {
      action: "set the FULL recovery model on database",
      object: databaseObject(database),
      secrets,
    });
  }
  if (chainAfterSwitch) {
    return { ...readinessState({ ...chain, recoveryModel: "FULL" }), backupTaken: false, backupFile: null };
  }
  const target = inputs.backupTarget as BackupTarget;
  let after: BackupChainInfo | null;
  try {
    // The backup and the read of the chain it started share one round trip.
    const sets = await runStatementThenRead(
      pool,
      buildFullBackupSql(database, target, inputs.backupOptions ?? {}),
      BACKUP_CHAIN_QUERY,
      backupChainParams(database),
      { action: "take a full backup of database", object: databaseObject(database), secrets },
    );
    after = parseBackupChain(sets);
  } catch (error) {
    throw withBackupTargetFix(error, target);
  }
  if (!after) throw missingDatabaseError(database, server);
  return { ...readinessState(after), backupTaken: true, backupFile: backupFileOf(target) };
}

function missingDatabaseError(database: string, server: string): SqlServerOperationError {
  const serverMessage = `Database '${database}' does not exist. Make sure that the name is entered correctly.`;
  const fix = `${SQL_ERROR_FIXES[911]} Set \`database\` to a user database of ${server}.`;
  return new SqlServerOperationError({
    message:
      `Cannot make database ${databaseObject(database)} ready for the link on ${server}: ` +
      `SQL Server error 911: ${serverMessage} ${fix}`,
    number: 911,
    numbers: [911],
    serverMessage,
    fix,
    action: "make the database ready for the link",
    object: databaseObject(database),
  });
}

/** Adds what to check about the backup target to BACKUP's own error. */
function withBackupTargetFix(error: unknown, target: BackupTarget): unknown {
  if (!(error instanceof SqlServerOperationError)) return error;
  if (!error.numbers.some((n) => BACKUP_TARGET_ERRORS.includes(n))) return error;
  const fix =
    "disk" in target
      ? `Check \`backupTarget.disk\`: the folder must exist on the SQL Server host and the SQL Server service ` +
        `account must be allowed to write to it (on Linux, e.g. /var/opt/mssql/backup).`
      : `Check \`backupTarget.url\`: SQL Server needs a credential named after the container URL ` +
        `(CREATE CREDENTIAL [https://account.blob.core.windows.net/container] WITH IDENTITY = ` +
        `'SHARED ACCESS SIGNATURE', SECRET = '<SAS token>') whose token allows writing.`;
  return new SqlServerOperationError({
    message: `${error.message} ${fix}`,
    number: error.number,
    numbers: [...error.numbers],
    code: error.code,
    systemCode: error.systemCode,
    serverMessage: error.serverMessage,
    fix,
    action: error.action,
    object: error.object,
  });
}

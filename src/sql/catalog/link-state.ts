import type * as mssql from "mssql";
import { LINK_STATE_QUERY } from "../../tsql/queries/link-state";
import { runQueryResultSets } from "../execute";
import { flag, optionalDate, optionalLsn, optionalNumber, optionalText, text, type Row } from "./values";

export interface LinkReplicaState {
  /** The member availability group. */
  agName: string;
  isLocal: boolean;
  role: string | null;
  /** CONNECTED, DISCONNECTED; null when this instance has no state for the member. */
  connectedState: string | null;
  synchronizationHealth: string | null;
  lastConnectError: { number: number | null; description: string | null; timestamp: Date | null } | null;
}

export interface LinkDatabaseState {
  database: string | null;
  /** The member availability group this row describes. */
  agName: string;
  isLocal: boolean;
  isPrimaryReplica: boolean;
  /** SYNCHRONIZED, SYNCHRONIZING, 'NOT SYNCHRONIZING', REVERTING, INITIALIZING */
  synchronizationState: string | null;
  synchronizationHealth: string | null;
  databaseState: string | null;
  isSuspended: boolean;
  suspendReason: string | null;
  /** numeric(25,0) as decimal text. */
  lastHardenedLsn: string | null;
  lastHardenedTime: Date | null;
  endOfLogLsn: string | null;
  logSendQueueSizeKb: number | null;
  redoQueueSizeKb: number | null;
  secondaryLagSeconds: number | null;
}

export interface LinkSeedingAttempt {
  startTime: Date | null;
  completionTime: Date | null;
  /** e.g. PENDING, CHECK_IF_SEEDING_NEEDED, READ_DATABASE_FILE_LIST, COMPLETED, FAILED */
  currentState: string | null;
  failureState: string | null;
  errorCode: number | null;
  numberOfAttempts: number | null;
  isSource: boolean;
  /** Bytes copied so far and in all, while a seeding runs (null otherwise). */
  transferredBytes: number | null;
  databaseBytes: number | null;
  /** 0-100 from the bytes while seeding; 100 once COMPLETED; null when unknown. */
  progressPercent: number | null;
}

export interface LinkState {
  dagName: string;
  replicas: LinkReplicaState[];
  databases: LinkDatabaseState[];
  /** Newest first. */
  seeding: LinkSeedingAttempt[];
}

/** One member of a link, as a row of its replica states. */
export function parseLinkReplica(row: Row): LinkReplicaState {
  const errorNumber = optionalNumber(row, "last_connect_error_number");
  const description = optionalText(row, "last_connect_error_description");
  return {
    agName: text(row, "member_name"),
    isLocal: flag(row, "is_local"),
    role: optionalText(row, "role_desc"),
    connectedState: optionalText(row, "connected_state_desc"),
    synchronizationHealth: optionalText(row, "synchronization_health_desc"),
    lastConnectError:
      errorNumber || description
        ? { number: errorNumber, description, timestamp: optionalDate(row, "last_connect_error_timestamp") }
        : null,
  };
}

function databaseOf(row: Row): LinkDatabaseState {
  return {
    database: optionalText(row, "database_name"),
    agName: text(row, "member_name"),
    isLocal: flag(row, "is_local"),
    isPrimaryReplica: flag(row, "is_primary_replica"),
    synchronizationState: optionalText(row, "synchronization_state_desc"),
    synchronizationHealth: optionalText(row, "synchronization_health_desc"),
    databaseState: optionalText(row, "database_state_desc"),
    isSuspended: flag(row, "is_suspended"),
    suspendReason: optionalText(row, "suspend_reason_desc"),
    lastHardenedLsn: optionalLsn(row, "last_hardened_lsn"),
    lastHardenedTime: optionalDate(row, "last_hardened_time"),
    endOfLogLsn: optionalLsn(row, "end_of_log_lsn"),
    logSendQueueSizeKb: optionalNumber(row, "log_send_queue_size"),
    redoQueueSizeKb: optionalNumber(row, "redo_queue_size"),
    secondaryLagSeconds: optionalNumber(row, "secondary_lag_seconds"),
  };
}

function progressOf(state: string | null, transferred: number | null, total: number | null): number | null {
  if (state === "COMPLETED") return 100;
  if (transferred === null || !total) return null;
  return Math.min(100, Math.floor((transferred * 100) / total));
}

function seedingOf(row: Row): LinkSeedingAttempt {
  const currentState = optionalText(row, "current_state");
  const transferredBytes = optionalNumber(row, "transferred_size_bytes");
  const databaseBytes = optionalNumber(row, "database_size_bytes");
  return {
    startTime: optionalDate(row, "start_time"),
    completionTime: optionalDate(row, "completion_time"),
    currentState,
    failureState: optionalText(row, "failure_state_desc"),
    errorCode: optionalNumber(row, "error_code"),
    numberOfAttempts: optionalNumber(row, "number_of_attempts"),
    isSource: flag(row, "is_source"),
    transferredBytes,
    databaseBytes,
    progressPercent: progressOf(currentState, transferredBytes, databaseBytes),
  };
}

/**
 * Reads the live state of a link from SQL Server's side, by its distributed availability group:
 * connection per member, synchronization per database, seeding attempts (one round trip).
 * Null when the distributed availability group does not exist.
 */
export async function readLinkState(pool: mssql.ConnectionPool, dagName: string): Promise<LinkState | null> {
  const sets = await runQueryResultSets(
    pool,
    LINK_STATE_QUERY,
    { name: dagName },
    { action: "read the state of link", object: `[${dagName}]` },
  );
  return parseLinkState(dagName, sets);
}

/** The link state from the three result sets of `LINK_STATE_QUERY`; null when the group does not exist. */
export function parseLinkState(dagName: string, sets: readonly Row[][]): LinkState | null {
  const [replicaRows = [], databaseRows = [], seedingRows = []] = sets;
  if (replicaRows.length === 0) return null;
  return {
    dagName,
    replicas: replicaRows.map(parseLinkReplica),
    databases: databaseRows.map(databaseOf),
    seeding: seedingRows.map(seedingOf),
  };
}

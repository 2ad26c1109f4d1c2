import type * as mssql from "mssql";
import { AVAILABILITY_GROUP_QUERY } from "../../tsql/queries/availability-group";
import { runQueryResultSets } from "../execute";
import { flag, optionalNumber, optionalText, text, type Row } from "./values";

export interface AvailabilityReplicaInfo {
  /** REPLICA ON N'<server>': the instance's @@SERVERNAME. */
  serverName: string;
  endpointUrl: string | null;
  /** SYNCHRONOUS_COMMIT, ASYNCHRONOUS_COMMIT, CONFIGURATION_ONLY */
  availabilityMode: string | null;
  /** MANUAL, AUTOMATIC, EXTERNAL */
  failoverMode: string | null;
  /** AUTOMATIC, MANUAL */
  seedingMode: string | null;
  sessionTimeout: number | null;
  /** PRIMARY, SECONDARY, RESOLVING; null when this instance does not know it. */
  role: string | null;
  isLocal: boolean;
}

export interface AvailabilityGroupInfo {
  groupId: string;
  name: string;
  isDistributed: boolean;
  /** WSFC, EXTERNAL, NONE */
  clusterType: string | null;
  replicas: AvailabilityReplicaInfo[];
  databases: string[];
  /** Each database's `group_database_id`, in the order of `databases`: new each time a database joins. */
  groupDatabaseIds: string[];
}

function replicaOf(row: Row): AvailabilityReplicaInfo {
  return {
    serverName: text(row, "replica_server_name"),
    endpointUrl: optionalText(row, "endpoint_url"),
    availabilityMode: optionalText(row, "availability_mode_desc"),
    failoverMode: optionalText(row, "failover_mode_desc"),
    seedingMode: optionalText(row, "seeding_mode_desc"),
    sessionTimeout: optionalNumber(row, "session_timeout"),
    role: optionalText(row, "role_desc"),
    isLocal: flag(row, "is_local"),
  };
}

/** Reads an availability group with its replicas and databases (one round trip); null when absent. */
export async function readAvailabilityGroup(
  pool: mssql.ConnectionPool,
  name: string,
): Promise<AvailabilityGroupInfo | null> {
  const sets = await runQueryResultSets(
    pool,
    AVAILABILITY_GROUP_QUERY,
    { name },
    { action: "read availability group", object: `[${name}]` },
  );
  return parseAvailabilityGroup(sets);
}

/** The group from the result sets of `AVAILABILITY_GROUP_QUERY` (parameter `name`); null when absent. */
export function parseAvailabilityGroup(sets: readonly Row[][]): AvailabilityGroupInfo | null {
  const [groupRows = [], databaseRows = []] = sets;
  const first = groupRows[0];
  if (!first) return null;
  return {
    groupId: text(first, "group_id"),
    name: text(first, "name"),
    isDistributed: flag(first, "is_distributed"),
    // SQL Server writes cluster_type_desc in lower case ("none"); the DDL spells it NONE.
    clusterType: optionalText(first, "cluster_type_desc")?.toUpperCase() ?? null,
    replicas: groupRows.filter((row) => row.replica_server_name != null).map(replicaOf),
    databases: databaseRows.map((row) => text(row, "database_name")),
    groupDatabaseIds: databaseRows.map((row) => text(row, "group_database_id")),
  };
}

import type * as mssql from "mssql";
import { DISTRIBUTED_AG_QUERY } from "../../tsql/queries/distributed-ag";
import { runQueryResultSets } from "../execute";
import { flag, optionalNumber, optionalText, text, type Row } from "./values";

export interface DistributedAgMember {
  /** The member availability group's name (N'AG_db', N'AG_db_MI'). */
  agName: string;
  /** LISTENER_URL, e.g. 'TCP://10.0.0.4:5022' or 'tcp://mi.fqdn:5022;Server=[mi]'. */
  listenerUrl: string | null;
  availabilityMode: string | null;
  failoverMode: string | null;
  seedingMode: string | null;
  sessionTimeout: number | null;
  /** PRIMARY, SECONDARY; null when unknown here. */
  role: string | null;
  /** The member that lives on this SQL Server. */
  isLocal: boolean;
  /** CONNECTED, DISCONNECTED; null when unknown here. */
  connectedState: string | null;
}

export interface DistributedAgInfo {
  groupId: string;
  name: string;
  /** False when the name belongs to a regular availability group. */
  isDistributed: boolean;
  members: DistributedAgMember[];
}

function memberOf(row: Row): DistributedAgMember {
  return {
    agName: text(row, "member_name"),
    listenerUrl: optionalText(row, "listener_url"),
    availabilityMode: optionalText(row, "availability_mode_desc"),
    failoverMode: optionalText(row, "failover_mode_desc"),
    seedingMode: optionalText(row, "seeding_mode_desc"),
    sessionTimeout: optionalNumber(row, "session_timeout"),
    role: optionalText(row, "role_desc"),
    isLocal: flag(row, "is_local"),
    connectedState: optionalText(row, "connected_state_desc"),
  };
}

/** Reads a distributed availability group and its members in one statement; null when absent. */
export async function readDistributedAg(
  pool: mssql.ConnectionPool,
  name: string,
): Promise<DistributedAgInfo | null> {
  const sets = await runQueryResultSets(
    pool,
    DISTRIBUTED_AG_QUERY,
    { name },
    {
      action: "read distributed availability group",
      object: `[${name}]`,
    },
  );
  return parseDistributedAg(sets);
}

/** The group from the result sets of `DISTRIBUTED_AG_QUERY` (parameter `name`); null when absent. */
export function parseDistributedAg(sets: readonly Row[][]): DistributedAgInfo | null {
  const rows = sets[0] ?? [];
  const first = rows[0];
  if (!first) return null;
  return {
    groupId: text(first, "group_id"),
    name: text(first, "name"),
    isDistributed: flag(first, "is_distributed"),
    members: rows.map(memberOf),
  };
}

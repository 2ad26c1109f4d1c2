import type * as mssql from "mssql";
import { AVAILABILITY_GROUP_DROP_CHECK_QUERY } from "../../tsql/queries/distributed-ags-using-ag";
import { runQueryResultSets } from "../execute";
import { flag, text } from "./values";

export interface AvailabilityGroupDropCheck {
  /** The availability group exists. */
  exists: boolean;
  /** The name belongs to a distributed availability group, not a regular one. */
  isDistributed: boolean;
  /** Distributed availability groups that still have it as a member. */
  usedBy: string[];
}

/** Whether the availability group `agName` exists, is regular, and which DAGs use it (one round trip). */
export async function readAvailabilityGroupDropCheck(
  pool: mssql.ConnectionPool,
  agName: string,
): Promise<AvailabilityGroupDropCheck> {
  const [groups = [], users = []] = await runQueryResultSets(
    pool,
    AVAILABILITY_GROUP_DROP_CHECK_QUERY,
    { name: agName },
    {
      action: "read availability group and the distributed availability groups that use it",
      object: `[${agName}]`,
    },
  );
  return {
    exists: groups.length > 0,
    isDistributed: groups.length > 0 && flag(groups[0], "is_distributed"),
    usedBy: users.map((row) => text(row, "name")),
  };
}

import type * as mssql from "mssql";
import { DISTRIBUTED_AGS_USING_AG_QUERY } from "../../tsql/queries/distributed-ags-using-ag";
import { runQuery } from "../execute";
import { text } from "./values";

/**
 * The names of the distributed availability groups that have the availability group `agName` as a
 * member (one round trip); empty when none.
 */
export async function readDistributedAgsUsing(pool: mssql.ConnectionPool, agName: string): Promise<string[]> {
  const rows = await runQuery(
    pool,
    DISTRIBUTED_AGS_USING_AG_QUERY,
    { name: agName },
    { action: "find the distributed availability groups that use availability group", object: `[${agName}]` },
  );
  return rows.map((row) => text(row, "name"));
}

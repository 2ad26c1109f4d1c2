import type * as mssql from "mssql";
import { ENDPOINT_REPLICAS_QUERY } from "../../tsql/queries/endpoint-replicas";
import { runQuery } from "../execute";
import { optionalText, text } from "./values";

export interface EndpointReplica {
  group: string;
  replicaServerName: string;
  endpointUrl: string | null;
}

/** The availability replicas whose endpoint URL names TCP port `port` (tcp://host:port). */
export async function readReplicasOnPort(
  pool: mssql.ConnectionPool,
  port: number,
): Promise<EndpointReplica[]> {
  const rows = await runQuery(pool, ENDPOINT_REPLICAS_QUERY, {}, { action: "read availability replicas" });
  return rows
    .map((row) => ({
      group: text(row, "group_name"),
      replicaServerName: text(row, "replica_server_name"),
      endpointUrl: optionalText(row, "endpoint_url"),
    }))
    .filter((replica) => urlPort(replica.endpointUrl) === port);
}

/** The port of tcp://host:port[/], or null. */
function urlPort(url: string | null): number | null {
  const match = /:(\d{1,5})\/?\s*$/.exec(url ?? "");
  return match ? Number(match[1]) : null;
}

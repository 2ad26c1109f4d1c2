import type * as mssql from "mssql";
import { ENDPOINT_AND_LINK_CONNECTIONS_QUERY } from "../../tsql/queries/endpoint-and-link-connections";
import { runQueryResultSets } from "../execute";
import { parseLinkReplica, type LinkReplicaState } from "./link-state";
import { parseMirroringEndpoint, type MirroringEndpointInfo } from "./mirroring-endpoint";
import { text } from "./values";

export interface EndpointAndLinkConnections {
  /** The instance's mirroring endpoint; null when there is none. */
  endpoint: MirroringEndpointInfo | null;
  /** The members of every distributed availability group, by the group's name in lower case. */
  links: Map<string, LinkReplicaState[]>;
}

/** Reads the mirroring endpoint and the connection of every link in one round trip. */
export async function readEndpointAndLinkConnections(
  pool: mssql.ConnectionPool,
): Promise<EndpointAndLinkConnections> {
  const [endpointRows = [], memberRows = []] = await runQueryResultSets(
    pool,
    ENDPOINT_AND_LINK_CONNECTIONS_QUERY,
    {},
    { action: "read the mirroring endpoint and the connection of the links" },
  );
  const links = new Map<string, LinkReplicaState[]>();
  for (const row of memberRows) {
    const key = text(row, "dag_name").toLowerCase();
    links.set(key, [...(links.get(key) ?? []), parseLinkReplica(row)]);
  }
  return { endpoint: parseMirroringEndpoint([endpointRows]), links };
}

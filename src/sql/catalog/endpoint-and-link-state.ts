import type * as mssql from "mssql";
import { ENDPOINT_AND_LINK_STATE_QUERY } from "../../tsql/queries/endpoint-and-link-state";
import { runQueryResultSets } from "../execute";
import { parseLinkState, type LinkState } from "./link-state";
import { parseMirroringEndpoint, type MirroringEndpointInfo } from "./mirroring-endpoint";

export interface EndpointAndLinkState {
  /** The instance's mirroring endpoint; null when there is none. */
  endpoint: MirroringEndpointInfo | null;
  /** The link's state; null when its distributed availability group does not exist. */
  link: LinkState | null;
}

/** Reads the mirroring endpoint and the state of the link `dagName` in one round trip. */
export async function readEndpointAndLinkState(
  pool: mssql.ConnectionPool,
  dagName: string,
): Promise<EndpointAndLinkState> {
  const [endpointRows = [], ...linkSets] = await runQueryResultSets(
    pool,
    ENDPOINT_AND_LINK_STATE_QUERY,
    { name: dagName },
    { action: "read the mirroring endpoint and the state of link", object: `[${dagName}]` },
  );
  return { endpoint: parseMirroringEndpoint([endpointRows]), link: parseLinkState(dagName, linkSets) };
}

/**
 * The mirroring endpoint (first result set) and the connection of every member of every
 * distributed availability group (second), in one batch: what the check of the links' endpoint
 * certificate observes at each poll, in one round trip whatever the number of links.
 */
import { LINK_MEMBER_COLUMNS } from "./link-state";
import { MIRRORING_ENDPOINT_QUERY } from "./mirroring-endpoint";

export const LINK_CONNECTIONS_QUERY = `
SELECT
  ag.name AS dag_name,${LINK_MEMBER_COLUMNS}
WHERE ag.is_distributed = 1
ORDER BY ag.name, r.replica_server_name`.trim();

export const ENDPOINT_AND_LINK_CONNECTIONS_QUERY = `${MIRRORING_ENDPOINT_QUERY};\n${LINK_CONNECTIONS_QUERY};`;

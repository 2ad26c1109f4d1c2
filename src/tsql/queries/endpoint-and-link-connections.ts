/**
 * The mirroring endpoint (first result set) and the connection of every member of every
 * distributed availability group (second), in one batch: what the check of the links' endpoint
 * certificate observes at each poll, in one round trip whatever the number of links.
 */
import { MIRRORING_ENDPOINT_QUERY } from "./mirroring-endpoint";

export const LINK_CONNECTIONS_QUERY = `
SELECT
  ag.name AS dag_name,
  r.replica_server_name AS member_name,
  rs.is_local,
  rs.role_desc,
  rs.connected_state_desc,
  rs.synchronization_health_desc,
  rs.last_connect_error_number,
  rs.last_connect_error_description,
  rs.last_connect_error_timestamp
FROM sys.availability_groups ag
JOIN sys.availability_replicas r ON r.group_id = ag.group_id
LEFT JOIN sys.dm_hadr_availability_replica_states rs ON rs.replica_id = r.replica_id
WHERE ag.is_distributed = 1
ORDER BY ag.name, r.replica_server_name`.trim();

export const ENDPOINT_AND_LINK_CONNECTIONS_QUERY = `${MIRRORING_ENDPOINT_QUERY};\n${LINK_CONNECTIONS_QUERY};`;

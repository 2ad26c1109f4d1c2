/**
 * Every availability replica with its group and endpoint URL (distributed groups list their
 * member groups' listener URLs): what may still connect through the mirroring endpoint.
 */
export const ENDPOINT_REPLICAS_QUERY = `
SELECT
  ag.name AS group_name,
  r.replica_server_name,
  r.endpoint_url
FROM sys.availability_replicas r
JOIN sys.availability_groups ag ON ag.group_id = r.group_id`.trim();

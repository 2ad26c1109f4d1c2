/**
 * One distributed availability group by name (@name): its member AGs (the "replicas" of a DAG)
 * with listener URLs, modes and current roles. Written order of members is not stored; the
 * primary is the member whose role is PRIMARY.
 */
export const DISTRIBUTED_AG_QUERY = `
SELECT
  ag.group_id,
  ag.name,
  ag.is_distributed,
  r.replica_id,
  r.replica_server_name AS member_name,
  r.endpoint_url AS listener_url,
  r.availability_mode_desc,
  r.failover_mode_desc,
  r.seeding_mode_desc,
  r.session_timeout,
  rs.role_desc,
  rs.is_local,
  rs.connected_state_desc
FROM sys.availability_groups ag
JOIN sys.availability_replicas r ON r.group_id = ag.group_id
LEFT JOIN sys.dm_hadr_availability_replica_states rs ON rs.replica_id = r.replica_id
WHERE ag.name = @name
ORDER BY r.replica_server_name`.trim();

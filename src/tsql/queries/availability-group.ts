/**
 * One availability group by name (@name), in two result sets of one batch: the group with its
 * replicas (and each replica's current role), then its databases.
 */
export const AVAILABILITY_GROUP_QUERY = `
SELECT
  ag.group_id,
  ag.name,
  ag.is_distributed,
  ag.cluster_type_desc,
  r.replica_id,
  r.replica_server_name,
  r.endpoint_url,
  r.availability_mode_desc,
  r.failover_mode_desc,
  r.seeding_mode_desc,
  r.session_timeout,
  rs.role_desc,
  rs.is_local
FROM sys.availability_groups ag
LEFT JOIN sys.availability_replicas r ON r.group_id = ag.group_id
LEFT JOIN sys.dm_hadr_availability_replica_states rs ON rs.replica_id = r.replica_id
WHERE ag.name = @name
ORDER BY r.replica_server_name;
SELECT
  adc.database_name,
  adc.group_database_id
FROM sys.availability_databases_cluster adc
JOIN sys.availability_groups ag ON ag.group_id = adc.group_id
WHERE ag.name = @name
ORDER BY adc.database_name;`.trim();

/** Each member's connection (columns, then the tables), for one link or for every link. */
export const LINK_MEMBER_COLUMNS = `
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
LEFT JOIN sys.dm_hadr_availability_replica_states rs ON rs.replica_id = r.replica_id`;

/**
 * The live state of a link, by its distributed availability group's name (@name), in three
 * result sets of one batch: each member's connection (and last connection error), each
 * database's synchronization, and the automatic seeding attempts with the bytes transferred
 * (sys.dm_hadr_physical_seeding_stats has rows only while a seeding runs).
 * LSNs are numeric(25,0): cast to text so no digit is lost in JavaScript.
 */
export const LINK_STATE_QUERY = `
SELECT${LINK_MEMBER_COLUMNS}
WHERE ag.name = @name
ORDER BY r.replica_server_name;
SELECT
  DB_NAME(drs.database_id) AS database_name,
  r.replica_server_name AS member_name,
  drs.is_local,
  drs.is_primary_replica,
  drs.synchronization_state_desc,
  drs.synchronization_health_desc,
  drs.database_state_desc,
  drs.is_suspended,
  drs.suspend_reason_desc,
  CAST(drs.last_hardened_lsn AS nvarchar(40)) AS last_hardened_lsn,
  drs.last_hardened_time,
  CAST(drs.end_of_log_lsn AS nvarchar(40)) AS end_of_log_lsn,
  drs.log_send_queue_size,
  drs.redo_queue_size,
  drs.secondary_lag_seconds
FROM sys.availability_groups ag
JOIN sys.dm_hadr_database_replica_states drs ON drs.group_id = ag.group_id
JOIN sys.availability_replicas r ON r.replica_id = drs.replica_id
WHERE ag.name = @name
ORDER BY r.replica_server_name;
SELECT
  s.start_time,
  s.completion_time,
  s.current_state,
  s.failure_state_desc,
  s.error_code,
  s.number_of_attempts,
  s.is_source,
  ps.transferred_size_bytes,
  ps.database_size_bytes
FROM sys.availability_groups ag
JOIN sys.dm_hadr_automatic_seeding s ON s.ag_id = ag.group_id
LEFT JOIN sys.dm_hadr_physical_seeding_stats ps ON ps.local_physical_seeding_id = s.operation_id
WHERE ag.name = @name
ORDER BY s.start_time DESC;`.trim();

/**
 * Whether the first log backup after seeding may run, in one round trip: the automatic seeding
 * of the link's distributed availability group @dagName (first result set: every attempt), the
 * physical seeding of @database (second), and the newest log backup of @database in msdb (third).
 * A log backup while seeding runs can truncate the log the seeding still needs (errors 1408/1412).
 */
export const LOG_BACKUP_READINESS_QUERY = `
SELECT
  s.current_state,
  s.completion_time
FROM sys.dm_hadr_automatic_seeding s
JOIN sys.availability_groups ag ON ag.group_id = s.ag_id
WHERE ag.name = @dagName;
SELECT
  p.internal_state_desc
FROM sys.dm_hadr_physical_seeding_stats p
WHERE p.local_database_name = @database;
SELECT TOP (1)
  b.backup_set_id,
  b.backup_start_date,
  b.backup_finish_date
FROM msdb.dbo.backupset b
WHERE b.database_name = @database
  AND b.type = 'L'
ORDER BY b.backup_finish_date DESC, b.backup_set_id DESC;`.trim();

/**
 * Whether one database (@database) can be the link's primary as far as backups go: its state and
 * recovery model, whether a log backup chain exists, and the last full (not COPY_ONLY) backup.
 *
 * `sys.database_recovery_status.last_log_backup_lsn` is NULL while no full backup has been taken
 * since the database entered FULL recovery ("pseudo-simple"): a full backup recorded in msdb
 * before a switch to SIMPLE and back does not count, which the backup history alone cannot tell.
 */
export const BACKUP_CHAIN_QUERY = `
SELECT
  d.name,
  d.database_id,
  d.state_desc,
  d.recovery_model_desc,
  CAST(rs.last_log_backup_lsn AS nvarchar(40)) AS last_log_backup_lsn,
  (SELECT MAX(b.backup_finish_date)
     FROM msdb.dbo.backupset b
    WHERE b.database_name = d.name AND b.type = 'D' AND b.is_copy_only = 0) AS last_full_backup
FROM sys.databases d
LEFT JOIN sys.database_recovery_status rs ON rs.database_id = d.database_id
WHERE d.name = @database`.trim();

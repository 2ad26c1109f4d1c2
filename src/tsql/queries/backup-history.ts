/** The most recent backups of one database (@database), newest first. LSNs as text (numeric(25,0)). */
export const BACKUP_HISTORY_QUERY = `
SELECT TOP (100)
  b.backup_set_id,
  b.database_name,
  b.type,
  b.is_copy_only,
  b.backup_start_date,
  b.backup_finish_date,
  b.recovery_model,
  CAST(b.first_lsn AS nvarchar(40)) AS first_lsn,
  CAST(b.last_lsn AS nvarchar(40)) AS last_lsn,
  CAST(b.database_backup_lsn AS nvarchar(40)) AS database_backup_lsn,
  b.backup_size
FROM msdb.dbo.backupset b
WHERE b.database_name = @database
ORDER BY b.backup_finish_date DESC, b.backup_set_id DESC`.trim();

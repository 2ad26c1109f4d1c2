/**
 * The first log backup after the link seeded the database, guarded on SQL Server itself: BACKUP LOG
 * runs only when, at that moment, an automatic seeding of the link @dagName has completed, no
 * automatic seeding of the link and no physical seeding of @database is still running (a log backup
 * during seeding can truncate the log the seeding needs: errors 1408/1412), and no log backup of
 * @database started since the last completed seeding (it is taken once). The check and the backup
 * are one batch: the preconditions are read just before the backup runs, not a round trip earlier,
 * and both cost one request.
 *
 * Parameters: @dagName, @database. Result set: one row, `backup_taken` (bit), 1 when BACKUP LOG ran.
 * Ended states are those `parseLogBackupReadiness` counts as ended (src/sql/catalog/log-backup-readiness.ts).
 */
import { buildLogBackupSql, type BackupTarget } from "./backup";

export function buildFirstLogBackupSql(database: string, target: BackupTarget): string {
  return `DECLARE @seeded_at datetime = (
  SELECT MAX(s.completion_time)
  FROM sys.dm_hadr_automatic_seeding s
  JOIN sys.availability_groups ag ON ag.group_id = s.ag_id
  WHERE ag.name = @dagName AND s.current_state = N'COMPLETED');
DECLARE @backup_taken bit = 0;
IF @seeded_at IS NOT NULL
  AND NOT EXISTS (
    SELECT 1
    FROM sys.dm_hadr_automatic_seeding s
    JOIN sys.availability_groups ag ON ag.group_id = s.ag_id
    WHERE ag.name = @dagName AND ISNULL(s.current_state, N'') NOT IN (N'COMPLETED', N'FAILED'))
  AND NOT EXISTS (
    SELECT 1
    FROM sys.dm_hadr_physical_seeding_stats p
    WHERE p.local_database_name = @database
      AND ISNULL(p.internal_state_desc, N'') NOT IN (N'SUCCESS', N'FAILED'))
  AND NOT EXISTS (
    SELECT 1
    FROM msdb.dbo.backupset b
    WHERE b.database_name = @database AND b.type = 'L' AND b.backup_start_date >= @seeded_at)
BEGIN
  ${buildLogBackupSql(database, target)}
  SET @backup_taken = 1;
END;
SELECT @backup_taken AS backup_taken;`;
}

/**
 * The state of the named databases as the link needs it: recovery model, AG membership, the last
 * full (not COPY_ONLY) and log backups, and what holds the log.
 *
 * The names travel as parameters @db0, @db1, ...: only the number of placeholders varies, never
 * the text of a name.
 */
const DATABASE_COLUMNS = `
SELECT
  d.name,
  d.database_id,
  d.state_desc,
  d.recovery_model_desc,
  d.log_reuse_wait_desc,
  d.replica_id,
  d.group_database_id,
  (SELECT ag.name
     FROM sys.availability_replicas r
     JOIN sys.availability_groups ag ON ag.group_id = r.group_id
    WHERE r.replica_id = d.replica_id) AS availability_group_name,
  (SELECT MAX(b.backup_finish_date)
     FROM msdb.dbo.backupset b
    WHERE b.database_name = d.name AND b.type = 'D' AND b.is_copy_only = 0) AS last_full_backup,
  (SELECT MAX(b.backup_finish_date)
     FROM msdb.dbo.backupset b
    WHERE b.database_name = d.name AND b.type = 'L') AS last_log_backup
FROM sys.databases d`.trim();

/** Name of the i-th database parameter. */
export function databaseParamName(index: number): string {
  return `db${index}`;
}

/** The query for `count` databases (parameters @db0 .. @db{count-1}); every database when count is 0. */
export function databasesQuery(count: number): string {
  if (!Number.isInteger(count) || count < 0 || count > 2000) {
    throw new RangeError(`databasesQuery: count must be a whole number from 0 to 2000, got ${count}`);
  }
  if (count === 0) return `${DATABASE_COLUMNS}\nORDER BY d.name`;
  const placeholders = Array.from({ length: count }, (_, i) => `@${databaseParamName(i)}`).join(", ");
  return `${DATABASE_COLUMNS}\nWHERE d.name IN (${placeholders})\nORDER BY d.name`;
}

/**
 * Who the SQL Server is: name (the AG replica name), version, edition, Always On, collation.
 * SERVERPROPERTY returns sql_variant; each value is cast to a plain type for the driver.
 */
export const SERVER_INFO_QUERY = `
SELECT
  @@SERVERNAME AS server_name,
  CAST(SERVERPROPERTY('MachineName') AS nvarchar(128)) AS machine_name,
  CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version,
  CAST(SERVERPROPERTY('ProductMajorVersion') AS nvarchar(128)) AS product_major_version,
  CAST(SERVERPROPERTY('ProductLevel') AS nvarchar(128)) AS product_level,
  CAST(SERVERPROPERTY('ProductUpdateLevel') AS nvarchar(128)) AS product_update_level,
  CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition,
  CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition,
  CAST(SERVERPROPERTY('IsHadrEnabled') AS int) AS is_hadr_enabled,
  CAST(SERVERPROPERTY('Collation') AS nvarchar(128)) AS collation,
  @@VERSION AS version_string`.trim();

/** The database master key of master (symmetric_key_id 101), and whether the service master key opens it. */
export const MASTER_KEY_QUERY = `
SELECT
  k.name,
  k.symmetric_key_id,
  k.key_length,
  k.algorithm_desc,
  k.key_guid,
  k.create_date,
  k.modify_date,
  (SELECT d.is_master_key_encrypted_by_server
     FROM sys.databases d
    WHERE d.name = N'master') AS is_encrypted_by_server
FROM master.sys.symmetric_keys k
WHERE k.symmetric_key_id = 101`.trim();

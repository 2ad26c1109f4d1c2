/**
 * What still relies on a trusted issuer certificate (a root CA bound with sp_certificate_add_issuer),
 * in one round trip: the other certificates of master with their subjects (first result set), and
 * the member replicas of every distributed availability group with their endpoint URLs (second).
 * The caller matches both against the issuer's DNS name pattern.
 */
export const ISSUER_DEPENDENTS_QUERY = `
SELECT
  c.name,
  c.subject
FROM master.sys.certificates c
WHERE c.name <> @name
ORDER BY c.name;
SELECT
  dag.name AS group_name,
  r.replica_server_name,
  r.endpoint_url
FROM sys.availability_groups dag
JOIN sys.availability_replicas r ON r.group_id = dag.group_id
WHERE dag.is_distributed = 1
ORDER BY dag.name;`.trim();

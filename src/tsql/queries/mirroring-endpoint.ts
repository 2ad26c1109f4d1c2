/**
 * The instance's database mirroring endpoint (there is at most one): state, TCP port, role,
 * authentication with the certificate's name, and encryption.
 */
export const MIRRORING_ENDPOINT_QUERY = `
SELECT
  e.name,
  e.endpoint_id,
  e.state_desc,
  e.role_desc,
  e.connection_auth_desc,
  e.certificate_id,
  c.name AS certificate_name,
  e.is_encryption_enabled,
  e.encryption_algorithm_desc,
  t.port,
  t.ip_address
FROM sys.database_mirroring_endpoints e
JOIN sys.tcp_endpoints t ON t.endpoint_id = e.endpoint_id
LEFT JOIN master.sys.certificates c ON c.certificate_id = e.certificate_id`.trim();

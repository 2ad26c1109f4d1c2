/**
 * Whether SQL Server trusts a certificate's chain (the managed instance's endpoint certificate,
 * through the root CAs bound with sp_certificate_add_issuer), by name (@name). The trusted-issuer
 * bindings are not visible in any documented catalog view; validating is the way to observe them.
 * A failed validation is an error of the EXEC; the final SELECT tells whether the certificate exists.
 */
export const CERTIFICATE_CHAIN_QUERY = `
DECLARE @certificate_id int = CERT_ID(@name);
IF @certificate_id IS NOT NULL
  EXEC sp_validate_certificate_ca_chain @certificate_id;
SELECT @certificate_id AS certificate_id;`.trim();

/**
 * The names of master's certificates with a given SHA-1 thumbprint (@thumbprint, varbinary):
 * SQL Server keeps one copy of a certificate, so importing the same DER under a second name
 * fails (15232), and this names the copy already there.
 */
export const CERTIFICATE_BY_THUMBPRINT_QUERY = `
SELECT c.name
FROM master.sys.certificates c
WHERE c.thumbprint = @thumbprint
ORDER BY c.name`.trim();

/** The columns of a master certificate, with its DER public certificate (CERTENCODED). */
export const CERTIFICATE_COLUMNS = `
SELECT
  c.name,
  c.certificate_id,
  c.thumbprint,
  c.subject,
  c.issuer_name,
  c.cert_serial_number,
  c.start_date,
  c.expiry_date,
  c.pvt_key_encryption_type,
  c.pvt_key_encryption_type_desc,
  CERTENCODED(c.certificate_id) AS public_key
FROM master.sys.certificates c`.trim();

/** One certificate of master by name (@name), with its DER public certificate (CERTENCODED). */
export const CERTIFICATE_QUERY = `${CERTIFICATE_COLUMNS}
WHERE c.name = @name`;

import {
  binaryLiteral,
  quoteIdentifier,
  quoteString,
  TsqlInputError,
  validateCertificateName,
} from "../quote";

/** A calendar date: a Date (its UTC day is used) or `YYYY-MM-DD` / `YYYYMMDD` text. */
export type CertificateDate = Date | string;

export interface EndpointCertificateSpec {
  /** Certificate name, without `\` (see defaultEndpointCertificateName). */
  name: string;
  subject: string;
  startDate?: CertificateDate;
  expiryDate: CertificateDate;
}

/**
 * Formats a date as the unambiguous `YYYYMMDD` form, which SQL Server reads the same way under
 * every language and DATEFORMAT setting (unlike `03/30/2025`).
 */
export function formatCertificateDate(date: CertificateDate, field = "expiryDate"): string {
  let year: number;
  let month: number;
  let day: number;
  if (date instanceof Date) {
    if (Number.isNaN(date.getTime())) {
      throw new TsqlInputError(field, "is an invalid Date", "Pass a valid date.");
    }
    [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  } else {
    const match = typeof date === "string" ? /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(date) : null;
    if (!match) {
      throw new TsqlInputError(field, `"${String(date)}" is not a date`, "Use YYYY-MM-DD, e.g. 2027-03-30.");
    }
    [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
      throw new TsqlInputError(
        field,
        `"${date}" is not a calendar date`,
        "Use an existing day, e.g. 2027-03-30.",
      );
    }
  }
  if (year < 1753 || year > 9999) {
    throw new TsqlInputError(
      field,
      `year ${year} is outside 1753-9999`,
      "Use a date SQL Server's datetime can hold.",
    );
  }
  return `${year}${String(month).padStart(2, "0")}${String(day).padStart(2, "0")}`;
}

/**
 * `CREATE CERTIFICATE [name] WITH SUBJECT = N'...', [START_DATE = 'YYYYMMDD',] EXPIRY_DATE = 'YYYYMMDD';`
 * — the SQL Server endpoint certificate, its private key encrypted by the master key.
 * @throws TsqlInputError for a bad name, subject or dates, or an expiry not after the start
 */
export function buildCreateEndpointCertificateSql(spec: EndpointCertificateSpec): string {
  const name = quoteIdentifier(validateCertificateName(spec.name, "name"), "name");
  if (typeof spec.subject === "string" && spec.subject.trim().length === 0) {
    throw new TsqlInputError(
      "subject",
      "is empty",
      'Give the certificate a subject, e.g. "Certificate for <name>".',
    );
  }
  const subject = quoteString(spec.subject, "subject");
  const expiry = formatCertificateDate(spec.expiryDate, "expiryDate");
  const lines = [`CREATE CERTIFICATE ${name}`, `    WITH SUBJECT = ${subject},`];
  if (spec.startDate !== undefined) {
    const start = formatCertificateDate(spec.startDate, "startDate");
    if (start >= expiry) {
      throw new TsqlInputError(
        "expiryDate",
        `${expiry} is not after the start date ${start}`,
        "Choose a later expiry date.",
      );
    }
    lines.push(`    START_DATE = '${start}',`);
  }
  lines.push(`    EXPIRY_DATE = '${expiry}';`);
  return lines.join("\n");
}

/**
 * `CREATE CERTIFICATE [name] FROM BINARY = 0x...;` — imports a public certificate (the managed
 * instance's, which must be named exactly after its FQDN, or a root CA).
 * @param name certificate name, without `\`
 * @param blob the DER certificate: bytes, or hex with or without `0x`
 */
export function buildCreateCertificateFromBinarySql(name: string, blob: string | Uint8Array): string {
  const quoted = quoteIdentifier(validateCertificateName(name, "name"), "name");
  return `CREATE CERTIFICATE ${quoted}\nFROM BINARY = ${binaryLiteral(blob, "blob")};`;
}

/**
 * `DROP CERTIFICATE [name];` Any existing name is accepted, including legacy ones with `\`.
 */
export function buildDropCertificateSql(name: string): string {
  return `DROP CERTIFICATE ${quoteIdentifier(name, "name")};`;
}

function certificateIdLookup(certName: string): string {
  const name = quoteString(validateCertificateName(certName, "certName"), "certName");
  return `DECLARE @certificate_id int;\nSELECT @certificate_id = CERT_ID(${name});`;
}

/**
 * Trusts certificates issued by a root CA for a DNS name:
 * `EXEC sp_certificate_add_issuer @certificate_id, N'*.database.windows.net';` with the id
 * looked up by CERT_ID in the same batch (an EXEC argument cannot be an expression).
 * Re-running reports "already added as a trusted issuer", which callers treat as success.
 * @param certName the root CA certificate, e.g. MicrosoftPKI
 * @param dnsName the DNS name pattern, e.g. `*.database.windows.net`
 */
export function buildAddIssuerSql(certName: string, dnsName: string): string {
  if (typeof dnsName !== "string" || !/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(dnsName)) {
    throw new TsqlInputError(
      "dnsName",
      `"${String(dnsName)}" is not a DNS name pattern`,
      "Use a DNS name, optionally with a leading wildcard label, e.g. *.database.windows.net.",
    );
  }
  return `${certificateIdLookup(certName)}\nEXEC sp_certificate_add_issuer @certificate_id, ${quoteString(dnsName, "dnsName")};`;
}

/**
 * `EXEC sp_validate_certificate_ca_chain @certificate_id;` for the named certificate — succeeds
 * silently when the certificate chains to a trusted issuer.
 * @param certName the managed instance certificate (named after its FQDN)
 */
export function buildValidateCaChainSql(certName: string): string {
  return `${certificateIdLookup(certName)}\nEXEC sp_validate_certificate_ca_chain @certificate_id;`;
}

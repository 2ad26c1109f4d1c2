import type * as mssql from "mssql";
import { CERTIFICATE_QUERY } from "../../tsql/queries/certificate";
import { runQuery } from "../execute";
import { number, optionalDate, optionalHex, optionalText, text, type Row } from "./values";

/** NA no private key, MK by the master key, PW by a password, SK by the service master key. */
export type PrivateKeyEncryption = "NA" | "MK" | "PW" | "SK";

export interface CertificateInfo {
  name: string;
  certificateId: number;
  /** SHA-1 of the DER certificate, `0x` + hex. */
  thumbprint: string;
  subject: string | null;
  issuer: string | null;
  serialNumber: string | null;
  startDate: Date | null;
  expiryDate: Date | null;
  privateKeyEncryption: PrivateKeyEncryption;
  privateKeyEncryptionDescription: string | null;
  /** The DER public certificate (CERTENCODED), `0x` + hex: what the managed instance is given. */
  publicKey: string | null;
}

/** Reads one certificate of master by name; null when absent. */
export async function readCertificate(
  pool: mssql.ConnectionPool,
  name: string,
): Promise<CertificateInfo | null> {
  const rows = await runQuery(
    pool,
    CERTIFICATE_QUERY,
    { name },
    { action: "read certificate", object: `[${name}]` },
  );
  return parseCertificate(rows);
}

/** The certificate from the rows of `CERTIFICATE_QUERY` (as sent with a statement); null when absent. */
export function parseCertificate(rows: readonly Row[]): CertificateInfo | null {
  const [row] = rows;
  if (!row) return null;
  return {
    name: text(row, "name"),
    certificateId: number(row, "certificate_id"),
    thumbprint: optionalHex(row, "thumbprint") ?? "",
    subject: optionalText(row, "subject"),
    issuer: optionalText(row, "issuer_name"),
    serialNumber: optionalText(row, "cert_serial_number"),
    startDate: optionalDate(row, "start_date"),
    expiryDate: optionalDate(row, "expiry_date"),
    privateKeyEncryption: text(row, "pvt_key_encryption_type").trim() as PrivateKeyEncryption,
    privateKeyEncryptionDescription: optionalText(row, "pvt_key_encryption_type_desc"),
    publicKey: optionalHex(row, "public_key"),
  };
}

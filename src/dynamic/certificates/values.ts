/**
 * Value conversions shared by the certificate providers: DER blobs, thumbprints
 * and calendar days. Pure; no network.
 */
import { X509Certificate, createHash } from "node:crypto";
import { binaryLiteral, formatCertificateDate, TsqlInputError } from "../../tsql";

/** A DER blob in the one form state keeps: `0x` + upper-case hex. */
export function normalizeDerHex(blob: string): string {
  return binaryLiteral(blob, "publicKey");
}

/** The bytes of a `0x` hex blob. */
export function derBytes(blob: string): Buffer {
  return Buffer.from(normalizeDerHex(blob).slice(2), "hex");
}

/**
 * Parses a DER certificate given as hex.
 * @throws TsqlInputError (field `publicKey`) when the bytes are not hex or not an X.509 certificate
 */
export function parseDerCertificate(blob: string, field = "publicKey"): X509Certificate {
  const bytes = Buffer.from(binaryLiteral(blob, field).slice(2), "hex");
  try {
    return new X509Certificate(bytes);
  } catch {
    throw new TsqlInputError(
      field,
      "is not a DER-encoded X.509 certificate",
      "Pass the certificate's DER bytes as hex (0x...), e.g. the publicKey output of the managed instance's endpoint certificate; PEM text and base64 are not accepted.",
    );
  }
}

/**
 * The SHA-1 thumbprint of a DER certificate as SQL Server and Azure show it: upper-case hex
 * without separators or prefix.
 */
export function thumbprintOf(blob: string): string {
  return createHash("sha1").update(derBytes(blob)).digest("hex").toUpperCase();
}

/** `0x1A2B...` (as catalog readers return varbinary) → `1A2B...`. */
export function plainHex(value: string | null | undefined): string {
  return (value ?? "").replace(/^0x/i, "").toUpperCase();
}

/** The `YYYYMMDD` day of a date input or an ISO timestamp; undefined when it is not a date. */
export function calendarDay(value: unknown): string | undefined {
  if (typeof value !== "string" && !(value instanceof Date)) return undefined;
  const text = typeof value === "string" && value.length > 10 ? new Date(value) : value;
  try {
    return formatCertificateDate(text as string | Date);
  } catch {
    return undefined;
  }
}

/** An ISO timestamp, or null. */
export function isoOrNull(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

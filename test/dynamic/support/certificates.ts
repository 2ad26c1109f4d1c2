/**
 * Helpers for the certificate provider tests: T-SQL as the administrator (out-of-band changes,
 * catalog snapshots) and the statements a step sent.
 */
import type { SqlServerEmulator } from "../../../src/testing/sqlserver";
import type { RequestLogEntry } from "../../../src/testing/sqlserver/tds-server";
import { adminBatch } from "./emulator";

export type Row = Record<string, unknown>;

/** Runs a batch as the emulator's administrator; returns the first result set. */
export async function asAdmin(emulator: SqlServerEmulator, sqlText: string): Promise<Row[]> {
  const result = await adminBatch(emulator, sqlText);
  return [...((result.recordset as unknown as Row[] | undefined) ?? [])];
}

/** The certificates of master as the catalog shows them, by name. */
export async function certificatesInCatalog(emulator: SqlServerEmulator): Promise<Row[]> {
  const rows = await asAdmin(
    emulator,
    `SELECT name, subject, issuer_name, pvt_key_encryption_type_desc, thumbprint, expiry_date
       FROM sys.certificates ORDER BY name`,
  );
  return rows.map(({ thumbprint, expiry_date, ...row }) => ({
    ...row,
    thumbprint: Buffer.from(thumbprint as Buffer)
      .toString("hex")
      .toUpperCase(),
    expiryDay: (expiry_date as Date).toISOString().slice(0, 10),
  }));
}

/** Drops every certificate of master, so each test starts from none. */
export async function dropAllCertificates(emulator: SqlServerEmulator): Promise<void> {
  for (const row of await certificatesInCatalog(emulator)) {
    await asAdmin(emulator, `DROP CERTIFICATE [${String(row.name).replace(/]/g, "]]")}]`);
  }
}

/** The statements a step sent, without the driver's own (pool validation, session settings). */
export function productStatements(log: RequestLogEntry[]): string[] {
  return log
    .map((entry) => entry.text)
    .filter((text) => !/^\s*SELECT 1;?\s*$/i.test(text) && !/^set textsize/i.test(text));
}

/** A calendar day `days` from now, as YYYY-MM-DD (UTC). */
export function dayFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

import type * as mssql from "mssql";
import { CERTIFICATE_BY_THUMBPRINT_QUERY } from "../../tsql/queries/certificate-by-thumbprint";
import { runQuery } from "../execute";
import { text } from "./values";

/**
 * Names of master's certificates whose DER has this SHA-1 thumbprint (none, or the one copy
 * SQL Server allows).
 * @param thumbprint hex, with or without `0x`
 */
export async function readCertificateNamesByThumbprint(
  pool: mssql.ConnectionPool,
  thumbprint: string,
): Promise<string[]> {
  const rows = await runQuery(
    pool,
    CERTIFICATE_BY_THUMBPRINT_QUERY,
    { thumbprint: Buffer.from(thumbprint.replace(/^0x/i, ""), "hex") },
    { action: "look up certificates by thumbprint", object: thumbprint },
  );
  return rows.map((row) => text(row, "name"));
}

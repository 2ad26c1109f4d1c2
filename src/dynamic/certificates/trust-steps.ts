/**
 * The SQL steps of importing a trusted certificate: refusing a second copy, binding it as
 * trusted issuer, validating its chain, and dropping it.
 */
import type * as mssql from "mssql";
import { runStatement, SqlServerOperationError, validateCertificateChain } from "../../sql";
import { readCertificateNamesByThumbprint } from "../../sql/catalog/certificate-by-thumbprint";
import { buildAddIssuerSql, buildDropCertificateSql } from "../../tsql";
import { dropUnlessGone } from "../common/drop";
import { thumbprintOf } from "./values";

/** "The certificate '...' has been already added as a trusted issuer for DNS name '...'" */
const ALREADY_TRUSTED = /already added as a trusted issuer/i;

/**
 * SQL Server keeps one copy of a certificate: the same DER under another name would fail with
 * 15232. Say which name holds it and what to do instead.
 */
export async function refuseCopyUnderAnotherName(
  pool: mssql.ConnectionPool,
  name: string,
  publicKey: string,
): Promise<void> {
  const [other] = await readCertificateNamesByThumbprint(pool, thumbprintOf(publicKey));
  if (other === undefined) return;
  throw new Error(
    `Cannot import certificate [${name}]: the same certificate (thumbprint ${thumbprintOf(publicKey)}) is ` +
      `already in master as [${other}], and SQL Server keeps one copy of a certificate. Drop [${other}] ` +
      `(DROP CERTIFICATE [${other}]) if nothing relies on it, then run again; the managed instance's ` +
      `certificate must be named exactly after its FQDN.`,
  );
}

/** Binds the certificate as trusted issuer; a binding that already exists is success. */
export async function addIssuer(pool: mssql.ConnectionPool, name: string, dnsName: string): Promise<void> {
  try {
    await runStatement(pool, buildAddIssuerSql(name, dnsName), undefined, {
      action: `trust the certificate as issuer for ${dnsName}`,
      object: `[${name}]`,
    });
  } catch (error) {
    if (error instanceof SqlServerOperationError && ALREADY_TRUSTED.test(error.serverMessage)) return;
    throw error;
  }
}

/** Validates the certificate's chain; throws a clear error naming what to import when it does not. */
export async function requireValidChain(pool: mssql.ConnectionPool, name: string): Promise<true> {
  const validity = await validateCertificateChain(pool, name);
  if (validity === null)
    throw new Error(`Certificate [${name}] disappeared before its chain could be validated.`);
  if (validity.valid) return true;
  throw new Error(
    `SQL Server does not trust the chain of certificate [${name}]: ${validity.reason} ` +
      `Import the root CAs that issued it (for a managed instance: MicrosoftPKI and DigiCertPKI) as trusted ` +
      `certificates bound as trusted issuers for *.database.windows.net before this one, then run again.`,
  );
}

/** Drops a certificate; one already gone is fine. Errors propagate only when `strict`. */
export async function dropQuietly(pool: mssql.ConnectionPool, name: string, strict = false): Promise<void> {
  try {
    await dropUnlessGone(pool, buildDropCertificateSql(name), {
      action: "drop the certificate",
      object: `[${name}]`,
    });
  } catch (error) {
    if (strict) throw error;
  }
}

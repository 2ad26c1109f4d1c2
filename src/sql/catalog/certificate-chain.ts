import type * as mssql from "mssql";
import { CERTIFICATE_CHAIN_QUERY } from "../../tsql/queries/certificate-chain";
import { SqlServerOperationError } from "../errors";
import { runQuery } from "../execute";

export type CertificateChainValidity =
  | { valid: true }
  /** SQL Server refused the chain: `number` and `reason` are its error. */
  | { valid: false; number?: number; reason: string };

/** Failures that say nothing about the chain: they are thrown, not reported as "invalid". */
const NOT_ABOUT_THE_CHAIN: readonly number[] = [2812, 262, 15247, 229, 18456];

/**
 * Asks SQL Server to validate the chain of certificate `name` in master (sp_validate_certificate_ca_chain).
 * Null when the certificate does not exist. Throws when the check itself cannot run (missing
 * procedure before the Azure Connect pack, no permission, no connection).
 */
export async function validateCertificateChain(
  pool: mssql.ConnectionPool,
  name: string,
): Promise<CertificateChainValidity | null> {
  try {
    const [row] = await runQuery(
      pool,
      CERTIFICATE_CHAIN_QUERY,
      { name },
      {
        action: "validate the certificate chain of",
        object: `[${name}]`,
      },
    );
    return row?.certificate_id === null || row?.certificate_id === undefined ? null : { valid: true };
  } catch (error) {
    if (
      error instanceof SqlServerOperationError &&
      error.number !== undefined &&
      !NOT_ABOUT_THE_CHAIN.includes(error.number)
    ) {
      return { valid: false, number: error.number, reason: error.serverMessage };
    }
    throw error;
  }
}

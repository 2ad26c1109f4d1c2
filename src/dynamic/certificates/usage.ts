/**
 * Whether the instance's database mirroring endpoint authenticates with a
 * certificate: such a certificate is never dropped from under it.
 */
import type * as mssql from "mssql";
import { readMirroringEndpoint, type CertificateInfo } from "../../sql";

/** The name of the mirroring endpoint that uses `certificate`, or null when none does. */
export async function endpointUsing(
  pool: mssql.ConnectionPool,
  certificate: Pick<CertificateInfo, "name" | "certificateId">,
): Promise<string | null> {
  const endpoint = await readMirroringEndpoint(pool);
  if (!endpoint) return null;
  const { certificateId, certificateName } = endpoint.authentication;
  const byId = certificateId !== null && certificateId === certificate.certificateId;
  const byName = certificateName !== null && certificateName.toLowerCase() === certificate.name.toLowerCase();
  return byId || byName ? endpoint.name : null;
}

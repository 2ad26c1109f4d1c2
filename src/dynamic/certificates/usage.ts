/**
 * What a certificate provider checks before dropping a certificate: that it is still the one the
 * resource recorded, and that the instance's database mirroring endpoint does not authenticate
 * with it (such a certificate is never dropped from under it).
 */
import type * as mssql from "mssql";
import { readCertificate, readMirroringEndpoint, type CertificateInfo } from "../../sql";
import { logWarning } from "../common/log";
import { plainHex } from "./values";

/**
 * The certificate `name` when it is still the one recorded with `thumbprint`, so delete may go
 * on; undefined when it is gone, or when it was replaced outside Pulumi (that one is someone
 * else's: it is left in place, with a warning). No `thumbprint`: the create's reply was lost before
 * anything was read, and the certificate of that name is the one it made.
 */
export async function recordedCertificate(
  pool: mssql.ConnectionPool,
  name: string,
  thumbprint: string | undefined,
): Promise<CertificateInfo | undefined> {
  const certificate = await readCertificate(pool, name);
  if (!certificate) return undefined;
  if (thumbprint !== undefined && plainHex(certificate.thumbprint) !== thumbprint) {
    logWarning(
      `Certificate [${name}] was replaced outside Pulumi (thumbprint ${plainHex(certificate.thumbprint)}, ` +
        `not ${thumbprint}); it was left in place.`,
    );
    return undefined;
  }
  return certificate;
}

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

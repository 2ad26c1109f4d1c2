/**
 * `lookupEndpointCertificate`: which generation of SQL Server's endpoint certificate is in use and
 * when it expires, read-only, in preview and up. MiLink plans rotation from it (see
 * `planEndpointCertificate`): a second `up` then keeps the certificate, an `up` inside the
 * rotation window creates the next one.
 */
import type * as mssql from "mssql";
import * as pulumi from "@pulumi/pulumi";
import { readCertificate, readMirroringEndpoint, withOneShotConnection } from "../sql";
import { isGenerationOf, type CurrentEndpointCertificate } from "../dynamic/certificates/rotation";
import {
  toSqlConnectionArgs,
  type SqlServerInfoConnection,
  type SqlServerInfoConnectionInput,
} from "./sql-server-info";

/**
 * The certificate of the `baseName` family the mirroring endpoint authenticates with; else the
 * first generation (`baseName`) when it exists (an earlier run created it but stopped before the
 * endpoint used it); else null. One or two statements; nothing is changed.
 * @param endpointCertificateName the endpoint's certificate when the caller already read it
 *   (null: none); undefined reads the endpoint first
 */
export async function lookupEndpointCertificate(
  connection: SqlServerInfoConnection,
  baseName: string,
  endpointCertificateName?: string | null,
): Promise<CurrentEndpointCertificate | null> {
  return withOneShotConnection(toSqlConnectionArgs(connection), async (pool) => {
    const inUse =
      endpointCertificateName === undefined
        ? ((await readMirroringEndpoint(pool))?.authentication.certificateName ?? null)
        : endpointCertificateName;
    return readEndpointCertificateInUse(pool, baseName, inUse);
  });
}

/**
 * On an open connection: the `baseName` generation the endpoint uses (`inUse`), else `baseName`
 * itself when it exists, else null. One or two statements.
 */
export async function readEndpointCertificateInUse(
  pool: mssql.ConnectionPool,
  baseName: string,
  inUse: string | null,
): Promise<CurrentEndpointCertificate | null> {
  const candidates = inUse && isGenerationOf(baseName, inUse) ? [inUse, baseName] : [baseName];
  for (const name of new Set(candidates)) {
    const certificate = await readCertificate(pool, name);
    if (certificate?.expiryDate) {
      return { name: certificate.name, expiryDate: certificate.expiryDate.toISOString() };
    }
  }
  return null;
}

/** {@link lookupEndpointCertificate} as an Output; the result holds no secret. */
export function lookupEndpointCertificateOutput(
  connection: SqlServerInfoConnectionInput,
  baseName: pulumi.Input<string>,
  endpointCertificateName?: pulumi.Input<string | null>,
): pulumi.Output<CurrentEndpointCertificate | null> {
  return pulumi.unsecret(
    pulumi
      .all([pulumi.output(connection), baseName, endpointCertificateName])
      .apply(([plain, base, inUse]) =>
        lookupEndpointCertificate(plain as SqlServerInfoConnection, base, inUse),
      ),
  ) as pulumi.Output<CurrentEndpointCertificate | null>;
}

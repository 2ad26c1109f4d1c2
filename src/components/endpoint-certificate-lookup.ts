/**
 * `lookupEndpointCertificate`: which generation of SQL Server's endpoint certificate is in use and
 * when it expires, read-only, in preview and up. MiLink plans rotation from it (see
 * `planEndpointCertificate`): a second `up` then keeps the certificate, an `up` inside the
 * rotation window creates the next one.
 */
import type * as mssql from "mssql";
import * as pulumi from "@pulumi/pulumi";
import { readCertificate, readMirroringEndpoint, withOneShotConnection, type CertificateInfo } from "../sql";
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
  for (const name of candidateNames(baseName, inUse)) {
    const certificate = await readCertificate(pool, name);
    if (certificate?.expiryDate) {
      return { name: certificate.name, expiryDate: certificate.expiryDate.toISOString() };
    }
  }
  return null;
}

/**
 * What {@link readEndpointCertificateInUse} finds, chosen from certificates already read (the
 * endpoint's and the first generations of default names, see ENDPOINT_CERTIFICATE_CANDIDATES_QUERY).
 * Names compare as master's `name = @name` would: without regard to case under a case-insensitive
 * `collation` (the server's), exactly otherwise.
 */
export function chooseEndpointCertificateInUse(
  baseName: string,
  inUse: string | null,
  certificates: readonly Pick<CertificateInfo, "name" | "expiryDate">[],
  collation: string,
): CurrentEndpointCertificate | null {
  const caseInsensitive = /_CI(_|$)/i.test(collation);
  const same = (a: string, b: string) => (caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b);
  for (const name of candidateNames(baseName, inUse)) {
    const certificate = certificates.find((candidate) => same(candidate.name, name));
    if (certificate?.expiryDate) {
      return { name: certificate.name, expiryDate: certificate.expiryDate.toISOString() };
    }
  }
  return null;
}

/** The endpoint's certificate when it is a generation of `baseName`, then `baseName` itself. */
function candidateNames(baseName: string, inUse: string | null): Set<string> {
  return new Set(inUse && isGenerationOf(baseName, inUse) ? [inUse, baseName] : [baseName]);
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

/**
 * The managed instance's DATABASE_MIRRORING endpoint certificate (runbook step
 * 5): its public key is imported on SQL Server under the name of the MI's FQDN.
 * @azure/arm-sql reads it; the API returns the hex blob without the 0x that
 * T-SQL needs, so it is added here.
 */
import { createSqlClient, describeManagedInstance, type AzureTarget } from "./client";
import { AzureOperationError } from "./errors";
import { withArmErrors } from "./request";

export interface ManagedInstanceEndpointCertificate {
  /** The DER certificate as upper-case hex with the 0x prefix (CERTENCODED's form). */
  publicKey: string;
  /** SHA-1 of the DER, upper-case hex without separators (as sys.certificates.thumbprint shows it). */
  thumbprint: string;
  /** The certificate's subject, e.g. "CN=sqlmi1.0a1b2c3d4e5f.database.windows.net". */
  subject: string;
  /** Expiry (notAfter), ISO 8601. */
  expiryDate: string;
}

/** Parses the publicBlob of an endpoint certificate (hex, with or without 0x). */
export function parseEndpointCertificateBlob(blob: string): ManagedInstanceEndpointCertificate {
  const { X509Certificate } = require("node:crypto") as typeof import("node:crypto");
  const hex = blob.replace(/^0x/i, "");
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw new Error("the endpoint certificate's publicBlob is not hexadecimal DER");
  }
  const certificate = new X509Certificate(Buffer.from(hex, "hex"));
  return {
    publicKey: `0x${hex.toUpperCase()}`,
    thumbprint: certificate.fingerprint.replace(/:/g, "").toUpperCase(),
    subject: certificate.subject.split("\n").join(", "),
    expiryDate: new Date(certificate.validTo).toISOString(),
  };
}

/** GET .../endpointCertificates/DATABASE_MIRRORING, parsed. */
export async function readManagedInstanceEndpointCertificate(
  target: AzureTarget,
): Promise<ManagedInstanceEndpointCertificate> {
  const context = {
    action: "read the database mirroring endpoint certificate",
    resource: describeManagedInstance(target),
  };
  const client = createSqlClient(target);
  const result = await withArmErrors(target, context, () =>
    client.endpointCertificates.get(
      target.resourceGroupName,
      target.managedInstanceName,
      "DATABASE_MIRRORING",
    ),
  );
  if (!result.publicBlob) {
    throw new AzureOperationError({
      context,
      detail: "The answer has no publicBlob.",
      fix: "the managed instance may still be provisioning; run the deployment again when it is Ready.",
    });
  }
  try {
    return parseEndpointCertificateBlob(result.publicBlob);
  } catch (error) {
    throw new AzureOperationError({
      context,
      detail: `The publicBlob is not a certificate: ${(error as Error).message}.`,
      fix: "report this answer to Azure support; the link cannot be configured with it.",
    });
  }
}

import { X509Certificate } from "node:crypto";
import { badRequest, conflict, notFound } from "./errors";
import { thumbprint } from "./x509";

export interface ServerTrustCertificateRecord {
  name: string;
  der: Buffer;
  /** SHA-1 of the DER, upper-case hex: what the API returns as thumbprint. */
  thumbprint: string;
  /** DER of the SubjectPublicKeyInfo: two uploads with the same key are the same trust. */
  publicKeyDer: Buffer;
}

/** Parses a publicBlob as the API accepts it: hex with or without 0x, holding a DER X.509 certificate. */
export function parsePublicBlob(publicBlob: unknown): { der: Buffer; publicKeyDer: Buffer } {
  if (typeof publicBlob !== "string" || publicBlob.length === 0) {
    throw badRequest("InvalidPublicBlob", "The property 'publicBlob' is required and must be a hex string.");
  }
  const hex = publicBlob.replace(/^0x/i, "");
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw badRequest("InvalidPublicBlob", "The certificate public blob is not a valid hexadecimal string.");
  }
  const der = Buffer.from(hex, "hex");
  try {
    const cert = new X509Certificate(der);
    const publicKeyDer = cert.publicKey.export({ type: "spki", format: "der" });
    return { der, publicKeyDer };
  } catch {
    throw badRequest(
      "InvalidPublicBlob",
      "The certificate public blob could not be parsed as a DER-encoded X.509 certificate.",
    );
  }
}

/** The server trust certificates of one managed instance. */
export class ServerTrustCertificateStore {
  private readonly byName = new Map<string, ServerTrustCertificateRecord>();

  list(): ServerTrustCertificateRecord[] {
    return [...this.byName.values()];
  }

  get(name: string): ServerTrustCertificateRecord {
    const record = this.find(name);
    if (!record) throw notFound("Microsoft.Sql/managedInstances/serverTrustCertificates", name);
    return record;
  }

  find(name: string): ServerTrustCertificateRecord | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /**
   * Checks a PUT before it is accepted. Re-uploading the same certificate under the same
   * name is idempotent; the same public key under another name, or another key under an
   * existing name, is refused as the service does.
   */
  validatePut(name: string, publicBlob: unknown): ServerTrustCertificateRecord {
    const { der, publicKeyDer } = parsePublicBlob(publicBlob);
    for (const existing of this.byName.values()) {
      if (existing.publicKeyDer.equals(publicKeyDer) && existing.name.toLowerCase() !== name.toLowerCase()) {
        throw conflict(
          "ServerTrustCertificateAlreadyExists",
          `A server trust certificate with the same public key already exists under the name '${existing.name}'.`,
        );
      }
    }
    const current = this.find(name);
    if (current && !current.der.equals(der)) {
      throw conflict(
        "ServerTrustCertificateCannotBeUpdated",
        `The server trust certificate '${current.name}' already exists with a different certificate; delete it first.`,
      );
    }
    return {
      name,
      der,
      publicKeyDer,
      thumbprint: thumbprint(der),
    };
  }

  put(record: ServerTrustCertificateRecord): void {
    this.byName.set(record.name.toLowerCase(), record);
  }

  delete(name: string): boolean {
    return this.byName.delete(name.toLowerCase());
  }
}

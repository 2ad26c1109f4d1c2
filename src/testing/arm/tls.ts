import { createCertificate, generateRsaKeyPair } from "./x509";

export interface ServerTlsMaterial {
  key: string;
  cert: string;
  /** The certificate clients must trust (self-signed, so it is its own CA). */
  caPem: string;
}

let cached: ServerTlsMaterial | undefined;

/**
 * A self-signed certificate for 127.0.0.1/localhost. Azure SDK pipelines refuse to send a
 * bearer token over plain http, so SDK clients reach the emulator over https with this CA.
 */
export function loopbackTlsMaterial(): ServerTlsMaterial {
  if (!cached) {
    const keys = generateRsaKeyPair();
    const name = { CN: "localhost", O: "ARM emulator" };
    const { pem } = createCertificate({
      subject: name,
      issuer: name,
      publicKey: keys.publicKey,
      signingKey: keys,
      isCa: true,
      dnsNames: ["localhost"],
      ipAddresses: ["127.0.0.1", "::1"],
      serverAuth: true,
    });
    cached = { key: keys.privateKeyPem, cert: pem, caPem: pem };
  }
  return cached;
}

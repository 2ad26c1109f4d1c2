import { generateKeyPairSync, randomBytes } from "node:crypto";
import * as tls from "node:tls";
import forge from "node-forge";

export interface ServerCertificate {
  keyPem: string;
  certPem: string;
  /** Any TLS version node offers: TDS 8 strict mode. */
  secureContext: tls.SecureContext;
  /**
   * At most TLS 1.2, for TLS inside PRELOGIN packets: each handshake flight must be recognisable
   * to be wrapped as one PRELOGIN message, and TLS 1.3 encrypts most of the handshake.
   */
  preloginSecureContext: tls.SecureContext;
}

let cached: ServerCertificate | undefined;

/**
 * A self-signed certificate for the emulator's TLS. RSA generation is the
 * slow part, so one certificate serves every server in the process.
 */
export function serverCertificate(): ServerCertificate {
  if (cached) return cached;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = positiveSerialHex();
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
  const subject = [{ name: "commonName", value: "localhost" }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 2, value: "localhost" },
        { type: 7, ip: "127.0.0.1" },
      ],
    },
  ]);
  cert.sign(forgeKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  cached = {
    keyPem,
    certPem,
    secureContext: tls.createSecureContext({ key: keyPem, cert: certPem }),
    preloginSecureContext: tls.createSecureContext({
      key: keyPem,
      cert: certPem,
      minVersion: "TLSv1",
      maxVersion: "TLSv1.2",
    }),
  };
  return cached;
}

/**
 * A serial number whose DER INTEGER is positive and minimal: first byte 0x01 to 0x7f. (A leading 00
 * byte followed by one below 0x80 is a non-minimal encoding, which OpenSSL refuses as "illegal padding".)
 */
export function positiveSerialHex(): string {
  const bytes = randomBytes(8);
  bytes[0] &= 0x7f;
  if (bytes[0] === 0) bytes[0] = 0x01;
  return bytes.toString("hex");
}

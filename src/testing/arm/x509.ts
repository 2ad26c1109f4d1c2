import { constants, createHash, generateKeyPairSync, privateEncrypt, randomBytes } from "node:crypto";
import forge from "node-forge";

export interface DistinguishedName {
  CN: string;
  O?: string;
  OU?: string;
  C?: string;
  ST?: string;
  L?: string;
}

export interface KeyPair {
  publicKey: forge.pki.rsa.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
  /** PKCS#8 PEM of the private key, for signing with node:crypto. */
  privateKeyPem: string;
}

/** RSA keys come from node:crypto: forge's pure-JS generator takes seconds per key. */
export function generateRsaKeyPair(bits = 2048): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: bits,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    privateKeyPem: privateKey,
  };
}

export interface CertificateRequest {
  subject: DistinguishedName;
  issuer: DistinguishedName;
  publicKey: forge.pki.rsa.PublicKey;
  signingKey: KeyPair;
  notBefore?: Date;
  notAfter?: Date;
  isCa?: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
  serverAuth?: boolean;
}

function toAttributes(dn: DistinguishedName): forge.pki.CertificateField[] {
  const order: Array<keyof DistinguishedName> = ["C", "ST", "L", "O", "OU", "CN"];
  return order
    .filter((key) => dn[key] !== undefined)
    .map((key) => ({ shortName: key, value: dn[key] as string }));
}

/** A signed X.509 v3 certificate; returns the DER and the PEM. */
export function createCertificate(request: CertificateRequest): { der: Buffer; pem: string } {
  const cert = forge.pki.createCertificate();
  cert.publicKey = request.publicKey;
  // Positive serial: a leading 0x00..0x7f byte keeps the DER INTEGER non-negative.
  cert.serialNumber = "01" + randomBytes(15).toString("hex");
  const notBefore = request.notBefore ?? new Date(Date.now() - 24 * 60 * 60 * 1000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = request.notAfter ?? new Date(notBefore.getTime() + 365 * 24 * 60 * 60 * 1000);
  cert.setSubject(toAttributes(request.subject));
  cert.setIssuer(toAttributes(request.issuer));
  const extensions: object[] = [
    { name: "basicConstraints", cA: request.isCa === true, critical: request.isCa === true },
    request.isCa
      ? { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ];
  if (request.serverAuth) extensions.push({ name: "extKeyUsage", serverAuth: true, clientAuth: true });
  const altNames = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(request.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length > 0) extensions.push({ name: "subjectAltName", altNames });
  cert.setExtensions(extensions);
  cert.sign(nodeSigner(request.signingKey.privateKeyPem), forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), "binary");
  return { der, pem: forge.pki.certificateToPem(cert) };
}

/** DER prefix of the PKCS#1 DigestInfo for SHA-256. */
const SHA256_DIGEST_INFO = Buffer.from("3031300d060960864801650304020105000420", "hex");

/**
 * RSASSA-PKCS1-v1_5 with node:crypto in place of forge's pure-JS RSA (about 100x faster):
 * forge hands over the digest of the TBSCertificate; this wraps it in a DigestInfo and
 * applies the private key.
 */
function nodeSigner(privateKeyPem: string): forge.pki.rsa.PrivateKey {
  return {
    sign(md: forge.md.MessageDigest) {
      const digest = Buffer.from(md.digest().getBytes(), "binary");
      const signature = privateEncrypt(
        { key: privateKeyPem, padding: constants.RSA_PKCS1_PADDING },
        Buffer.concat([SHA256_DIGEST_INFO, digest]),
      );
      return signature.toString("binary");
    },
  } as unknown as forge.pki.rsa.PrivateKey;
}

/** SHA-1 of a DER certificate in upper-case hex: a certificate thumbprint. */
export function thumbprint(der: Buffer): string {
  return createHash("sha1").update(der).digest("hex").toUpperCase();
}

import { createCertificate, generateRsaKeyPair, type DistinguishedName, type KeyPair } from "./x509";

/** The root the seed imports on SQL Server as MicrosoftPKI. */
export const MICROSOFT_ROOT_2017: DistinguishedName = {
  CN: "Microsoft RSA Root Certificate Authority 2017",
  O: "Microsoft Corporation",
  C: "US",
};

/** An issuing CA below that root, named like the ones that sign *.database.windows.net certificates. */
export const MICROSOFT_ISSUING_CA: DistinguishedName = {
  CN: "Microsoft Azure RSA TLS Issuing CA 04",
  O: "Microsoft Corporation",
  C: "US",
};

export interface ManagedInstanceCertificate {
  /** DER of the endpoint certificate (CN = the MI FQDN). */
  der: Buffer;
  /** DER of the issuing CA certificate: its issuer is the Microsoft root, by name. */
  issuingCaDer: Buffer;
  notAfter: Date;
}

let issuingCa: { keys: KeyPair; der: Buffer } | undefined;

/**
 * The issuing CA cannot be signed by the real Microsoft root (no one has its key), so it
 * chains to it by name only: what sp_validate_certificate_ca_chain's emulation checks.
 */
function getIssuingCa(): { keys: KeyPair; der: Buffer } {
  if (!issuingCa) {
    const keys = generateRsaKeyPair();
    const { der } = createCertificate({
      subject: MICROSOFT_ISSUING_CA,
      issuer: MICROSOFT_ROOT_2017,
      publicKey: keys.publicKey,
      signingKey: keys,
      isCa: true,
      notAfter: new Date(Date.now() + 5 * 365 * 24 * 60 * 60 * 1000),
    });
    issuingCa = { keys, der };
  }
  return issuingCa;
}

const issued = new Map<string, ManagedInstanceCertificate>();

/**
 * The endpoint certificate of the managed instance `fqdn`: minted once per FQDN and
 * process, as an MI keeps its certificate (and key generation is the slow part of tests).
 */
export function managedInstanceCertificateFor(
  fqdn: string,
  endpoint = "DATABASE_MIRRORING",
): ManagedInstanceCertificate {
  const key = `${endpoint}/${fqdn.toLowerCase()}`;
  let certificate = issued.get(key);
  if (!certificate) {
    certificate = issueManagedInstanceCertificate(fqdn);
    issued.set(key, certificate);
  }
  return certificate;
}

/** Mints a DATABASE_MIRRORING endpoint certificate for a managed instance. */
export function issueManagedInstanceCertificate(fqdn: string, validDays = 365): ManagedInstanceCertificate {
  const ca = getIssuingCa();
  const keys = generateRsaKeyPair();
  const notBefore = new Date(Date.now() - 24 * 60 * 60 * 1000);
  const notAfter = new Date(notBefore.getTime() + validDays * 24 * 60 * 60 * 1000);
  const { der } = createCertificate({
    subject: { CN: fqdn, O: "Microsoft Corporation", L: "Redmond", ST: "WA", C: "US" },
    issuer: MICROSOFT_ISSUING_CA,
    publicKey: keys.publicKey,
    signingKey: ca.keys,
    notBefore,
    notAfter,
    dnsNames: [fqdn],
    serverAuth: true,
  });
  return { der, issuingCaDer: ca.der, notAfter };
}

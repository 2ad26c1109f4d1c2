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
      signingKey: keys.privateKey,
      isCa: true,
      notAfter: new Date(Date.now() + 5 * 365 * 24 * 60 * 60 * 1000),
    });
    issuingCa = { keys, der };
  }
  return issuingCa;
}

/** Mints the DATABASE_MIRRORING endpoint certificate of a managed instance. */
export function issueManagedInstanceCertificate(fqdn: string, validDays = 365): ManagedInstanceCertificate {
  const ca = getIssuingCa();
  const keys = generateRsaKeyPair();
  const notBefore = new Date(Date.now() - 24 * 60 * 60 * 1000);
  const notAfter = new Date(notBefore.getTime() + validDays * 24 * 60 * 60 * 1000);
  const { der } = createCertificate({
    subject: { CN: fqdn, O: "Microsoft Corporation", L: "Redmond", ST: "WA", C: "US" },
    issuer: MICROSOFT_ISSUING_CA,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    notBefore,
    notAfter,
    dnsNames: [fqdn],
    serverAuth: true,
  });
  return { der, issuingCaDer: ca.der, notAfter };
}

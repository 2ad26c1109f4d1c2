/**
 * Real X.509 material for the emulated instances: self-signed certificates
 * for CREATE CERTIFICATE, DER parsing for FROM BINARY and catalog columns, and
 * the managed instance's endpoint certificate chained (by name) to the real
 * Microsoft root that the link's runbook imports.
 */
import {
  createHash,
  generateKeyPairSync,
  randomBytes,
  sign as signBytes,
  X509Certificate,
} from "node:crypto";
import forge from "node-forge";
import { errors } from "./errors";

export interface ParsedCertificate {
  /** Distinguished names, most specific first: "CN=x, O=Microsoft Corporation, C=US". */
  subjectDn: string;
  issuerDn: string;
  /** The CN when the name has no other attribute (SQL Server's SUBJECT = '...'), else the full DN. */
  subject: string;
  issuerName: string;
  commonName?: string;
  /** Serial number as SQL Server shows it: hex bytes separated by spaces. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-1 of the DER. */
  thumbprint: Buffer;
  /** DER of the SubjectPublicKeyInfo: two certificates with the same key are the same certificate to SQL Server. */
  publicKeyDer: Buffer;
  keyLength: number;
}

export interface IssuedCertificate {
  der: Buffer;
  privateKeyPem: string;
}

/** A distinguished name's attributes in encoding order, values decoded to text. */
type NameAttributes = Array<[string, string]>;

/** Name → DN, most specific first ("CN=x, O=Microsoft Corporation, C=US"), values as written (unescaped). */
function formatDn(attributes: NameAttributes): string {
  return [...attributes]
    .reverse()
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
}

function commonNameOf(attributes: NameAttributes): string | undefined {
  return attributes.find(([key]) => key === "CN")?.[1];
}

function displayName(attributes: NameAttributes): string {
  return attributes.length === 1 && attributes[0][0] === "CN" ? attributes[0][1] : formatDn(attributes);
}

/**
 * Subject and issuer attributes decoded from the DER. Node's X509Certificate prints names
 * RFC 2253-escaped and non-ASCII UTF-8 as Latin-1, which SQL Server does not; forge gives the raw
 * values. Node's lines are the fallback for keys forge cannot read (non-RSA).
 */
function namesOf(der: Buffer, x509: X509Certificate): { subject: NameAttributes; issuer: NameAttributes } {
  // forge reads UTF8String values as UTF-8 bytes in a binary string.
  const decode = (field: forge.pki.CertificateField): [string, string] => [
    field.shortName ?? field.name ?? field.type ?? "?",
    (field.valueTagClass as unknown) === forge.asn1.Type.UTF8
      ? forge.util.decodeUtf8(String(field.value))
      : String(field.value),
  ];
  try {
    const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(der.toString("binary")));
    return {
      subject: cert.subject.attributes.map(decode),
      issuer: cert.issuer.attributes.map(decode),
    };
  } catch {
    const lines = (text: string): NameAttributes =>
      text
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]);
    return { subject: lines(x509.subject), issuer: lines(x509.issuer) };
  }
}

export function parseCertificate(der: Buffer): ParsedCertificate {
  const x509 = new X509Certificate(der);
  const publicKeyDer = x509.publicKey.export({ type: "spki", format: "der" });
  const details = x509.publicKey.asymmetricKeyDetails;
  const serial = x509.serialNumber.length % 2 ? `0${x509.serialNumber}` : x509.serialNumber;
  const names = namesOf(der, x509);
  return {
    subjectDn: formatDn(names.subject),
    issuerDn: formatDn(names.issuer),
    subject: displayName(names.subject),
    issuerName: displayName(names.issuer),
    commonName: commonNameOf(names.subject),
    serialNumber: (serial.toLowerCase().match(/../g) ?? []).join(" "),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    thumbprint: createHash("sha1").update(x509.raw).digest(),
    publicKeyDer,
    keyLength: details?.modulusLength ?? 0,
  };
}

/** Parses DER, or throws SQL Server's certificate-generation error for anything that is not X.509. */
export function parseCertificateOrFail(der: Buffer): ParsedCertificate {
  try {
    return parseCertificate(der);
  } catch {
    throw errors.certificateBinaryInvalid();
  }
}

/** Most signature checks remembered: chain validation re-checks the same few pairs on every poll. */
const SIGNATURE_CACHE_LIMIT = 256;
/** Verdicts keyed by both DERs: a signature's validity depends on nothing else, so entries never go stale. */
const signatureVerdicts = new Map<string, boolean>();

/** True when `issuerDer`'s key signed `der`. */
export function isSignedBy(der: Buffer, issuerDer: Buffer): boolean {
  const key = `${der.toString("base64")}:${issuerDer.toString("base64")}`;
  const known = signatureVerdicts.get(key);
  if (known !== undefined) return known;
  let verdict: boolean;
  try {
    verdict = new X509Certificate(der).verify(new X509Certificate(issuerDer).publicKey);
  } catch {
    verdict = false;
  }
  // Oldest first out: Map iterates in insertion order.
  if (signatureVerdicts.size >= SIGNATURE_CACHE_LIMIT) {
    signatureVerdicts.delete(signatureVerdicts.keys().next().value as string);
  }
  signatureVerdicts.set(key, verdict);
  return verdict;
}

const MONTH_DAY_YEAR = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?Z?)?$/;

/**
 * START_DATE / EXPIRY_DATE as written: 'MM/DD/YYYY' (us_english dateformat mdy), 'YYYYMMDD',
 * 'YYYY-MM-DD' or ISO 8601. Certificate dates are UTC in SQL Server.
 */
export function parseCertificateDate(text: string): Date {
  const s = text.trim();
  let fields: Array<string | undefined> | undefined;
  let m = MONTH_DAY_YEAR.exec(s);
  if (m) fields = [m[3], m[1], m[2], m[4], m[5], m[6]];
  else if ((m = COMPACT.exec(s))) fields = [m[1], m[2], m[3], undefined, undefined, undefined];
  else if ((m = ISO.exec(s))) fields = [m[1], m[2], m[3], m[4], m[5], m[6]];
  if (!fields) throw errors.dateConversion();
  const [y, mo, d, h, mi, se] = fields.map((f) => Number(f ?? 0));
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) {
    throw errors.dateConversion();
  }
  return date;
}

function attributes(dn: Array<[string, string]>): forge.pki.CertificateField[] {
  return dn.map(([name, value]) => ({
    name,
    // forge UTF-8-encodes UTF8String values itself when it writes the name.
    value,
    valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.pki.CertificateField["valueTagClass"],
  }));
}

interface KeyPair {
  privateKeyPem: string;
  publicKey: forge.pki.rsa.PublicKey;
}

function rsaKeyPair(): KeyPair {
  // node:crypto generates the key in milliseconds; forge's own generator takes seconds.
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return {
    privateKeyPem: privateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
  };
}

/** forge exports getTBSCertificate but its type declarations omit it. */
function tbsCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 {
  return (
    forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }
  ).getTBSCertificate(cert);
}

function serialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  if (bytes[0] === 0) bytes[0] = 0x01;
  return bytes.toString("hex");
}

interface SignOptions {
  subject: Array<[string, string]>;
  issuer: Array<[string, string]>;
  publicKey: forge.pki.rsa.PublicKey;
  /** PEM of the issuer's private key. */
  signingKey: string;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  dnsName?: string;
}

function sign(options: SignOptions): Buffer {
  const cert = forge.pki.createCertificate();
  cert.publicKey = options.publicKey;
  cert.serialNumber = serialHex();
  cert.validity.notBefore = options.notBefore;
  cert.validity.notAfter = options.notAfter;
  cert.setSubject(attributes(options.subject));
  cert.setIssuer(attributes(options.issuer));
  const extensions: object[] = [{ name: "basicConstraints", cA: options.ca, critical: options.ca }];
  if (options.ca)
    extensions.push({ name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true });
  if (options.dnsName)
    extensions.push({ name: "subjectAltName", altNames: [{ type: 2, value: options.dnsName }] });
  cert.setExtensions(extensions);
  // forge builds the structure; node:crypto signs (forge's RSA in JavaScript is slow).
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption;
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  const tbs = Buffer.from(forge.asn1.toDer(tbsCertificate(cert)).getBytes(), "binary");
  cert.signature = signBytes("sha256", tbs, options.signingKey).toString("binary");
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), "binary");
}

/** CREATE CERTIFICATE ... WITH SUBJECT: a self-signed certificate whose subject and issuer are CN=<subject>. */
export function createSelfSignedCertificate(options: {
  subject: string;
  startDate: Date;
  expiryDate: Date;
}): IssuedCertificate {
  const { privateKeyPem, publicKey } = rsaKeyPair();
  const name: Array<[string, string]> = [["commonName", options.subject]];
  const der = sign({
    subject: name,
    issuer: name,
    publicKey,
    signingKey: privateKeyPem,
    notBefore: options.startDate,
    notAfter: options.expiryDate,
    ca: false,
  });
  return { der, privateKeyPem };
}

/** The real root's DN (the MicrosoftPKI blob of the runbook); the emulator's copy has its own key. */
export const MICROSOFT_ROOT_DN: Array<[string, string]> = [
  ["countryName", "US"],
  ["organizationName", "Microsoft Corporation"],
  ["commonName", "Microsoft RSA Root Certificate Authority 2017"],
];
export const MICROSOFT_ISSUING_CA_DN: Array<[string, string]> = [
  ["countryName", "US"],
  ["organizationName", "Microsoft Corporation"],
  ["commonName", "Microsoft Azure RSA TLS Issuing CA 07"],
];

function dnString(dn: Array<[string, string]>): string {
  const short: Record<string, string> = { countryName: "C", organizationName: "O", commonName: "CN" };
  return [...dn]
    .reverse()
    .map(([k, v]) => `${short[k] ?? k}=${v}`)
    .join(", ");
}

/**
 * Intermediate CAs the emulated Windows certificate store knows (real SQL Server
 * fetches intermediates through AIA or the machine store; the link's runbook
 * imports only the roots). Keyed by subject DN; value: the issuer DN and, when
 * the emulator minted it, the certificate itself so signatures can be checked.
 */
const knownIntermediates = new Map<string, { issuerDn: string; der?: Buffer }>([
  [dnString(MICROSOFT_ISSUING_CA_DN), { issuerDn: dnString(MICROSOFT_ROOT_DN) }],
  [
    "CN=Microsoft Azure RSA TLS Issuing CA 03, O=Microsoft Corporation, C=US",
    { issuerDn: dnString(MICROSOFT_ROOT_DN) },
  ],
  [
    "CN=Microsoft Azure RSA TLS Issuing CA 04, O=Microsoft Corporation, C=US",
    { issuerDn: dnString(MICROSOFT_ROOT_DN) },
  ],
  [
    "CN=Microsoft Azure RSA TLS Issuing CA 08, O=Microsoft Corporation, C=US",
    { issuerDn: dnString(MICROSOFT_ROOT_DN) },
  ],
  [
    "CN=Microsoft Azure TLS Issuing CA 01, O=Microsoft Corporation, C=US",
    { issuerDn: "CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US" },
  ],
  [
    "CN=Microsoft Azure TLS Issuing CA 05, O=Microsoft Corporation, C=US",
    { issuerDn: "CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US" },
  ],
]);

export function knownIntermediate(subjectDn: string): { issuerDn: string; der?: Buffer } | undefined {
  return knownIntermediates.get(subjectDn);
}

interface Authority {
  der: Buffer;
  keys: KeyPair;
}
let authorities: { root: Authority; issuing: Authority } | undefined;

function emulatorAuthorities(): { root: Authority; issuing: Authority } {
  if (authorities) return authorities;
  const rootKeys = rsaKeyPair();
  const issuingKeys = rsaKeyPair();
  const notBefore = new Date(Date.UTC(2019, 11, 18));
  const notAfter = new Date(Date.UTC(2042, 6, 18));
  const root: Authority = {
    keys: rootKeys,
    der: sign({
      subject: MICROSOFT_ROOT_DN,
      issuer: MICROSOFT_ROOT_DN,
      publicKey: rootKeys.publicKey,
      signingKey: rootKeys.privateKeyPem,
      notBefore,
      notAfter,
      ca: true,
    }),
  };
  const issuing: Authority = {
    keys: issuingKeys,
    der: sign({
      subject: MICROSOFT_ISSUING_CA_DN,
      issuer: MICROSOFT_ROOT_DN,
      publicKey: issuingKeys.publicKey,
      signingKey: rootKeys.privateKeyPem,
      notBefore: new Date(Date.UTC(2023, 5, 8)),
      notAfter: new Date(Date.UTC(2040, 5, 8)),
      ca: true,
    }),
  };
  knownIntermediates.set(dnString(MICROSOFT_ISSUING_CA_DN), {
    issuerDn: dnString(MICROSOFT_ROOT_DN),
    der: issuing.der,
  });
  authorities = { root, issuing };
  return authorities;
}

/**
 * The managed instance's DATABASE_MIRRORING endpoint certificate: leaf CN=<fqdn>
 * issued by "Microsoft Azure RSA TLS Issuing CA 07", itself issued by an emulator
 * root carrying the real Microsoft root's DN. `chain` is [issuing CA, root].
 */
export function issueManagedInstanceCertificate(
  fqdn: string,
  options: { notBefore?: Date; notAfter?: Date } = {},
): IssuedCertificate & { chain: Buffer[] } {
  const { root, issuing } = emulatorAuthorities();
  const { privateKeyPem, publicKey } = rsaKeyPair();
  const notBefore = options.notBefore ?? new Date(Date.now() - 24 * 3600_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 365 * 24 * 3600_000);
  const der = sign({
    subject: [["commonName", fqdn]],
    issuer: MICROSOFT_ISSUING_CA_DN,
    publicKey,
    signingKey: issuing.keys.privateKeyPem,
    notBefore,
    notAfter,
    ca: false,
    dnsName: fqdn,
  });
  return { der, privateKeyPem, chain: [issuing.der, root.der] };
}

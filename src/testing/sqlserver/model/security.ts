/**
 * Database master key and certificates (CREATE/DROP MASTER KEY, CREATE/DROP
 * CERTIFICATE), CERT_ID and CERTENCODED.
 */
import type { CreateCertificateSpec, ExecContext } from "./contract";
import type { ModelContext } from "./context";
import {
  createSelfSignedCertificate,
  parseCertificate,
  parseCertificateDate,
  parseCertificateOrFail,
  type ParsedCertificate,
} from "./certificates";
import { errors } from "./errors";
import type { CertificateState } from "./state";

const parsedCache = new Map<string, ParsedCertificate>();

/** The parsed view of a stored certificate (memoised by DER). */
export function parsedCertificate(cert: CertificateState): ParsedCertificate {
  let parsed = parsedCache.get(cert.derHex);
  if (!parsed) {
    parsed = parseCertificate(Buffer.from(cert.derHex, "hex"));
    parsedCache.set(cert.derHex, parsed);
  }
  return parsed;
}

export function findCertificate(
  m: ModelContext,
  database: string,
  name: string,
): CertificateState | undefined {
  return m.security(database).certificates.find((c) => m.sameName(c.name, name));
}

export function certificateById(m: ModelContext, database: string, id: number): CertificateState | undefined {
  return m.security(database).certificates.find((c) => c.id === id);
}

export function createMasterKey(m: ModelContext, ctx: ExecContext, _password: string): void {
  m.requireSysadmin(ctx);
  const security = m.security(ctx.database);
  if (security.masterKey) throw errors.masterKeyExists();
  const now = m.now();
  security.masterKey = { createDate: now, modifyDate: now, guid: m.newGuid() };
}

export function dropMasterKey(m: ModelContext, ctx: ExecContext): void {
  m.requireSysadmin(ctx);
  const security = m.security(ctx.database);
  if (!security.masterKey) throw errors.masterKeyMissing();
  const protectedCert = security.certificates.find((c) => c.keyEncryption === "MK");
  if (protectedCert) throw errors.masterKeyInUse(protectedCert.name);
  security.masterKey = undefined;
}

function nextCertificateId(m: ModelContext): number {
  return m.state.nextCertificateId++;
}

export function createCertificate(
  m: ModelContext,
  ctx: ExecContext,
  spec: CreateCertificateSpec,
): CertificateState {
  m.requireSysadmin(ctx);
  const security = m.security(ctx.database);
  if (security.certificates.some((c) => m.sameName(c.name, spec.name)))
    throw errors.certificateExists(spec.name);
  let cert: CertificateState;
  if (spec.fromBinary) {
    const parsed = parseCertificateOrFail(spec.fromBinary);
    const sameKey = security.certificates.find((c) =>
      parsedCertificate(c).publicKeyDer.equals(parsed.publicKeyDer),
    );
    if (sameKey) throw errors.certificateExists(spec.name);
    cert = {
      name: spec.name,
      id: nextCertificateId(m),
      derHex: spec.fromBinary.toString("hex"),
      keyEncryption: "NA",
      createDate: m.now(),
    };
  } else {
    if (!spec.encryptionPassword && !security.masterKey) throw errors.masterKeyRequired();
    const startDate = spec.startDate ? parseCertificateDate(spec.startDate) : new Date(m.now());
    const expiryDate = spec.expiryDate
      ? parseCertificateDate(spec.expiryDate)
      : new Date(
          Date.UTC(
            startDate.getUTCFullYear() + 1,
            startDate.getUTCMonth(),
            startDate.getUTCDate(),
            startDate.getUTCHours(),
            startDate.getUTCMinutes(),
            startDate.getUTCSeconds(),
          ),
        );
    if (expiryDate.getTime() <= startDate.getTime()) throw errors.certificateDatesInvalid();
    const issued = createSelfSignedCertificate({ subject: spec.subject ?? spec.name, startDate, expiryDate });
    cert = {
      name: spec.name,
      id: nextCertificateId(m),
      derHex: issued.der.toString("hex"),
      privateKeyPem: issued.privateKeyPem,
      keyEncryption: spec.encryptionPassword ? "PW" : "MK",
      createDate: m.now(),
    };
  }
  security.certificates.push(cert);
  return cert;
}

export function dropCertificate(m: ModelContext, ctx: ExecContext, name: string): void {
  m.requireSysadmin(ctx);
  const security = m.security(ctx.database);
  const cert = security.certificates.find((c) => m.sameName(c.name, name));
  if (!cert) throw errors.certificateDropNotFound(name);
  const inMaster = ctx.database.toLowerCase() === "master";
  const endpoint = m.state.endpoint;
  if (inMaster && endpoint?.certificateName && m.sameName(endpoint.certificateName, cert.name)) {
    throw errors.certificateInUse(cert.name);
  }
  security.certificates = security.certificates.filter((c) => c !== cert);
  if (inMaster) {
    m.state.trustedIssuers = m.state.trustedIssuers.filter((t) => !m.sameName(t.certificateName, cert.name));
  }
}

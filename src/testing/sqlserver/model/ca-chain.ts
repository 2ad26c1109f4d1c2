/**
 * sp_validate_certificate_ca_chain: does a certificate chain to a trusted
 * issuer bound (sp_certificate_add_issuer) to a DNS pattern matching its CN?
 *
 * Emulator behaviour: the chain is built by name. The runbook imports the real
 * Microsoft and DigiCert roots, whose private keys no emulator holds, so the
 * emulated managed instance's certificate (issued by an emulator CA carrying
 * the real root's DN) can only chain to them by distinguished name. Wherever
 * the issuer's key is available and is not one of those public roots, the
 * signature must verify too. Intermediates come from the emulated machine
 * store (certificates.ts knownIntermediate), as real SQL Server fetches them.
 */
import type { ModelContext } from "./context";
import { isSignedBy, knownIntermediate, type ParsedCertificate } from "./certificates";
import { findCertificate, parsedCertificate } from "./security";
import type { CertificateState } from "./state";

export type ChainResult = { ok: true } | { ok: false; reason: string };

/** Public roots the link's runbook imports (their keys cannot sign emulator certificates). */
const PUBLIC_ROOTS = new Set([
  "CN=Microsoft RSA Root Certificate Authority 2017, O=Microsoft Corporation, C=US",
  "CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US",
]);

/** `*.database.windows.net` matches any name under database.windows.net; otherwise an exact match. */
export function dnsPatternMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  if (p.startsWith("*.")) return n.endsWith(p.slice(1)) && n.length > p.length - 1;
  return p === n;
}

function withinValidity(parsed: ParsedCertificate, now: number): boolean {
  return parsed.notBefore.getTime() <= now && now <= parsed.notAfter.getTime();
}

export function validateCaChain(m: ModelContext, certificateName: string): ChainResult {
  const cert = findCertificate(m, "master", certificateName);
  if (!cert) return { ok: false, reason: `certificate '${certificateName}' does not exist in master` };
  return validateCertificate(m, cert);
}

export function validateCertificate(m: ModelContext, cert: CertificateState): ChainResult {
  const now = m.now();
  const leaf = parsedCertificate(cert);
  if (!withinValidity(leaf, now)) {
    return {
      ok: false,
      reason: `certificate '${cert.name}' is not valid at this time (valid ${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()})`,
    };
  }
  const cn = leaf.commonName;
  if (!cn)
    return {
      ok: false,
      reason: `certificate '${cert.name}' has no common name (CN) to match a trusted issuer's DNS name`,
    };
  const anchors = m.state.trustedIssuers
    .filter((t) => dnsPatternMatches(t.dnsName, cn))
    .map((t) => findCertificate(m, "master", t.certificateName))
    .filter((c): c is CertificateState => c !== undefined);
  if (anchors.length === 0) {
    return {
      ok: false,
      reason: `no trusted issuer is bound to a DNS name matching '${cn}' (sp_certificate_add_issuer)`,
    };
  }

  let issuerDn = leaf.issuerDn;
  let childDer: Buffer = Buffer.from(cert.derHex, "hex");
  for (let depth = 0; depth < 6; depth++) {
    const anchor = anchors.find((a) => parsedCertificate(a).subjectDn === issuerDn);
    if (anchor) {
      const anchorParsed = parsedCertificate(anchor);
      if (!withinValidity(anchorParsed, now)) {
        return { ok: false, reason: `trusted issuer '${anchor.name}' is not valid at this time` };
      }
      if (
        !PUBLIC_ROOTS.has(anchorParsed.subjectDn) &&
        !isSignedBy(childDer, Buffer.from(anchor.derHex, "hex"))
      ) {
        return {
          ok: false,
          reason: `the signature does not verify with the key of trusted issuer '${anchor.name}'`,
        };
      }
      return { ok: true };
    }
    const intermediate = knownIntermediate(issuerDn);
    if (!intermediate) {
      return {
        ok: false,
        reason: `issuer '${issuerDn}' does not chain to a trusted issuer for DNS name '${cn}'`,
      };
    }
    if (intermediate.der) {
      if (!isSignedBy(childDer, intermediate.der)) {
        return { ok: false, reason: `the signature does not verify with the key of issuer '${issuerDn}'` };
      }
      childDer = intermediate.der;
    }
    issuerDn = intermediate.issuerDn;
  }
  return { ok: false, reason: "the certificate chain is too long" };
}

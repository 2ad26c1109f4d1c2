import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  AZURE_ROOT_CERTIFICATES,
  AZURE_TRUSTED_ISSUER_DNS_NAME,
  DIGICERT_PKI_ROOT,
  MICROSOFT_PKI_ROOT,
} from "./root-certificates";
import { buildAddIssuerSql, buildCreateCertificateFromBinarySql } from "./statements/certificates";

function parse(blob: string): X509Certificate {
  return new X509Certificate(Buffer.from(blob.slice(2), "hex"));
}

describe("Azure root certificates", () => {
  it("are the published Microsoft and DigiCert roots (by SHA-1 thumbprint)", () => {
    const microsoft = parse(MICROSOFT_PKI_ROOT.blob);
    expect(microsoft.subject).toContain("CN=Microsoft RSA Root Certificate Authority 2017");
    expect(microsoft.fingerprint.replace(/:/g, "")).toBe("73A5E64A3BFF8316FF0EDCCC618A906E4EAE4D74");
    const digicert = parse(DIGICERT_PKI_ROOT.blob);
    expect(digicert.subject).toContain("CN=DigiCert Global Root G2");
    expect(digicert.fingerprint.replace(/:/g, "")).toBe("DF3C24F9BFD666761B268073FE06D1CC8D4F82A4");
  });

  it("are self-signed CA certificates", () => {
    for (const root of AZURE_ROOT_CERTIFICATES) {
      const cert = parse(root.blob);
      expect(cert.ca).toBe(true);
      expect(cert.checkIssued(cert)).toBe(true);
    }
  });

  it("import with the runbook's names and trust for *.database.windows.net", () => {
    expect(AZURE_ROOT_CERTIFICATES.map((root) => root.name)).toEqual(["MicrosoftPKI", "DigiCertPKI"]);
    const sql = buildCreateCertificateFromBinarySql(MICROSOFT_PKI_ROOT.name, MICROSOFT_PKI_ROOT.blob);
    expect(sql).toMatch(/^CREATE CERTIFICATE \[MicrosoftPKI\]\nFROM BINARY = 0x308205A8[0-9A-F]+0F84;$/);
    expect(buildAddIssuerSql(DIGICERT_PKI_ROOT.name, AZURE_TRUSTED_ISSUER_DNS_NAME)).toContain(
      "EXEC sp_certificate_add_issuer @certificate_id, N'*.database.windows.net';",
    );
  });
});

import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SqlError } from "../types";
import { createInstanceModel, issueManagedInstanceCertificate, type SqlServerInstance } from "./index";
import { DIGICERT_GLOBAL_ROOT_G2_HEX, MICROSOFT_RSA_ROOT_2017_HEX } from "./root-certificates";
import { execContext, MI_FQDN, rows } from "./test-support";
import { dnsPatternMatches } from "./ca-chain";

function sqlError(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error("expected a SqlError");
}

const miCertificate = issueManagedInstanceCertificate(MI_FQDN);
const ctx = execContext();

/** Runbook steps 6-7: MI certificate under its FQDN, both roots bound to *.database.windows.net. */
function importTrust(model: SqlServerInstance, options: { bindIssuers?: boolean } = {}): number {
  model.createCertificate(ctx, { name: MI_FQDN, fromBinary: miCertificate.der });
  for (const [name, hex] of [
    ["MicrosoftPKI", MICROSOFT_RSA_ROOT_2017_HEX],
    ["DigiCertPKI", DIGICERT_GLOBAL_ROOT_G2_HEX],
  ]) {
    model.createCertificate(ctx, { name, fromBinary: Buffer.from(hex, "hex") });
    if (options.bindIssuers !== false) {
      model.executeProcedure(ctx, "sp_certificate_add_issuer", [
        { name: "", value: model.certificateId(name) },
        { name: "", value: "*.database.windows.net" },
      ]);
    }
  }
  return model.certificateId(MI_FQDN)!;
}

describe("DNS patterns", () => {
  it("matches any host under a wildcard domain and nothing else", () => {
    expect(dnsPatternMatches("*.database.windows.net", "sqlmi1.0a1b.database.windows.net")).toBe(true);
    expect(dnsPatternMatches("*.database.windows.net", "x.database.windows.net")).toBe(true);
    expect(dnsPatternMatches("*.database.windows.net", "database.windows.net")).toBe(false);
    expect(dnsPatternMatches("*.database.windows.net", "evil.database.windows.net.example.com")).toBe(false);
  });
});

describe("sp_certificate_add_issuer", () => {
  it("binds certificates as trusted issuers and refuses the same binding twice", () => {
    const model = createInstanceModel();
    importTrust(model);
    expect(model.partner.trustedIssuers()).toEqual([
      { certificateName: "MicrosoftPKI", dnsName: "*.database.windows.net" },
      { certificateName: "DigiCertPKI", dnsName: "*.database.windows.net" },
    ]);
    const e = sqlError(() =>
      model.executeProcedure(ctx, "sp_certificate_add_issuer", [
        { name: "", value: model.certificateId("MicrosoftPKI") },
        { name: "", value: "*.database.windows.net" },
      ]),
    );
    expect(e.message).toBe(
      "The certificate 'MicrosoftPKI' has been already added as a trusted issuer for DNS name '*.database.windows.net'",
    );
  });

  it("does not exist on SQL Server 2016/2017 builds without the Azure Connect pack", () => {
    for (const productVersion of ["13.0.6300.2", "14.0.3456.2"]) {
      const model = createInstanceModel({ productVersion });
      const e = sqlError(() => model.executeProcedure(ctx, "sp_certificate_add_issuer", []));
      expect(e.number).toBe(2812);
      expect(e.message).toBe("Could not find stored procedure 'sp_certificate_add_issuer'.");
    }
    for (const productVersion of ["13.0.7000.253", "14.0.3490.10", "15.0.4312.2"]) {
      const model = createInstanceModel({ productVersion });
      expect(() => importTrust(model)).not.toThrow();
    }
  });

  it("reports an unknown certificate id", () => {
    const e = sqlError(() =>
      createInstanceModel().executeProcedure(ctx, "sp_certificate_add_issuer", [
        { name: "", value: 999 },
        { name: "", value: "*.database.windows.net" },
      ]),
    );
    expect(e.number).toBe(15151);
  });
});

describe("sp_validate_certificate_ca_chain", () => {
  it("accepts the managed instance certificate once the runbook's roots are bound", () => {
    const model = createInstanceModel();
    const id = importTrust(model);
    const result = model.executeProcedure(ctx, "sp_validate_certificate_ca_chain", [{ name: "", value: id }]);
    expect(result.returnStatus).toBe(0);
    expect(model.partner.validateCaChain(MI_FQDN)).toEqual({ ok: true });
  });

  it("refuses when the roots are imported but not bound as issuers", () => {
    const model = createInstanceModel();
    const id = importTrust(model, { bindIssuers: false });
    const e = sqlError(() =>
      model.executeProcedure(ctx, "sp_validate_certificate_ca_chain", [{ name: "", value: id }]),
    );
    expect(e.message).toMatch(/no trusted issuer/);
    expect(model.partner.validateCaChain(MI_FQDN)).toMatchObject({ ok: false });
  });

  it("refuses a certificate whose name is outside the bound DNS pattern", () => {
    const model = createInstanceModel();
    importTrust(model);
    const other = issueManagedInstanceCertificate("sqlmi1.contoso.com");
    model.createCertificate(ctx, { name: "other", fromBinary: other.der });
    expect(model.partner.validateCaChain("other")).toMatchObject({ ok: false });
  });

  it("refuses an expired certificate", () => {
    const model = createInstanceModel();
    importTrust(model);
    const expired = issueManagedInstanceCertificate("old.x.database.windows.net", {
      notBefore: new Date(Date.UTC(2020, 0, 1)),
      notAfter: new Date(Date.UTC(2021, 0, 1)),
    });
    model.createCertificate(ctx, { name: "old", fromBinary: expired.der });
    const result = model.partner.validateCaChain("old");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/not valid at this time/);
  });

  it("refuses a self-signed certificate and one whose issuer name is unknown", () => {
    const model = createInstanceModel();
    importTrust(model);
    model.createMasterKey(ctx, "pw");
    model.createCertificate(ctx, { name: "self", subject: "fake.x.database.windows.net" });
    const result = model.partner.validateCaChain("self");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/does not chain/);
  });

  it("requires the signature when the trusted issuer's key is at hand", () => {
    const model = createInstanceModel();
    model.createMasterKey(ctx, "pw");
    // A private CA created on the instance, and a "leaf" that only claims it as issuer by name.
    model.createCertificate(ctx, { name: "ca", subject: "Contoso CA" });
    model.executeProcedure(ctx, "sp_certificate_add_issuer", [
      { name: "@certificate_id", value: model.certificateId("ca") },
      { name: "@dns_name", value: "Contoso CA" },
    ]);
    // The CA's own certificate is self-signed: it chains to itself and its signature verifies.
    expect(model.partner.validateCaChain("ca")).toEqual({ ok: true });
    model.createCertificate(ctx, { name: "impostor", subject: "Contoso CA" });
    const result = model.partner.validateCaChain("impostor");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/signature/);
  });

  it("reports an unknown certificate and an old build", () => {
    expect(
      sqlError(() =>
        createInstanceModel().executeProcedure(ctx, "sp_validate_certificate_ca_chain", [
          { name: "", value: 4242 },
        ]),
      ).number,
    ).toBe(15151);
    expect(
      sqlError(() =>
        createInstanceModel({ productVersion: "14.0.3456.2" }).executeProcedure(
          ctx,
          "sp_validate_certificate_ca_chain",
          [],
        ),
      ).number,
    ).toBe(2812);
  });
});

describe("other procedures", () => {
  it("sp_get_endpoint_certificate returns the endpoint certificate as one varbinary column", () => {
    const model = createInstanceModel();
    model.createMasterKey(ctx, "pw");
    model.createCertificate(ctx, { name: "ep_cert", subject: "ep" });
    model.createEndpoint(ctx, {
      name: "ep",
      port: 5022,
      authentication: { certificate: "ep_cert", certificateFirst: true },
    });
    const result = model.executeProcedure(ctx, "sp_get_endpoint_certificate", [{ name: "", value: 4 }]);
    expect(result.resultSets[0].columns).toMatchObject([{ type: { kind: "varbinary", length: "max" } }]);
    expect(
      (result.resultSets[0].rows[0][0] as Buffer).equals(
        model.certificateEncoded(model.certificateId("ep_cert")!)!,
      ),
    ).toBe(true);
  });

  it("an unknown procedure is error 2812", () => {
    const e = sqlError(() => createInstanceModel().executeProcedure(ctx, "sp_nope", []));
    expect(e.number).toBe(2812);
    expect(e.message).toBe("Could not find stored procedure 'sp_nope'.");
  });

  it("the MI certificate's chain is a real X.509 chain", () => {
    const [issuing, root] = miCertificate.chain.map((d) => new X509Certificate(d));
    const leaf = new X509Certificate(miCertificate.der);
    expect(leaf.subject).toBe(`CN=${MI_FQDN}`);
    expect(leaf.checkIssued(issuing)).toBe(true);
    expect(leaf.verify(issuing.publicKey)).toBe(true);
    expect(issuing.verify(root.publicKey)).toBe(true);
    expect(root.subject).toBe(
      "C=US\nO=Microsoft Corporation\nCN=Microsoft RSA Root Certificate Authority 2017",
    );
    expect(rows(createInstanceModel(), "sys.certificates")).toEqual([]);
  });
});

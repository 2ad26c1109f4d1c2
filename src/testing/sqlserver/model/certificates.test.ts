import { X509Certificate, createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SqlError } from "../types";
import { createInstanceModel } from "./index";
import { issueManagedInstanceCertificate, parseCertificateDate } from "./certificates";
import { DIGICERT_GLOBAL_ROOT_G2_HEX, MICROSOFT_RSA_ROOT_2017_HEX } from "./root-certificates";
import { execContext, rows } from "./test-support";

function sqlError(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error("expected a SqlError");
}

describe("certificate dates", () => {
  it("parses the formats CREATE CERTIFICATE accepts, as UTC", () => {
    expect(parseCertificateDate("03/30/2025").toISOString()).toBe("2025-03-30T00:00:00.000Z");
    expect(parseCertificateDate("20281231").toISOString()).toBe("2028-12-31T00:00:00.000Z");
    expect(parseCertificateDate("2027-06-01").toISOString()).toBe("2027-06-01T00:00:00.000Z");
    expect(parseCertificateDate("2027-06-01T10:20:30Z").toISOString()).toBe("2027-06-01T10:20:30.000Z");
  });

  it("refuses impossible dates with the conversion error", () => {
    expect(sqlError(() => parseCertificateDate("02/30/2025")).number).toBe(241);
    expect(sqlError(() => parseCertificateDate("tomorrow")).number).toBe(241);
  });
});

describe("master key", () => {
  it("is created once, shows as ##MS_DatabaseMasterKey## id 101, and refuses a second", () => {
    const model = createInstanceModel();
    const ctx = execContext();
    model.createMasterKey(ctx, "pw");
    expect(rows(model, "sys.symmetric_keys")).toMatchObject([
      {
        name: "##MS_DatabaseMasterKey##",
        symmetric_key_id: 101,
        key_algorithm: "A3",
        algorithm_desc: "AES_256",
        key_length: 256,
      },
    ]);
    expect(sqlError(() => model.createMasterKey(ctx, "pw")).number).toBe(15578);
    const master = rows(model, "sys.databases").find((d) => d.name === "master");
    expect(master?.is_master_key_encrypted_by_server).toBe(true);
  });

  it("cannot be dropped while a certificate is encrypted by it, nor when missing", () => {
    const model = createInstanceModel();
    const ctx = execContext();
    expect(sqlError(() => model.dropMasterKey(ctx)).number).toBe(15151);
    model.createMasterKey(ctx, "pw");
    model.createCertificate(ctx, { name: "c1", subject: "c1" });
    const e = sqlError(() => model.dropMasterKey(ctx));
    expect(e.number).toBe(15580);
    expect(e.message).toContain("c1");
    model.dropCertificate(ctx, "c1");
    model.dropMasterKey(ctx);
    expect(rows(model, "sys.symmetric_keys")).toEqual([]);
  });
});

describe("CREATE CERTIFICATE", () => {
  it("needs the master key", () => {
    const model = createInstanceModel();
    const e = sqlError(() => model.createCertificate(execContext(), { name: "c", subject: "s" }));
    expect(e.number).toBe(15581);
    expect(e.message).toBe(
      "Please create a master key in the database or open the master key in the session before performing this operation.",
    );
  });

  it("makes a real self-signed X.509 certificate whose catalog row matches the DER", () => {
    const model = createInstanceModel();
    const ctx = execContext();
    model.createMasterKey(ctx, "pw");
    model.createCertificate(ctx, {
      name: "Cert_SQL1_endpoint",
      subject: "Certificate for Cert_SQL1_endpoint",
      startDate: "01/15/2025",
      expiryDate: "03/30/2030",
    });
    const id = model.certificateId("Cert_SQL1_endpoint");
    expect(id).toBeTypeOf("number");
    const der = model.certificateEncoded(id!)!;
    const x509 = new X509Certificate(der);
    expect(x509.subject).toBe("CN=Certificate for Cert_SQL1_endpoint");
    expect(x509.issuer).toBe("CN=Certificate for Cert_SQL1_endpoint");
    expect(new Date(x509.validFrom).toISOString()).toBe("2025-01-15T00:00:00.000Z");
    expect(new Date(x509.validTo).toISOString()).toBe("2030-03-30T00:00:00.000Z");
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);

    const [row] = rows(model, "sys.certificates");
    expect(row).toMatchObject({
      name: "Cert_SQL1_endpoint",
      certificate_id: id,
      pvt_key_encryption_type: "MK",
      pvt_key_encryption_type_desc: "ENCRYPTED_BY_MASTER_KEY",
      subject: "Certificate for Cert_SQL1_endpoint",
      issuer_name: "Certificate for Cert_SQL1_endpoint",
      key_length: 2048,
    });
    expect((row.thumbprint as Buffer).equals(createHash("sha1").update(der).digest())).toBe(true);
    expect(x509.fingerprint.replace(/:/g, "")).toBe((row.thumbprint as Buffer).toString("hex").toUpperCase());
    expect((row.expiry_date as Date).toISOString()).toBe("2030-03-30T00:00:00.000Z");
    expect(row.cert_serial_number).toBe(
      (x509.serialNumber.length % 2 ? "0" + x509.serialNumber : x509.serialNumber)
        .toLowerCase()
        .match(/../g)!
        .join(" "),
    );
  });

  it("shows a subject as written: no RFC 2253 escapes, non-ASCII intact", () => {
    const model = createInstanceModel();
    const ctx = execContext();
    model.createMasterKey(ctx, "pw");
    model.createCertificate(ctx, { name: "c", subject: "Café; a, b + c" });
    const [row] = rows(model, "sys.certificates");
    expect(row.subject).toBe("Café; a, b + c");
    expect(new X509Certificate(model.certificateEncoded(model.certificateId("c")!)!).subject).toContain(
      "Caf",
    );
  });

  it("defaults to start now and expiry one year later", () => {
    const now = Date.UTC(2026, 0, 10, 12, 0, 0);
    const model = createInstanceModel({ now: () => now });
    const ctx = execContext();
    model.createMasterKey(ctx, "pw");
    model.createCertificate(ctx, { name: "c", subject: "s" });
    const [row] = rows(model, "sys.certificates");
    expect((row.start_date as Date).toISOString()).toBe("2026-01-10T12:00:00.000Z");
    expect((row.expiry_date as Date).toISOString()).toBe("2027-01-10T12:00:00.000Z");
  });

  it("refuses an expiry before the start", () => {
    const model = createInstanceModel();
    const ctx = execContext();
    model.createMasterKey(ctx, "pw");
    const e = sqlError(() =>
      model.createCertificate(ctx, {
        name: "c",
        subject: "s",
        startDate: "2030-01-01",
        expiryDate: "2029-01-01",
      }),
    );
    expect(e.number).toBe(15297);
  });

  it("imports FROM BINARY without a private key, with the certificate's own names and dates", () => {
    const model = createInstanceModel();
    const ctx = execContext();
    model.createCertificate(ctx, {
      name: "MicrosoftPKI",
      fromBinary: Buffer.from(MICROSOFT_RSA_ROOT_2017_HEX, "hex"),
    });
    model.createCertificate(ctx, {
      name: "DigiCertPKI",
      fromBinary: Buffer.from(DIGICERT_GLOBAL_ROOT_G2_HEX, "hex"),
    });
    const byName = Object.fromEntries(rows(model, "sys.certificates").map((r) => [r.name, r]));
    expect(byName.MicrosoftPKI).toMatchObject({
      pvt_key_encryption_type: "NA",
      pvt_key_encryption_type_desc: "NO_PRIVATE_KEY",
      subject: "CN=Microsoft RSA Root Certificate Authority 2017, O=Microsoft Corporation, C=US",
      issuer_name: "CN=Microsoft RSA Root Certificate Authority 2017, O=Microsoft Corporation, C=US",
      key_length: 4096,
    });
    expect((byName.MicrosoftPKI.start_date as Date).toISOString()).toBe("2019-12-18T22:51:22.000Z");
    expect((byName.DigiCertPKI.expiry_date as Date).toISOString()).toBe("2038-01-15T12:00:00.000Z");
    expect(byName.DigiCertPKI.issuer_name).toBe(
      "CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US",
    );
    expect(
      model
        .certificateEncoded(byName.MicrosoftPKI.certificate_id as number)
        ?.toString("hex")
        .toUpperCase(),
    ).toBe(MICROSOFT_RSA_ROOT_2017_HEX);
  });

  it("shows the managed instance certificate with Microsoft Corporation in its issuer", () => {
    const model = createInstanceModel();
    const fqdn = "sqlmi1.0a1b2c3d4e5f.database.windows.net";
    model.createCertificate(execContext(), {
      name: fqdn,
      fromBinary: issueManagedInstanceCertificate(fqdn).der,
    });
    const found = rows(model, "sys.certificates").filter(
      (r) => String(r.issuer_name).includes("Microsoft Corporation") && r.name === fqdn,
    );
    expect(found).toHaveLength(1);
    expect(found[0].subject).toBe(fqdn);
  });

  it("refuses garbage binaries, duplicate names and the same public key under another name", () => {
    const model = createInstanceModel();
    const ctx = execContext();
    expect(
      sqlError(() =>
        model.createCertificate(ctx, { name: "x", fromBinary: Buffer.from("3082deadbeef", "hex") }),
      ).number,
    ).toBe(15468);
    const der = Buffer.from(DIGICERT_GLOBAL_ROOT_G2_HEX, "hex");
    model.createCertificate(ctx, { name: "DigiCertPKI", fromBinary: der });
    const dupName = sqlError(() =>
      model.createCertificate(ctx, {
        name: "DigiCertPKI",
        fromBinary: Buffer.from(MICROSOFT_RSA_ROOT_2017_HEX, "hex"),
      }),
    );
    expect(dupName.number).toBe(15232);
    expect(dupName.message).toBe(
      "A certificate with name 'DigiCertPKI' already exists or this certificate already has been added to the database.",
    );
    expect(sqlError(() => model.createCertificate(ctx, { name: "Other", fromBinary: der })).number).toBe(
      15232,
    );
  });
});

describe("DROP CERTIFICATE", () => {
  it("reports a missing certificate with 15151", () => {
    const e = sqlError(() => createInstanceModel().dropCertificate(execContext(), "nope"));
    expect(e.number).toBe(15151);
    expect(e.message).toContain("'nope'");
  });

  it("refuses a certificate the mirroring endpoint authenticates with", () => {
    const model = createInstanceModel();
    const ctx = execContext();
    model.createMasterKey(ctx, "pw");
    model.createCertificate(ctx, { name: "c", subject: "c" });
    model.createEndpoint(ctx, {
      name: "ep",
      port: 5022,
      authentication: { certificate: "c", certificateFirst: true },
    });
    expect(sqlError(() => model.dropCertificate(ctx, "c")).number).toBe(15352);
    model.dropEndpoint(ctx, "ep");
    model.dropCertificate(ctx, "c");
    expect(model.certificateId("c")).toBeNull();
  });
});

describe("sys.certificates shape", () => {
  it("has every documented column with its type", () => {
    const t = createInstanceModel().catalogTable("sys.certificates", execContext())!;
    expect(t.columns.map((c) => [c.name, c.type.kind])).toEqual([
      ["name", "nvarchar"],
      ["certificate_id", "int"],
      ["principal_id", "int"],
      ["pvt_key_encryption_type", "nvarchar"],
      ["pvt_key_encryption_type_desc", "nvarchar"],
      ["is_active_for_begin_dialog", "bit"],
      ["issuer_name", "nvarchar"],
      ["cert_serial_number", "nvarchar"],
      ["sid", "varbinary"],
      ["string_sid", "nvarchar"],
      ["subject", "nvarchar"],
      ["expiry_date", "datetime"],
      ["start_date", "datetime"],
      ["thumbprint", "varbinary"],
      ["attested_by", "nvarchar"],
      ["pvt_key_last_backup_date", "datetime"],
      ["key_length", "int"],
    ]);
  });

  it("is empty for a login without permission, and its DDL is refused", () => {
    const model = createInstanceModel({
      logins: [
        { name: "sa", password: "x" },
        { name: "app", password: "y" },
      ],
    });
    model.createMasterKey(execContext(), "pw");
    model.createCertificate(execContext(), { name: "c", subject: "c" });
    expect(rows(model, "sys.certificates", execContext("app"))).toEqual([]);
    expect(
      sqlError(() => model.createCertificate(execContext("app"), { name: "d", subject: "d" })).number,
    ).toBe(15247);
  });
});

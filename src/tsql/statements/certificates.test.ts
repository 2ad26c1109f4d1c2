import { describe, expect, it } from "vitest";
import { TsqlInputError } from "../quote";
import {
  buildAddIssuerSql,
  buildCreateCertificateFromBinarySql,
  buildCreateEndpointCertificateSql,
  buildDropCertificateSql,
  buildValidateCaChainSql,
  formatCertificateDate,
} from "./certificates";

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TsqlInputError);
    return (error as TsqlInputError).field;
  }
  return undefined;
}

describe("formatCertificateDate", () => {
  it("formats dates as YYYYMMDD from text or the UTC day of a Date", () => {
    expect(formatCertificateDate("2027-03-30")).toBe("20270330");
    expect(formatCertificateDate("20270330")).toBe("20270330");
    expect(formatCertificateDate(new Date(Date.UTC(2027, 0, 5, 23, 59)))).toBe("20270105");
  });

  it("refuses text that is not a calendar date", () => {
    for (const bad of ["03/30/2025", "2027-02-30", "2027-13-01", "2027-03-30'; DROP", "", "1700-01-01"]) {
      expect(
        fieldOf(() => formatCertificateDate(bad, "expiryDate")),
        bad,
      ).toBe("expiryDate");
    }
    expect(fieldOf(() => formatCertificateDate(new Date(NaN), "startDate"))).toBe("startDate");
  });
});

describe("buildCreateEndpointCertificateSql", () => {
  it("creates the endpoint certificate like the runbook, with unambiguous dates", () => {
    expect(
      buildCreateEndpointCertificateSql({
        name: "Cert_sqlserver1_endpoint",
        subject: "Certificate for Cert_sqlserver1_endpoint",
        expiryDate: "2027-03-30",
      }),
    ).toBe(
      "CREATE CERTIFICATE [Cert_sqlserver1_endpoint]\n" +
        "    WITH SUBJECT = N'Certificate for Cert_sqlserver1_endpoint',\n" +
        "    EXPIRY_DATE = '20270330';",
    );
  });

  it("adds START_DATE when given", () => {
    expect(
      buildCreateEndpointCertificateSql({
        name: "c",
        subject: "s",
        startDate: new Date(Date.UTC(2026, 10, 26)),
        expiryDate: "2027-11-26",
      }),
    ).toBe(
      "CREATE CERTIFICATE [c]\n    WITH SUBJECT = N's',\n    START_DATE = '20261126',\n    EXPIRY_DATE = '20271126';",
    );
  });

  it("quotes hostile subjects and names", () => {
    const sql = buildCreateEndpointCertificateSql({
      name: "c]; DROP DATABASE x--",
      subject: "'; DROP TABLE t; --",
      expiryDate: "2027-01-01",
    });
    expect(sql).toContain("CREATE CERTIFICATE [c]]; DROP DATABASE x--]");
    expect(sql).toContain("WITH SUBJECT = N'''; DROP TABLE t; --',");
  });

  it("refuses backslashes, long names, empty subjects and an expiry before the start", () => {
    const base = { name: "c", subject: "s", expiryDate: "2027-01-01" };
    expect(fieldOf(() => buildCreateEndpointCertificateSql({ ...base, name: "Cert_H\\I_endpoint" }))).toBe(
      "name",
    );
    expect(fieldOf(() => buildCreateEndpointCertificateSql({ ...base, name: "n".repeat(129) }))).toBe("name");
    expect(fieldOf(() => buildCreateEndpointCertificateSql({ ...base, subject: " " }))).toBe("subject");
    expect(fieldOf(() => buildCreateEndpointCertificateSql({ ...base, subject: "a\u0000" }))).toBe("subject");
    expect(fieldOf(() => buildCreateEndpointCertificateSql({ ...base, startDate: "2027-01-01" }))).toBe(
      "expiryDate",
    );
  });
});

describe("buildCreateCertificateFromBinarySql", () => {
  it("imports a public certificate named after the MI FQDN", () => {
    expect(buildCreateCertificateFromBinarySql("mi1.6d710bcf372b.database.windows.net", "3082033e30")).toBe(
      "CREATE CERTIFICATE [mi1.6d710bcf372b.database.windows.net]\nFROM BINARY = 0x3082033E30;",
    );
    expect(buildCreateCertificateFromBinarySql("MicrosoftPKI", Buffer.from([0x30, 0x82]))).toBe(
      "CREATE CERTIFICATE [MicrosoftPKI]\nFROM BINARY = 0x3082;",
    );
  });

  it("refuses non-hex blobs and backslashes", () => {
    expect(fieldOf(() => buildCreateCertificateFromBinarySql("c", "0x30; DROP TABLE t"))).toBe("blob");
    expect(fieldOf(() => buildCreateCertificateFromBinarySql("c", "'0x30'"))).toBe("blob");
    expect(fieldOf(() => buildCreateCertificateFromBinarySql("a\\b", "30"))).toBe("name");
  });
});

describe("buildDropCertificateSql", () => {
  it("drops by quoted name, including legacy names with a backslash", () => {
    expect(buildDropCertificateSql("mi1.x.database.windows.net")).toBe(
      "DROP CERTIFICATE [mi1.x.database.windows.net];",
    );
    expect(buildDropCertificateSql("Cert_H\\I_endpoint")).toBe("DROP CERTIFICATE [Cert_H\\I_endpoint];");
    expect(buildDropCertificateSql("x]; DROP DATABASE y--")).toBe(
      "DROP CERTIFICATE [x]]; DROP DATABASE y--];",
    );
  });
});

describe("buildAddIssuerSql", () => {
  it("looks the certificate id up with CERT_ID and passes it to sp_certificate_add_issuer", () => {
    expect(buildAddIssuerSql("MicrosoftPKI", "*.database.windows.net")).toBe(
      "DECLARE @certificate_id int;\n" +
        "SELECT @certificate_id = CERT_ID(N'MicrosoftPKI');\n" +
        "EXEC sp_certificate_add_issuer @certificate_id, N'*.database.windows.net';",
    );
  });

  it("quotes the certificate name as a string and refuses bad DNS patterns", () => {
    expect(buildAddIssuerSql("O'Neil CA", "*.contoso.com")).toContain("CERT_ID(N'O''Neil CA')");
    for (const bad of ["", "*.x'; DROP TABLE t; --", "a b.com", "x.*.com"]) {
      expect(
        fieldOf(() => buildAddIssuerSql("MicrosoftPKI", bad)),
        bad,
      ).toBe("dnsName");
    }
    expect(fieldOf(() => buildAddIssuerSql("a\\b", "*.database.windows.net"))).toBe("certName");
  });
});

describe("buildValidateCaChainSql", () => {
  it("validates the chain of the named certificate", () => {
    expect(buildValidateCaChainSql("mi1.x.database.windows.net")).toBe(
      "DECLARE @certificate_id int;\n" +
        "SELECT @certificate_id = CERT_ID(N'mi1.x.database.windows.net');\n" +
        "EXEC sp_validate_certificate_ca_chain @certificate_id;",
    );
  });
});

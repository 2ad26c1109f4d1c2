import { describe, expect, it } from "vitest";
import { chooseEndpointCertificateInUse } from "./endpoint-certificate-lookup";

const base = "Cert_SQL1_endpoint";
const certificate = (name: string, expiry: string | null) => ({
  name,
  expiryDate: expiry ? new Date(`${expiry}T00:00:00Z`) : null,
});
const CI = "SQL_Latin1_General_CP1_CI_AS";

describe("chooseEndpointCertificateInUse", () => {
  const all = [
    certificate(base, "2028-01-01"),
    certificate(`${base}_20300101`, "2030-01-01"),
    certificate("Cert_SQL2_endpoint", "2031-01-01"),
  ];

  it("prefers the generation the endpoint uses, then the first generation", () => {
    expect(chooseEndpointCertificateInUse(base, `${base}_20300101`, all, CI)?.name).toBe(`${base}_20300101`);
    expect(chooseEndpointCertificateInUse(base, null, all, CI)?.name).toBe(base);
    expect(chooseEndpointCertificateInUse(base, "Own", all, CI)?.name).toBe(base);
    expect(chooseEndpointCertificateInUse(base, "Cert_SQL2_endpoint", all, CI)?.name).toBe(base);
  });

  it("reports the expiry as ISO text and nothing when no candidate has one", () => {
    expect(chooseEndpointCertificateInUse(base, null, all, CI)?.expiryDate).toBe("2028-01-01T00:00:00.000Z");
    expect(chooseEndpointCertificateInUse(base, null, [certificate(base, null)], CI)).toBeNull();
    expect(chooseEndpointCertificateInUse(base, null, [], CI)).toBeNull();
  });

  it("compares names as the server's collation does", () => {
    const lower = [certificate(base.toLowerCase(), "2028-01-01")];
    expect(chooseEndpointCertificateInUse(base, null, lower, CI)?.name).toBe(base.toLowerCase());
    expect(chooseEndpointCertificateInUse(base, null, lower, "Latin1_General_100_CS_AS")).toBeNull();
    expect(chooseEndpointCertificateInUse(base, null, lower, "Latin1_General_BIN2")).toBeNull();
  });
});

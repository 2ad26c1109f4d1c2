import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MICROSOFT_PKI_ROOT, TsqlInputError } from "../../tsql";
import {
  calendarDay,
  isoOrNull,
  normalizeDerHex,
  parseDerCertificate,
  plainHex,
  thumbprintOf,
} from "./values";

describe("certificate values", () => {
  it("normalizes DER hex to 0x + upper case and computes the SHA-1 thumbprint", () => {
    const lower = MICROSOFT_PKI_ROOT.blob.slice(2).toLowerCase();
    expect(normalizeDerHex(lower)).toBe(MICROSOFT_PKI_ROOT.blob);
    const der = Buffer.from(lower, "hex");
    expect(thumbprintOf(lower)).toBe(createHash("sha1").update(der).digest("hex").toUpperCase());
    expect(plainHex("0xab12")).toBe("AB12");
    expect(plainHex(null)).toBe("");
  });

  it("parses X.509 and refuses anything else, naming the field", () => {
    expect(parseDerCertificate(MICROSOFT_PKI_ROOT.blob).subject).toMatch(
      /Microsoft RSA Root Certificate Authority 2017/,
    );
    for (const bad of ["0x", "0xZZ", "0xABC", "0x3082010A", "-----BEGIN CERTIFICATE-----"]) {
      const error = (() => {
        try {
          parseDerCertificate(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, bad).toBeInstanceOf(TsqlInputError);
      expect((error as TsqlInputError).field).toBe("publicKey");
    }
  });

  it("compares dates by their UTC calendar day", () => {
    expect(calendarDay("2027-03-30")).toBe("20270330");
    expect(calendarDay("20270330")).toBe("20270330");
    expect(calendarDay("2027-03-30T00:00:00.000Z")).toBe("20270330");
    expect(calendarDay(new Date(Date.UTC(2027, 2, 30, 23, 59)))).toBe("20270330");
    expect(calendarDay("2027-02-30")).toBeUndefined();
    expect(calendarDay("not a date")).toBeUndefined();
    expect(calendarDay(undefined)).toBeUndefined();
    expect(isoOrNull(null)).toBeNull();
    expect(isoOrNull(new Date(Date.UTC(2027, 2, 30)))).toBe("2027-03-30T00:00:00.000Z");
  });
});

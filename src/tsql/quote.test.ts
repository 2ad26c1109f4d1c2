import { describe, expect, it } from "vitest";
import {
  binaryLiteral,
  quoteIdentifier,
  quoteString,
  TsqlInputError,
  validateCertificateName,
  validateIdentifier,
  validatePort,
} from "./quote";

/** The error thrown by fn, asserted to be a TsqlInputError. */
function inputError(fn: () => unknown): TsqlInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TsqlInputError);
    return error as TsqlInputError;
  }
  throw new Error("expected a TsqlInputError, nothing was thrown");
}

/** True when text is one bracket-quoted identifier: inside the outer brackets, `]` only doubled. */
function isSingleBracketToken(text: string): boolean {
  return text.startsWith("[") && text.endsWith("]") && !text.slice(1, -1).replace(/]]/g, "").includes("]");
}

/** True when text is one N'...' literal: inside the outer quotes, `'` only doubled. */
function isSingleStringToken(text: string): boolean {
  return text.startsWith("N'") && text.endsWith("'") && !text.slice(2, -1).replace(/''/g, "").includes("'");
}

const hostile = ["a]; DROP DATABASE x--", "'; DROP TABLE t; --", "]]]", "[x]", "a'b\"c", "x]\n; GO\n--"];

describe("quoteIdentifier", () => {
  it("brackets a plain name", () => {
    expect(quoteIdentifier("SalesDb")).toBe("[SalesDb]");
  });

  it("doubles every closing bracket so the name stays one token", () => {
    expect(quoteIdentifier("a]; DROP DATABASE x--")).toBe("[a]]; DROP DATABASE x--]");
    for (const name of hostile) {
      const quoted = quoteIdentifier(name);
      expect(isSingleBracketToken(quoted), quoted).toBe(true);
      expect(quoted.slice(1, -1).replace(/]]/g, "]")).toBe(name);
    }
  });

  it("keeps names of exactly 128 characters and refuses 129", () => {
    expect(quoteIdentifier("x".repeat(128))).toBe(`[${"x".repeat(128)}]`);
    const error = inputError(() => quoteIdentifier("x".repeat(129), "database"));
    expect(error.field).toBe("database");
    expect(error.message).toContain("129");
    expect(error.fix).toMatch(/128/);
  });

  it("refuses empty names, NUL and non-strings, naming the field", () => {
    expect(inputError(() => quoteIdentifier("", "agName")).field).toBe("agName");
    expect(inputError(() => quoteIdentifier("a\u0000b", "agName")).message).toContain("NUL");
    expect(inputError(() => quoteIdentifier(undefined, "dagName")).field).toBe("dagName");
    expect(inputError(() => quoteIdentifier(42)).field).toBe("name");
  });

  it("validateIdentifier returns the raw name", () => {
    expect(validateIdentifier("a]b")).toBe("a]b");
  });
});

describe("quoteString", () => {
  it("produces an nvarchar literal with doubled quotes", () => {
    expect(quoteString("O'Brien")).toBe("N'O''Brien'");
    expect(quoteString("")).toBe("N''");
    expect(quoteString("'; DROP TABLE t; --")).toBe("N'''; DROP TABLE t; --'");
  });

  it("keeps every hostile value inside one literal", () => {
    for (const value of [...hostile, "''", "'", "\\'", "N'x'"]) {
      const quoted = quoteString(value);
      expect(isSingleStringToken(quoted), quoted).toBe(true);
      expect(quoted.slice(2, -1).replace(/''/g, "'")).toBe(value);
    }
  });

  it("keeps Unicode quote look-alikes verbatim: they cannot end an N'...' literal", () => {
    const lookAlikes = "\u2019\u02BC\uFF07\u2018\u201B\u2032\u0060\u00B4";
    const value = `x${lookAlikes}; DROP TABLE t; --`;
    expect(quoteString(value)).toBe(`N'${value}'`);
  });

  it("refuses NUL without echoing the value (it may be a secret)", () => {
    const error = inputError(() => quoteString("s3cret\u0000", "password"));
    expect(error.field).toBe("password");
    expect(error.message).not.toContain("s3cret");
  });

  it("refuses non-strings", () => {
    expect(inputError(() => quoteString(null, "subject")).message).toContain("null");
  });
});

describe("binaryLiteral", () => {
  it("accepts hex with or without 0x and normalises to upper case", () => {
    expect(binaryLiteral("0x3082abCD")).toBe("0x3082ABCD");
    expect(binaryLiteral("3082abcd")).toBe("0x3082ABCD");
    expect(binaryLiteral("0X00ff")).toBe("0x00FF");
  });

  it("accepts bytes", () => {
    expect(binaryLiteral(Buffer.from([0x30, 0x82, 0x0a]))).toBe("0x30820A");
    expect(binaryLiteral(new Uint8Array([1, 255]))).toBe("0x01FF");
  });

  it("refuses anything that is not whole hex bytes", () => {
    for (const bad of [
      "",
      "0x",
      "0x12 34",
      "0x12;DROP",
      "0xZZ",
      "12-34",
      " 0x12",
      "0x123",
      "0x0x12",
      "'0x12'",
    ]) {
      expect(inputError(() => binaryLiteral(bad, "publicBlob")).field, bad).toBe("publicBlob");
    }
    expect(inputError(() => binaryLiteral(new Uint8Array(0))).field).toBe("blob");
    expect(inputError(() => binaryLiteral(12)).field).toBe("blob");
  });
});

describe("validatePort", () => {
  it("accepts 1 to 65535", () => {
    expect(validatePort(1)).toBe(1);
    expect(validatePort(5022)).toBe(5022);
    expect(validatePort(65535)).toBe(65535);
  });

  it("refuses 0, 65536, fractions, NaN, infinities and strings", () => {
    for (const bad of [0, 65536, 1.5, NaN, Infinity, -1, "5022", undefined]) {
      expect(inputError(() => validatePort(bad, "endpointPort")).field, String(bad)).toBe("endpointPort");
    }
  });
});

describe("validateCertificateName", () => {
  it("accepts names without backslash", () => {
    expect(validateCertificateName("Cert_HOST_INSTANCE_endpoint")).toBe("Cert_HOST_INSTANCE_endpoint");
    expect(validateCertificateName("mi1.abc.database.windows.net")).toBe("mi1.abc.database.windows.net");
  });

  it("refuses backslash, over-long names and NUL", () => {
    const error = inputError(() => validateCertificateName("Cert_HOST\\INST_endpoint"));
    expect(error.field).toBe("certificateName");
    expect(error.fix).toContain("\\");
    expect(inputError(() => validateCertificateName("c".repeat(129))).field).toBe("certificateName");
    expect(inputError(() => validateCertificateName("a\u0000")).field).toBe("certificateName");
  });
});

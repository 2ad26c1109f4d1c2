import { describe, expect, it } from "vitest";
import type { SqlType, SqlValue } from "../types";
import { BufferReader } from "./buffer-reader";
import { BufferWriter } from "./buffer-writer";
import { readParamValue } from "./type-decoding";
import { bytesToGuid, guidToBytes, toUnscaled, writeTypeInfo, writeValue } from "./type-encoding";

/** Encodes TYPE_INFO + value as a row/parameter would carry them, then decodes them back. */
function roundTrip(type: SqlType, value: SqlValue) {
  const w = new BufferWriter();
  writeTypeInfo(w, type);
  writeValue(w, type, value);
  const r = new BufferReader(w.toBuffer());
  const decoded = readParamValue(r);
  expect(r.remaining).toBe(0);
  return decoded;
}

describe("type encoding", () => {
  it("GUIDs put their first three groups little-endian", () => {
    const bytes = guidToBytes("6F9619FF-8B86-D011-B42D-00C04FC964FF");
    expect(bytes.toString("hex")).toBe("ff19966f868b11d0b42d00c04fc964ff");
    expect(bytesToGuid(bytes)).toBe("6F9619FF-8B86-D011-B42D-00C04FC964FF");
  });

  it("scales decimal values exactly", () => {
    expect(toUnscaled("12.5", 2)).toBe(1250n);
    expect(toUnscaled("-0.07", 2)).toBe(-7n);
    expect(toUnscaled(98765432109876543210n, 0)).toBe(98765432109876543210n);
    expect(toUnscaled(3, 1)).toBe(30n);
    expect(() => toUnscaled("1e5", 0)).toThrow(/Invalid numeric/);
  });

  it.each<[SqlType, SqlValue, SqlValue]>([
    [{ kind: "tinyint" }, 200, 200],
    [{ kind: "smallint" }, -2, -2],
    [{ kind: "int" }, 2147483647, 2147483647],
    [{ kind: "bigint" }, -9223372036854775808n, "-9223372036854775808"],
    [{ kind: "bigint" }, "42", 42],
    [{ kind: "bit" }, false, false],
    [{ kind: "nvarchar", length: 10 }, "ab€", "ab€"],
    [{ kind: "nvarchar", length: "max" }, "z".repeat(20_000), "z".repeat(20_000)],
    [{ kind: "nvarchar", length: "max" }, "", ""],
    [{ kind: "varbinary", length: 4 }, Buffer.from([1, 2]), Buffer.from([1, 2])],
    [{ kind: "varbinary", length: "max" }, Buffer.alloc(17_000, 9), Buffer.alloc(17_000, 9)],
    [{ kind: "datetime" }, new Date("1999-12-31T23:59:59.997Z"), new Date("1999-12-31T23:59:59.997Z")],
    [{ kind: "datetime" }, new Date("1850-06-01T00:00:00.000Z"), new Date("1850-06-01T00:00:00.000Z")],
    [
      { kind: "uniqueidentifier" },
      "0e984725-c51c-4bf4-9960-e1c80e27aba0",
      "0E984725-C51C-4BF4-9960-E1C80E27ABA0",
    ],
    [{ kind: "numeric", precision: 25, scale: 0 }, "37000000012345600001", "37000000012345600001"],
    [{ kind: "numeric", precision: 38, scale: 4 }, "-1234.5", "-1234.5000"],
    [{ kind: "numeric", precision: 5, scale: 0 }, 99999, "99999"],
    [{ kind: "sql_variant" }, "Enterprise Edition", "Enterprise Edition"],
    [{ kind: "sql_variant" }, 16, 16],
    [{ kind: "sql_variant" }, 5000000000n, 5000000000],
    [{ kind: "sql_variant" }, true, true],
  ])("%j value %s survives encoding", (type, value, expected) => {
    expect(roundTrip(type, value).value).toEqual(expected);
  });

  it.each<SqlType>([
    { kind: "int" },
    { kind: "bit" },
    { kind: "nvarchar", length: 5 },
    { kind: "nvarchar", length: "max" },
    { kind: "varbinary", length: "max" },
    { kind: "datetime" },
    { kind: "uniqueidentifier" },
    { kind: "numeric", precision: 25, scale: 0 },
    { kind: "sql_variant" },
  ])("NULL of %j", (type) => {
    expect(roundTrip(type, null)).toEqual({ type, value: null });
  });

  it("refuses a numeric value wider than its precision's storage", () => {
    expect(() => roundTrip({ kind: "numeric", precision: 5, scale: 0 }, "99999999999")).toThrow(
      /does not fit/,
    );
  });
});

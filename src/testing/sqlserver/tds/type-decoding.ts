import type { SqlType, SqlValue } from "../types";
import { BufferReader } from "./buffer-reader";
import { PLP_MARKER, PLP_NULL, TypeId } from "./protocol";
import { bytesToGuid } from "./type-encoding";

/**
 * Decodes an RPC parameter's TYPE_INFO and value (MS-TDS 2.2.5.4-2.2.5.5).
 * Types outside the contract's SqlType map onto the nearest one: char and
 * varchar become nvarchar, date/time types datetime, float/money numeric.
 */
export interface DecodedValue {
  type: SqlType;
  value: SqlValue;
}

type Reading = "fixed" | "byteLen" | "ushortLen" | "plp" | "longLen";

interface TypeInfo {
  id: number;
  reading: Reading;
  /** Fixed width, or max length from TYPE_INFO. */
  length: number;
  precision: number;
  scale: number;
  /** 8-bit character data (VARCHAR/CHAR/TEXT). */
  singleByte: boolean;
}

const FIXED: Record<number, number> = {
  [TypeId.Null]: 0,
  [TypeId.Int1]: 1,
  [TypeId.Bit]: 1,
  [TypeId.Int2]: 2,
  [TypeId.Int4]: 4,
  [TypeId.DateTim4]: 4,
  [TypeId.Flt4]: 4,
  [TypeId.Money]: 8,
  [TypeId.DateTime]: 8,
  [TypeId.Flt8]: 8,
  [TypeId.Money4]: 4,
  [TypeId.Int8]: 8,
};

function readTypeInfo(r: BufferReader): TypeInfo {
  const id = r.u8();
  const info: TypeInfo = { id, reading: "byteLen", length: 0, precision: 0, scale: 0, singleByte: false };
  if (id in FIXED) return { ...info, reading: "fixed", length: FIXED[id] };
  switch (id) {
    case TypeId.Guid:
    case TypeId.IntN:
    case TypeId.BitN:
    case TypeId.FltN:
    case TypeId.MoneyN:
    case TypeId.DateTimN:
      return { ...info, length: r.u8() };
    case TypeId.DecimalN:
    case TypeId.NumericN:
      return { ...info, length: r.u8(), precision: r.u8(), scale: r.u8() };
    case TypeId.Date:
      return info;
    case TypeId.Time:
    case TypeId.DateTime2:
    case TypeId.DateTimeOffset:
      return { ...info, scale: r.u8() };
    case TypeId.BigVarBinary:
    case TypeId.BigBinary:
    case TypeId.BigVarChar:
    case TypeId.BigChar:
    case TypeId.NVarChar:
    case TypeId.NChar: {
      const length = r.u16le();
      const hasCollation = id !== TypeId.BigVarBinary && id !== TypeId.BigBinary;
      if (hasCollation) r.bytes(5);
      const singleByte = id === TypeId.BigVarChar || id === TypeId.BigChar;
      return { ...info, reading: length === PLP_MARKER ? "plp" : "ushortLen", length, singleByte };
    }
    case TypeId.Text:
    case TypeId.NText:
    case TypeId.Image: {
      const length = r.u32le();
      if (id !== TypeId.Image) r.bytes(5);
      return { ...info, reading: "longLen", length, singleByte: id === TypeId.Text };
    }
    case TypeId.Variant:
      return { ...info, reading: "longLen", length: r.u32le() };
    default:
      throw new Error(`Unsupported parameter type 0x${id.toString(16)}`);
  }
}

/** Reads the value bytes; null for SQL NULL. */
function readRaw(r: BufferReader, info: TypeInfo): Buffer | null {
  switch (info.reading) {
    case "fixed":
      return info.id === TypeId.Null ? null : r.bytes(info.length);
    case "byteLen": {
      const length = r.u8();
      return length === 0 ? null : r.bytes(length);
    }
    case "ushortLen": {
      const length = r.u16le();
      return length === 0xffff ? null : r.bytes(length);
    }
    case "longLen": {
      const length = r.u32le();
      if (info.id === TypeId.Variant) return length === 0 ? null : r.bytes(length);
      // TEXT/NTEXT/IMAGE parameters: textptr length 0 means NULL (MS-TDS 2.2.5.2.3).
      return length === 0xffffffff ? null : r.bytes(length);
    }
    case "plp": {
      const total = r.u64le();
      if (total === PLP_NULL) return null;
      const chunks: Buffer[] = [];
      for (let chunk = r.u32le(); chunk !== 0; chunk = r.u32le()) chunks.push(r.bytes(chunk));
      return Buffer.concat(chunks);
    }
  }
}

export function readParamValue(r: BufferReader): DecodedValue {
  const info = readTypeInfo(r);
  const raw = readRaw(r, info);
  return { type: sqlTypeOf(info), value: raw === null ? null : convert(info, raw) };
}

function sqlTypeOf(info: TypeInfo): SqlType {
  switch (info.id) {
    case TypeId.Int1:
      return { kind: "tinyint" };
    case TypeId.Int2:
      return { kind: "smallint" };
    case TypeId.Int4:
      return { kind: "int" };
    case TypeId.Int8:
      return { kind: "bigint" };
    case TypeId.IntN:
      return { kind: ({ 1: "tinyint", 2: "smallint", 4: "int", 8: "bigint" } as const)[info.length as 1] };
    case TypeId.Bit:
    case TypeId.BitN:
      return { kind: "bit" };
    case TypeId.Guid:
      return { kind: "uniqueidentifier" };
    case TypeId.DecimalN:
    case TypeId.NumericN:
      return { kind: "numeric", precision: info.precision, scale: info.scale };
    case TypeId.Money:
    case TypeId.Money4:
    case TypeId.MoneyN:
      return { kind: "numeric", precision: 19, scale: 4 };
    case TypeId.Flt4:
    case TypeId.Flt8:
    case TypeId.FltN:
      return { kind: "numeric", precision: 53, scale: 0 };
    case TypeId.DateTim4:
    case TypeId.DateTime:
    case TypeId.DateTimN:
    case TypeId.Date:
    case TypeId.Time:
    case TypeId.DateTime2:
    case TypeId.DateTimeOffset:
      return { kind: "datetime" };
    case TypeId.BigVarBinary:
    case TypeId.BigBinary:
    case TypeId.Image:
      return { kind: "varbinary", length: info.reading === "ushortLen" ? info.length : "max" };
    case TypeId.Variant:
      return { kind: "sql_variant" };
    case TypeId.Null:
      return { kind: "nvarchar", length: 1 };
    default: {
      const chars = info.singleByte ? info.length : info.length / 2;
      return { kind: "nvarchar", length: info.reading === "ushortLen" ? chars : "max" };
    }
  }
}

const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1900, 0, 1);
const EPOCH_0001 = Date.UTC(2000, 0, 1) - 730119 * DAY_MS;

function convert(info: TypeInfo, raw: Buffer): SqlValue {
  switch (info.id) {
    case TypeId.Int1:
    case TypeId.Int2:
    case TypeId.Int4:
    case TypeId.Int8:
    case TypeId.IntN:
      return readInteger(raw);
    case TypeId.Bit:
    case TypeId.BitN:
      return raw[0] !== 0;
    case TypeId.Guid:
      return bytesToGuid(raw);
    case TypeId.DecimalN:
    case TypeId.NumericN:
      return readDecimal(raw, info.scale);
    case TypeId.Money:
    case TypeId.Money4:
    case TypeId.MoneyN:
      return formatScaled(readMoney(raw), 4);
    case TypeId.Flt4:
    case TypeId.Flt8:
    case TypeId.FltN:
      return raw.length === 4 ? raw.readFloatLE(0) : raw.readDoubleLE(0);
    case TypeId.DateTime:
    case TypeId.DateTim4:
    case TypeId.DateTimN:
      return raw.length === 4
        ? new Date(EPOCH_1900 + raw.readUInt16LE(0) * DAY_MS + raw.readUInt16LE(2) * 60_000)
        : new Date(EPOCH_1900 + raw.readInt32LE(0) * DAY_MS + Math.round((raw.readUInt32LE(4) * 1000) / 300));
    case TypeId.Date:
      return new Date(EPOCH_0001 + raw.readUIntLE(0, 3) * DAY_MS);
    case TypeId.Time:
    case TypeId.DateTime2:
    case TypeId.DateTimeOffset:
      return readTimeFamily(info, raw);
    case TypeId.BigVarBinary:
    case TypeId.BigBinary:
    case TypeId.Image:
      return Buffer.from(raw);
    case TypeId.Variant:
      return readVariant(raw);
    default:
      return info.singleByte ? raw.toString("latin1") : raw.toString("utf16le");
  }
}

function readInteger(raw: Buffer): number | string {
  switch (raw.length) {
    case 1:
      return raw.readUInt8(0);
    case 2:
      return raw.readInt16LE(0);
    case 4:
      return raw.readInt32LE(0);
    default: {
      const n = raw.readBigInt64LE(0);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(n)
        : n.toString();
    }
  }
}

/** Sign byte (1 = positive) then the unscaled magnitude little-endian; returned as decimal text. */
function readDecimal(raw: Buffer, scale: number): string {
  let magnitude = 0n;
  for (let i = raw.length - 1; i >= 1; i--) magnitude = (magnitude << 8n) | BigInt(raw[i]);
  return formatScaled(raw[0] === 1 ? magnitude : -magnitude, scale);
}

function readMoney(raw: Buffer): bigint {
  if (raw.length === 4) return BigInt(raw.readInt32LE(0));
  return (BigInt(raw.readInt32LE(0)) << 32n) | BigInt(raw.readUInt32LE(4));
}

function formatScaled(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** TIME/DATETIME2/DATETIMEOFFSET: time in 10^-scale s, then 3-byte days since 0001-01-01, then offset. */
function readTimeFamily(info: TypeInfo, raw: Buffer): Date {
  const timeBytes = info.scale <= 2 ? 3 : info.scale <= 4 ? 4 : 5;
  const units = raw.readUIntLE(0, timeBytes);
  const ms = (units * 1000) / 10 ** info.scale;
  if (info.id === TypeId.Time) return new Date(Date.UTC(1970, 0, 1) + ms);
  const days = raw.readUIntLE(timeBytes, 3);
  // DATETIMEOFFSET's time is UTC already; its offset only says how to display it.
  return new Date(EPOCH_0001 + days * DAY_MS + ms);
}

function readVariant(raw: Buffer): SqlValue {
  const r = new BufferReader(raw);
  const id = r.u8();
  const propBytes = r.u8();
  const props = r.bytes(propBytes);
  const data = r.rest();
  const info: TypeInfo = {
    id,
    reading: "fixed",
    length: data.length,
    precision: props[0] ?? 0,
    scale: id === TypeId.DecimalN || id === TypeId.NumericN ? props[1] : (props[0] ?? 0),
    singleByte: id === TypeId.BigVarChar || id === TypeId.BigChar,
  };
  return convert(info, data);
}

import type { SqlType, SqlValue } from "../types";
import { BufferWriter } from "./buffer-writer";
import { DEFAULT_COLLATION, PLP_MARKER, PLP_NULL, TypeId } from "./protocol";

/** How each SqlType travels: TYPE_INFO in COLMETADATA and the value in a ROW. */

const INT_WIDTH = { tinyint: 1, smallint: 2, int: 4, bigint: 8 } as const;
const PLP_CHUNK = 8000;
const MS_PER_DAY = 86_400_000;
const EPOCH_1900 = Date.UTC(1900, 0, 1);
const VARIANT_MAX_LENGTH = 8016;

export function writeTypeInfo(w: BufferWriter, type: SqlType): void {
  switch (type.kind) {
    case "tinyint":
    case "smallint":
    case "int":
    case "bigint":
      w.u8(TypeId.IntN).u8(INT_WIDTH[type.kind]);
      return;
    case "bit":
      w.u8(TypeId.BitN).u8(1);
      return;
    case "nvarchar":
      w.u8(TypeId.NVarChar).u16le(type.length === "max" ? PLP_MARKER : Math.min(type.length * 2, 8000));
      w.bytes(DEFAULT_COLLATION);
      return;
    case "varbinary":
      w.u8(TypeId.BigVarBinary).u16le(type.length === "max" ? PLP_MARKER : Math.min(type.length, 8000));
      return;
    case "datetime":
      w.u8(TypeId.DateTimN).u8(8);
      return;
    case "uniqueidentifier":
      w.u8(TypeId.Guid).u8(16);
      return;
    case "numeric":
      w.u8(TypeId.NumericN).u8(numericByteLength(type.precision)).u8(type.precision).u8(type.scale);
      return;
    case "sql_variant":
      w.u8(TypeId.Variant).u32le(VARIANT_MAX_LENGTH);
      return;
  }
}

export function writeValue(w: BufferWriter, type: SqlType, value: SqlValue): void {
  switch (type.kind) {
    case "tinyint":
    case "smallint":
    case "int":
    case "bigint":
      if (value === null) w.u8(0);
      else writeInteger(w.u8(INT_WIDTH[type.kind]), INT_WIDTH[type.kind], value);
      return;
    case "bit":
      if (value === null) w.u8(0);
      else w.u8(1).u8(toBoolean(value) ? 1 : 0);
      return;
    case "nvarchar": {
      const bytes = value === null ? null : Buffer.from(String(value), "utf16le");
      writeVarLength(w, type.length === "max", bytes);
      return;
    }
    case "varbinary": {
      const bytes = value === null ? null : toBinary(value);
      writeVarLength(w, type.length === "max", bytes);
      return;
    }
    case "datetime":
      if (value === null) w.u8(0);
      else writeDateTime(w.u8(8), toDate(value));
      return;
    case "uniqueidentifier":
      if (value === null) w.u8(0);
      else w.u8(16).bytes(guidToBytes(String(value)));
      return;
    case "numeric":
      if (value === null) w.u8(0);
      else writeNumeric(w, type.precision, type.scale, value);
      return;
    case "sql_variant":
      writeVariant(w, value);
      return;
  }
}

function writeVarLength(w: BufferWriter, max: boolean, bytes: Buffer | null): void {
  if (!max) {
    if (bytes === null) w.u16le(0xffff);
    else w.u16le(bytes.length).bytes(bytes);
    return;
  }
  if (bytes === null) {
    w.u64le(PLP_NULL);
    return;
  }
  w.u64le(bytes.length);
  for (let at = 0; at < bytes.length; at += PLP_CHUNK) {
    const chunk = bytes.subarray(at, at + PLP_CHUNK);
    w.u32le(chunk.length).bytes(chunk);
  }
  w.u32le(0);
}

function writeInteger(w: BufferWriter, width: 1 | 2 | 4 | 8, value: SqlValue): void {
  const n = toBigInt(value);
  const buffer = Buffer.alloc(width);
  if (width === 1) buffer.writeUInt8(Number(n));
  else if (width === 2) buffer.writeInt16LE(Number(n));
  else if (width === 4) buffer.writeInt32LE(Number(n));
  else buffer.writeBigInt64LE(n);
  w.bytes(buffer);
}

/** DATETIME: days since 1900-01-01, then 1/300-second ticks since midnight (UTC, as tedious reads it). */
export function writeDateTime(w: BufferWriter, date: Date): void {
  const ms = date.getTime() - EPOCH_1900;
  const days = Math.floor(ms / MS_PER_DAY);
  const msOfDay = ms - days * MS_PER_DAY;
  w.i32le(days).u32le(Math.round((msOfDay * 300) / 1000));
}

/** GUID bytes: the first three groups are little-endian, the rest as written. */
export function guidToBytes(guid: string): Buffer {
  const hex = guid.replace(/[{}-]/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`Invalid uniqueidentifier '${guid}'`);
  const raw = Buffer.from(hex, "hex");
  return Buffer.concat([
    Buffer.from(raw.subarray(0, 4)).reverse(),
    Buffer.from(raw.subarray(4, 6)).reverse(),
    Buffer.from(raw.subarray(6, 8)).reverse(),
    raw.subarray(8),
  ]);
}

export function bytesToGuid(bytes: Buffer): string {
  const hex = Buffer.concat([
    Buffer.from(bytes.subarray(0, 4)).reverse(),
    Buffer.from(bytes.subarray(4, 6)).reverse(),
    Buffer.from(bytes.subarray(6, 8)).reverse(),
    bytes.subarray(8, 16),
  ])
    .toString("hex")
    .toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function numericByteLength(precision: number): number {
  if (precision <= 9) return 5;
  if (precision <= 19) return 9;
  if (precision <= 28) return 13;
  return 17;
}

/** NUMERIC value: length, sign (1 = positive), then the unscaled magnitude little-endian. */
function writeNumeric(w: BufferWriter, precision: number, scale: number, value: SqlValue): void {
  const unscaled = toUnscaled(value, scale);
  const negative = unscaled < 0n;
  let magnitude = negative ? -unscaled : unscaled;
  const length = numericByteLength(precision);
  const body = Buffer.alloc(length - 1);
  for (let i = 0; i < body.length; i++) {
    body[i] = Number(magnitude & 0xffn);
    magnitude >>= 8n;
  }
  if (magnitude !== 0n) throw new Error(`Value ${String(value)} does not fit numeric(${precision},${scale})`);
  w.u8(length)
    .u8(negative ? 0 : 1)
    .bytes(body);
}

/** Decimal text or number scaled to an integer: "12.5" at scale 2 → 1250n. */
export function toUnscaled(value: SqlValue, scale: number): bigint {
  if (typeof value === "bigint") return value * 10n ** BigInt(scale);
  const text = typeof value === "number" ? numberToPlain(value) : String(value).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new Error(`Invalid numeric value '${text}'`);
  const [, sign, whole, fraction = ""] = match;
  const digits = (whole || "0") + fraction.padEnd(scale, "0").slice(0, scale);
  const unscaled = BigInt(digits);
  return sign === "-" ? -unscaled : unscaled;
}

function numberToPlain(value: number): string {
  if (Number.isInteger(value)) return BigInt(value).toString();
  return value.toFixed(20).replace(/0+$/, "");
}

/** sql_variant: total length, base type, property bytes, data. The base type follows the JS value. */
function writeVariant(w: BufferWriter, value: SqlValue): void {
  if (value === null) {
    w.u32le(0);
    return;
  }
  const inner = new BufferWriter(32);
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf16le");
    inner.u8(TypeId.NVarChar).u8(7).u16le(Math.max(bytes.length, 2)).bytes(DEFAULT_COLLATION).bytes(bytes);
  } else if (typeof value === "boolean") {
    inner
      .u8(TypeId.Bit)
      .u8(0)
      .u8(value ? 1 : 0);
  } else if (typeof value === "number" && !Number.isInteger(value)) {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleLE(value);
    inner.u8(TypeId.Flt8).u8(0).bytes(bytes);
  } else if (typeof value === "number" || typeof value === "bigint") {
    const n = BigInt(value);
    if (n >= -2147483648n && n <= 2147483647n) inner.u8(TypeId.Int4).u8(0).i32le(Number(n));
    else inner.u8(TypeId.Int8).u8(0).i64le(n);
  } else if (Buffer.isBuffer(value)) {
    inner.u8(TypeId.BigVarBinary).u8(2).u16le(Math.max(value.length, 1)).bytes(value);
  } else {
    inner.u8(TypeId.DateTime).u8(0);
    writeDateTime(inner, value);
  }
  const body = inner.toBuffer();
  w.u32le(body.length).bytes(body);
}

function toBigInt(value: SqlValue): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "boolean") return value ? 1n : 0n;
  if (typeof value === "number") return BigInt(Math.trunc(value));
  if (typeof value === "string") return BigInt(value.trim());
  throw new Error(`Not an integer: ${String(value)}`);
}

function toBoolean(value: SqlValue): boolean {
  if (typeof value === "string") return value !== "0" && value.toLowerCase() !== "false";
  return Boolean(value);
}

function toBinary(value: SqlValue): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === "string") return Buffer.from(value.replace(/^0x/i, ""), "hex");
  throw new Error(`Not binary: ${String(value)}`);
}

function toDate(value: SqlValue): Date {
  if (value instanceof Date) return value;
  if (typeof value === "string" || typeof value === "number") return new Date(value);
  throw new Error(`Not a datetime: ${String(value)}`);
}

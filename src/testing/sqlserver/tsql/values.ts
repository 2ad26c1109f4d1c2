/** SQL value semantics: conversion between types, comparison under a case-insensitive collation, text form. */
import { SqlError, type SqlType, type SqlValue } from "../types";

export function typeName(type: SqlType): string {
  switch (type.kind) {
    case "nvarchar":
    case "varbinary":
      return `${type.kind}(${type.length})`;
    case "numeric":
      return `numeric(${type.precision},${type.scale})`;
    default:
      return type.kind;
  }
}

/** The SQL type name of a runtime value, for conversion error messages. */
function valueTypeName(value: SqlValue): string {
  if (typeof value === "string") return "nvarchar";
  if (typeof value === "boolean") return "bit";
  if (typeof value === "bigint") return "bigint";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "numeric";
  if (Buffer.isBuffer(value)) return "varbinary";
  if (value instanceof Date) return "datetime";
  return "NULL";
}

/** A type for a runtime value when nothing static is known. */
export function typeOfValue(value: SqlValue): SqlType {
  if (typeof value === "string")
    return { kind: "nvarchar", length: value.length > 4000 ? "max" : Math.max(value.length, 1) };
  if (typeof value === "boolean") return { kind: "bit" };
  if (typeof value === "bigint") return { kind: "bigint" };
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return { kind: "numeric", precision: 38, scale: 10 };
    return Math.abs(value) <= 2147483647 ? { kind: "int" } : { kind: "bigint" };
  }
  if (Buffer.isBuffer(value)) return { kind: "varbinary", length: "max" };
  if (value instanceof Date) return { kind: "datetime" };
  return { kind: "int" };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Date to text with a CONVERT style (0/100 default, 101, 112, 120/121, 126/127). Times are UTC. */
export function formatDate(date: Date, style = 0): string {
  const y = date.getUTCFullYear();
  const mo = date.getUTCMonth() + 1;
  const d = date.getUTCDate();
  const h = date.getUTCHours();
  const mi = date.getUTCMinutes();
  const s = date.getUTCSeconds();
  const ms = date.getUTCMilliseconds();
  switch (style) {
    case 101:
      return `${pad(mo)}/${pad(d)}/${y}`;
    case 112:
      return `${y}${pad(mo)}${pad(d)}`;
    case 120:
      return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
    case 121:
      return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}`;
    case 126:
    case 127:
      return `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}`;
    default: {
      const hour12 = h % 12 === 0 ? 12 : h % 12;
      return `${MONTHS[mo - 1]} ${String(d).padStart(2, " ")} ${y} ${String(hour12).padStart(2, " ")}:${pad(mi)}${h < 12 ? "AM" : "PM"}`;
    }
  }
}

/** The text form of a value, as CAST(x AS nvarchar) gives it. */
export function toText(value: Exclude<SqlValue, null>, style = 0): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return formatDate(value, style);
  // Binary to character: style 1 gives '0x...' hex; the default reinterprets the bytes.
  if (style === 1) return "0x" + value.toString("hex").toUpperCase();
  if (style === 2) return value.toString("hex").toUpperCase();
  return value.toString("utf16le");
}

export function parseDate(text: string): Date {
  const trimmed = text.trim();
  let match = /^(\d{4})(\d{2})(\d{2})$/.exec(trimmed);
  if (match) return new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
  match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(trimmed);
  if (match) {
    return new Date(
      Date.UTC(+match[3], +match[1] - 1, +match[2], +(match[4] ?? 0), +(match[5] ?? 0), +(match[6] ?? 0)),
    );
  }
  match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?Z?$/.exec(trimmed);
  if (match) {
    const ms = match[7] ? Math.round(Number("0." + match[7]) * 1000) : 0;
    return new Date(
      Date.UTC(+match[1], +match[2] - 1, +match[3], +(match[4] ?? 0), +(match[5] ?? 0), +(match[6] ?? 0), ms),
    );
  }
  const parsed = Date.parse(trimmed + (/[zZ]|[+-]\d\d:?\d\d$/.test(trimmed) ? "" : " UTC"));
  if (!Number.isNaN(parsed)) return new Date(parsed);
  throw new SqlError(241, "Conversion failed when converting date and/or time from character string.");
}

const INT_RANGES: Record<string, [number, number]> = {
  tinyint: [0, 255],
  smallint: [-32768, 32767],
  int: [-2147483648, 2147483647],
};

function toInteger(value: Exclude<SqlValue, null>, type: SqlType): number | bigint {
  let result: number | bigint;
  if (typeof value === "boolean") result = value ? 1 : 0;
  else if (typeof value === "number") result = Math.trunc(value);
  else if (typeof value === "bigint") result = value;
  else if (typeof value === "string") {
    const text = value.trim();
    if (!/^[-+]?\d+$/.test(text)) {
      throw new SqlError(
        245,
        `Conversion failed when converting the nvarchar value '${value}' to data type ${type.kind}.`,
      );
    }
    result = BigInt(text);
  } else if (Buffer.isBuffer(value)) result = value.length === 0 ? 0 : BigInt("0x" + value.toString("hex"));
  else throw new SqlError(529, `Explicit conversion from data type datetime to ${type.kind} is not allowed.`);
  const range = INT_RANGES[type.kind];
  const big = BigInt(result);
  if (range && (big < BigInt(range[0]) || big > BigInt(range[1]))) {
    throw new SqlError(8115, `Arithmetic overflow error converting expression to data type ${type.kind}.`);
  }
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** CAST/CONVERT/assignment to a declared type. `style` is CONVERT's third argument. */
export function convertValue(value: SqlValue, type: SqlType, style = 0): SqlValue {
  if (value === null) return null;
  switch (type.kind) {
    case "tinyint":
    case "smallint":
    case "int":
    case "bigint":
      return toInteger(value, type);
    case "bit":
      if (typeof value === "string") {
        const text = value.trim().toUpperCase();
        if (text === "TRUE") return true;
        if (text === "FALSE") return false;
      }
      return toInteger(value, { kind: "bigint" }) !== 0;
    case "nvarchar": {
      const text = toText(value, style);
      return type.length === "max" ? text : text.slice(0, type.length);
    }
    case "varbinary": {
      let bytes: Buffer;
      if (Buffer.isBuffer(value)) bytes = value;
      else if (typeof value === "string" && style === 1 && /^0x[0-9a-f]*$/i.test(value))
        bytes = Buffer.from(value.slice(2), "hex");
      else if (typeof value === "string") bytes = Buffer.from(value, "utf16le");
      else if (typeof value === "number" || typeof value === "boolean") {
        bytes = Buffer.alloc(4);
        bytes.writeInt32BE(Number(value));
      } else throw conversionError(value, type);
      return type.length === "max" ? bytes : bytes.subarray(0, type.length);
    }
    case "datetime":
      if (value instanceof Date) return value;
      if (typeof value === "string") return parseDate(value);
      throw conversionError(value, type);
    case "uniqueidentifier": {
      const text = Buffer.isBuffer(value)
        ? guidFromBytes(value)
        : typeof value === "string"
          ? value.trim()
          : "";
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) {
        throw new SqlError(
          8169,
          "Conversion failed when converting from a character string to uniqueidentifier.",
        );
      }
      return text.toUpperCase();
    }
    case "numeric": {
      if (typeof value === "number" || typeof value === "bigint") return value;
      if (typeof value === "boolean") return value ? 1 : 0;
      if (typeof value === "string" && /^\s*[-+]?\d+(\.\d*)?\s*$/.test(value)) {
        const n = Number(value);
        return Number.isSafeInteger(n) || !Number.isInteger(n) ? n : value.trim();
      }
      throw conversionError(value, type);
    }
    case "sql_variant":
      return value;
  }
}

function conversionError(value: SqlValue, type: SqlType): SqlError {
  return new SqlError(
    529,
    `Explicit conversion from data type ${valueTypeName(value)} to ${type.kind} is not allowed.`,
  );
}

function guidFromBytes(bytes: Buffer): string {
  if (bytes.length !== 16) return "";
  const le = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).reverse().toString("hex");
  const hex = bytes.toString("hex");
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const isNumeric = (v: SqlValue): v is number | bigint | boolean =>
  typeof v === "number" || typeof v === "bigint" || typeof v === "boolean";

/** A number for arithmetic and comparison; strings convert as SQL Server's implicit conversion does. */
export function toNumber(value: Exclude<SqlValue, null>): number | bigint {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" || typeof value === "bigint") return value;
  if (typeof value === "string") {
    const text = value.trim();
    if (/^[-+]?\d+$/.test(text)) {
      const big = BigInt(text);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(big)
        : big;
    }
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
    throw new SqlError(
      245,
      `Conversion failed when converting the nvarchar value '${value}' to data type int.`,
    );
  }
  if (value instanceof Date) return value.getTime();
  return toInteger(value, { kind: "bigint" });
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === "bigint" || typeof b === "bigint") {
    const [x, y] = [toBig(a), toBig(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const toBig = (n: number | bigint) => (typeof n === "bigint" ? n : BigInt(Math.trunc(n)));

/** `text` without its trailing spaces (only U+0020, as SQL Server pads), without a regex per call. */
function withoutTrailingSpaces(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Compares two values; null when either is NULL (UNKNOWN). Strings compare case-insensitively, trailing spaces ignored. */
export function compareValues(a: SqlValue, b: SqlValue): number | null {
  if (a === null || b === null) return null;
  if (typeof a === "string" && typeof b === "string") {
    if (a === b) return 0;
    const x = withoutTrailingSpaces(a).toUpperCase();
    const y = withoutTrailingSpaces(b).toUpperCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (isNumeric(a) || isNumeric(b)) return compareNumbers(toNumber(a), toNumber(b));
  if (a instanceof Date || b instanceof Date) {
    const x = a instanceof Date ? a : (convertValue(a, { kind: "datetime" }) as Date);
    const y = b instanceof Date ? b : (convertValue(b, { kind: "datetime" }) as Date);
    return Math.sign(x.getTime() - y.getTime());
  }
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b);
  return compareValues(toText(a), toText(b));
}

/** LIKE with % and _ and [set] wildcards, case-insensitive. */
export function like(value: string, pattern: string): boolean {
  let regex = "";
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k];
    if (c === "%") regex += "[\\s\\S]*";
    else if (c === "_") regex += "[\\s\\S]";
    else if (c === "[") {
      const close = pattern.indexOf("]", k + 1);
      if (close < 0) {
        regex += "\\[";
        continue;
      }
      let set = pattern.slice(k + 1, close);
      if (set.startsWith("^")) set = "^" + set.slice(1).replace(/[\\\]]/g, "\\$&");
      else set = set.replace(/[\\\]^]/g, "\\$&");
      regex += `[${set}]`;
      k = close;
    } else regex += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return (
    new RegExp(`^${regex}$`, "i").test(value.replace(/ +$/, "")) || new RegExp(`^${regex}$`, "i").test(value)
  );
}

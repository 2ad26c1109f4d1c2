/** Declared data types (DECLARE, CAST, CONVERT, sp_executesql parameter lists) mapped to wire types. */
import { SqlError, type SqlType } from "../types";
import type { TypeRef } from "./ast";
import type { TokenStream } from "./token-stream";

const STRING_TYPES = new Set(["NVARCHAR", "VARCHAR", "NCHAR", "CHAR", "NTEXT", "TEXT", "XML"]);
const NON_UNICODE_TYPES = new Set(["VARCHAR", "CHAR", "TEXT"]);
const BINARY_TYPES = new Set(["VARBINARY", "BINARY", "IMAGE", "TIMESTAMP", "ROWVERSION"]);
const DATE_TYPES = new Set(["DATETIME", "DATETIME2", "SMALLDATETIME", "DATE", "DATETIMEOFFSET", "TIME"]);
const FIXED: Record<string, SqlType> = {
  TINYINT: { kind: "tinyint" },
  SMALLINT: { kind: "smallint" },
  INT: { kind: "int" },
  INTEGER: { kind: "int" },
  BIGINT: { kind: "bigint" },
  BIT: { kind: "bit" },
  SYSNAME: { kind: "nvarchar", length: 128 },
  UNIQUEIDENTIFIER: { kind: "uniqueidentifier" },
  SQL_VARIANT: { kind: "sql_variant" },
  FLOAT: { kind: "numeric", precision: 38, scale: 10 },
  REAL: { kind: "numeric", precision: 38, scale: 10 },
  MONEY: { kind: "numeric", precision: 19, scale: 4 },
};

/** type-name [ ( n | MAX [, s] ) ] */
/** `defaultLength`: 1 in DECLARE, 30 in CAST/CONVERT, as SQL Server does. */
export function parseTypeRef(ts: TokenStream, defaultLength = 1): TypeRef {
  const token = ts.peek();
  if (token.kind !== "word" && token.kind !== "quoted") throw ts.unexpected();
  ts.next();
  const name = token.kind === "quoted" ? token.value.toUpperCase() : token.value;
  let length: number | "max" | undefined;
  let scale: number | undefined;
  if (ts.acceptSymbol("(")) {
    if (ts.acceptWord("MAX")) length = "max";
    else length = ts.integerLiteral();
    if (ts.acceptSymbol(",")) scale = ts.integerLiteral();
    ts.expectSymbol(")");
  }
  const type = resolveType(name, length, scale, defaultLength);
  if (!type)
    throw new SqlError(2715, `Column, parameter, or variable #1: Cannot find data type ${token.text}.`, 16);
  return { name: token.text, type, nonUnicode: NON_UNICODE_TYPES.has(name) || undefined };
}

function resolveType(
  name: string,
  length: number | "max" | undefined,
  scale: number | undefined,
  defaultLength: number,
): SqlType | undefined {
  if (STRING_TYPES.has(name)) {
    const unbounded = name === "NTEXT" || name === "TEXT" || name === "XML";
    return { kind: "nvarchar", length: length ?? (unbounded ? "max" : defaultLength) };
  }
  if (BINARY_TYPES.has(name))
    return { kind: "varbinary", length: length ?? (name === "IMAGE" ? "max" : defaultLength) };
  if (DATE_TYPES.has(name)) return { kind: "datetime" };
  if (name === "NUMERIC" || name === "DECIMAL") {
    const precision = typeof length === "number" ? length : 18;
    return { kind: "numeric", precision, scale: scale ?? 0 };
  }
  return FIXED[name];
}

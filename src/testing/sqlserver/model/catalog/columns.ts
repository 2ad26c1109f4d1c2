/**
 * Column types of the catalog views, and a builder that turns named rows into
 * the positional rows of a CatalogTable (missing cells are NULL).
 */
import type { ColumnDef, SqlType, SqlValue } from "../../types";
import type { CatalogTable } from "../contract";

export const T = {
  tinyint: { kind: "tinyint" } as SqlType,
  smallint: { kind: "smallint" } as SqlType,
  int: { kind: "int" } as SqlType,
  bigint: { kind: "bigint" } as SqlType,
  bit: { kind: "bit" } as SqlType,
  datetime: { kind: "datetime" } as SqlType,
  guid: { kind: "uniqueidentifier" } as SqlType,
  /** sysname is nvarchar(128). */
  sysname: { kind: "nvarchar", length: 128 } as SqlType,
  nvarchar: (length: number | "max"): SqlType => ({ kind: "nvarchar", length }),
  /** char(n) travels as nvarchar(n). */
  char: (length: number): SqlType => ({ kind: "nvarchar", length }),
  varbinary: (length: number | "max"): SqlType => ({ kind: "varbinary", length }),
  numeric: (precision: number, scale: number): SqlType => ({ kind: "numeric", precision, scale }),
  lsn: { kind: "numeric", precision: 25, scale: 0 } as SqlType,
};

export type ColumnSpec = [name: string, type: SqlType, nullable?: boolean];
export type Row = Record<string, SqlValue | undefined>;

export function table(spec: ColumnSpec[], rows: Row[]): CatalogTable {
  const columns: ColumnDef[] = spec.map(([name, type, nullable]) => ({
    name,
    type,
    nullable: nullable ?? true,
  }));
  return { columns, rows: rows.map((r) => spec.map(([name]) => r[name] ?? null)) };
}

export const date = (ms: number | undefined): Date | null => (ms === undefined ? null : new Date(ms));
export const bit = (b: boolean): boolean => b;

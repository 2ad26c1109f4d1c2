/**
 * Normalising what the driver returns: tedious gives bigint as a string, bit as boolean, binary
 * as Buffer, datetime as Date; emulators and older servers may differ slightly.
 */

export type Row = Record<string, unknown>;

export function text(row: Row, column: string): string {
  const value = row[column];
  if (value === null || value === undefined) {
    throw new Error(`Unexpected NULL in catalog column '${column}'.`);
  }
  return String(value);
}

export function optionalText(row: Row, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : String(value);
}

export function optionalNumber(row: Row, column: string): number | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  const parsed = Number(value);
  if (Number.isNaN(parsed)) throw new Error(`Catalog column '${column}' is not a number: ${String(value)}`);
  return parsed;
}

export function number(row: Row, column: string): number {
  const value = optionalNumber(row, column);
  if (value === null) throw new Error(`Unexpected NULL in catalog column '${column}'.`);
  return value;
}

export function flag(row: Row, column: string): boolean {
  const value = row[column];
  if (value === null || value === undefined) return false;
  if (typeof value === "boolean") return value;
  return Number(value) !== 0;
}

export function optionalDate(row: Row, column: string): Date | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(String(value));
}

/** A numeric(25,0) LSN as its decimal text (no digit lost). */
export function optionalLsn(row: Row, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value.trim() : String(value);
}

/** Binary as `0x` + upper-case hex (the form T-SQL and the Azure API take). */
export function optionalHex(row: Row, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `0x${value.toString("hex").toUpperCase()}`;
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString("hex").toUpperCase()}`;
  const raw = String(value).replace(/^0x/i, "");
  return `0x${raw.toUpperCase()}`;
}

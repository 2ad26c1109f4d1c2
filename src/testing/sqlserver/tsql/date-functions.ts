/** DATEADD, DATEDIFF and DATEPART (the date part is passed as its upper-cased keyword). */
import { SqlError, type SqlType, type SqlValue } from "../types";
import type { ScalarFunction } from "./functions";
import { convertValue, toNumber, toText } from "./values";

const INT: SqlType = { kind: "int" };
const DATETIME: SqlType = { kind: "datetime" };
const text = (value: SqlValue): string | null => (value === null ? null : toText(value));

/** Date parts in milliseconds for the fixed-length units (month and year are calendar-based). */
const DATE_PART_MS: Record<string, number> = {
  MILLISECOND: 1,
  MS: 1,
  SECOND: 1000,
  SS: 1000,
  S: 1000,
  MINUTE: 60_000,
  MI: 60_000,
  N: 60_000,
  HOUR: 3_600_000,
  HH: 3_600_000,
  DAY: 86_400_000,
  DD: 86_400_000,
  D: 86_400_000,
  WEEK: 604_800_000,
  WK: 604_800_000,
  WW: 604_800_000,
};
const MONTH_PARTS: Record<string, number> = {
  MONTH: 1,
  MM: 1,
  M: 1,
  QUARTER: 3,
  QQ: 3,
  Q: 3,
  YEAR: 12,
  YY: 12,
  YYYY: 12,
};

function datePart(part: SqlValue): string {
  const name = text(part)!.toUpperCase();
  if (!(name in DATE_PART_MS) && !(name in MONTH_PARTS)) {
    throw new SqlError(155, `'${text(part)}' is not a recognized datediff option.`, 15);
  }
  return name;
}

const toDate = (value: SqlValue): Date => convertValue(value, DATETIME) as Date;

function addToDate(part: string, amount: number, date: Date): Date {
  if (part in DATE_PART_MS) return new Date(date.getTime() + amount * DATE_PART_MS[part]);
  // Month arithmetic keeps the day, clamped to the target month's length (Jan 31 + 1 month = Feb 28).
  const months = date.getUTCFullYear() * 12 + date.getUTCMonth() + amount * MONTH_PARTS[part];
  const year = Math.floor(months / 12);
  const month = months - year * 12;
  const day = Math.min(date.getUTCDate(), new Date(Date.UTC(year, month + 1, 0)).getUTCDate());
  const result = new Date(date.getTime());
  result.setUTCFullYear(year, month, day);
  return result;
}

/** DATEDIFF counts boundaries crossed, as SQL Server does. */
function dateDiff(part: string, start: Date, end: Date): number {
  if (part in MONTH_PARTS) {
    const months =
      (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth();
    const unit = MONTH_PARTS[part];
    if (unit === 1) return months;
    const index = (d: Date) => Math.floor((d.getUTCFullYear() * 12 + d.getUTCMonth()) / unit);
    return index(end) - index(start);
  }
  const unit = DATE_PART_MS[part];
  return Math.floor(end.getTime() / unit) - Math.floor(start.getTime() / unit);
}

export const DATE_FUNCTIONS: Record<string, ScalarFunction> = {
  DATEADD: {
    minArgs: 3,
    maxArgs: 3,
    returns: () => DATETIME,
    call: ([part, amount, date]) =>
      amount === null || date === null
        ? null
        : addToDate(datePart(part), Number(toNumber(amount)), toDate(date)),
  },
  DATEDIFF: {
    minArgs: 3,
    maxArgs: 3,
    returns: () => INT,
    call: ([part, start, end]) =>
      start === null || end === null ? null : dateDiff(datePart(part), toDate(start), toDate(end)),
  },
  DATEPART: {
    minArgs: 2,
    maxArgs: 2,
    returns: () => INT,
    call: ([part, date]) => {
      if (date === null) return null;
      const d = toDate(date);
      const name = datePart(part);
      if (name in MONTH_PARTS) {
        const unit = MONTH_PARTS[name];
        return unit === 12
          ? d.getUTCFullYear()
          : unit === 3
            ? Math.floor(d.getUTCMonth() / 3) + 1
            : d.getUTCMonth() + 1;
      }
      const fields: Record<number, number> = {
        1: d.getUTCMilliseconds(),
        1000: d.getUTCSeconds(),
        60_000: d.getUTCMinutes(),
        3_600_000: d.getUTCHours(),
        86_400_000: d.getUTCDate(),
      };
      const value = fields[DATE_PART_MS[name]];
      if (value === undefined)
        throw new SqlError(155, `'${text(part)}' is not a recognized datepart option.`, 15);
      return value;
    },
  },
};

/** Built-in scalar functions: arity, result type, and evaluation on already-evaluated arguments. */
import { SqlError, type SqlType, type SqlValue } from "../types";
import { DATE_FUNCTIONS } from "./date-functions";
import type { Runtime } from "./runtime";
import { toNumber, toText } from "./values";

export interface ScalarFunction {
  minArgs: number;
  maxArgs: number;
  returns: (argTypes: Array<SqlType | undefined>) => SqlType | undefined;
  call: (args: SqlValue[], rt: Runtime) => SqlValue;
}

const nvarchar = (length: number | "max"): SqlType => ({ kind: "nvarchar", length });
const INT: SqlType = { kind: "int" };
const DATETIME: SqlType = { kind: "datetime" };

const text = (value: SqlValue): string | null => (value === null ? null : toText(value));
const stringFunction = (
  fn: (s: string, args: SqlValue[]) => SqlValue,
  minArgs = 1,
  maxArgs = minArgs,
): ScalarFunction => ({
  minArgs,
  maxArgs,
  returns: (types) => (types[0]?.kind === "nvarchar" ? types[0] : nvarchar(4000)),
  call: (args) => {
    if (args.some((a) => a === null)) return null;
    return fn(text(args[0])!, args);
  },
});

function quoteName(value: string, quote: string): string | null {
  if (value.length > 128) return null;
  switch (quote) {
    case "[":
    case "]":
      return "[" + value.replace(/]/g, "]]") + "]";
    case "'":
      return "'" + value.replace(/'/g, "''") + "'";
    case '"':
      return '"' + value.replace(/"/g, '""') + '"';
    case "(":
    case ")":
      return "(" + value + ")";
    case "<":
    case ">":
      return "<" + value + ">";
    case "{":
    case "}":
      return "{" + value + "}";
    case "`":
      return "`" + value + "`";
    default:
      return null;
  }
}

const handledError = (rt: Runtime) => rt.handling.at(-1);

export const SCALAR_FUNCTIONS: Record<string, ScalarFunction> = {
  ...DATE_FUNCTIONS,
  IIF: {
    minArgs: 3,
    maxArgs: 3,
    returns: (types) => types[1] ?? types[2],
    call: ([condition, whenTrue, whenFalse]) => (condition === true ? whenTrue : whenFalse),
  },
  ERROR_NUMBER: {
    minArgs: 0,
    maxArgs: 0,
    returns: () => INT,
    call: (_a, rt) => handledError(rt)?.error.number ?? null,
  },
  ERROR_MESSAGE: {
    minArgs: 0,
    maxArgs: 0,
    returns: () => nvarchar(4000),
    call: (_a, rt) => handledError(rt)?.error.message ?? null,
  },
  ERROR_SEVERITY: {
    minArgs: 0,
    maxArgs: 0,
    returns: () => INT,
    call: (_a, rt) => handledError(rt)?.error.severity ?? null,
  },
  ERROR_STATE: {
    minArgs: 0,
    maxArgs: 0,
    returns: () => INT,
    call: (_a, rt) => handledError(rt)?.error.state ?? null,
  },
  ERROR_LINE: {
    minArgs: 0,
    maxArgs: 0,
    returns: () => INT,
    call: (_a, rt) => handledError(rt)?.line ?? null,
  },
  CHAR: {
    minArgs: 1,
    maxArgs: 1,
    returns: () => nvarchar(1),
    call: ([code]) => {
      if (code === null) return null;
      const n = Number(toNumber(code));
      return n < 0 || n > 255 ? null : String.fromCharCode(n);
    },
  },
  NCHAR: {
    minArgs: 1,
    maxArgs: 1,
    returns: () => nvarchar(1),
    call: ([code]) => (code === null ? null : String.fromCharCode(Number(toNumber(code)))),
  },
  CERT_ID: {
    minArgs: 1,
    maxArgs: 1,
    returns: () => INT,
    call: ([name], rt) => (name === null ? null : rt.model.certificateId(text(name)!)),
  },
  CERTENCODED: {
    minArgs: 1,
    maxArgs: 1,
    returns: () => ({ kind: "varbinary", length: "max" }),
    call: ([id], rt) => (id === null ? null : rt.model.certificateEncoded(Number(toNumber(id)))),
  },
  QUOTENAME: {
    minArgs: 1,
    maxArgs: 2,
    returns: () => nvarchar(258),
    call: ([value, quote]) => {
      if (value === null) return null;
      const q = quote === undefined ? "[" : quote === null ? null : text(quote)!.slice(0, 1);
      return q === null ? null : quoteName(text(value)!, q);
    },
  },
  SERVERPROPERTY: {
    minArgs: 1,
    maxArgs: 1,
    returns: () => ({ kind: "sql_variant" }),
    call: ([name], rt) => (name === null ? null : rt.model.serverProperty(text(name)!)),
  },
  DB_ID: {
    minArgs: 0,
    maxArgs: 1,
    returns: () => ({ kind: "smallint" }),
    call: (args, rt) => {
      const name = args.length === 0 ? rt.session.database : text(args[0]);
      return name === null ? null : rt.model.databaseId(name);
    },
  },
  DB_NAME: {
    minArgs: 0,
    maxArgs: 1,
    returns: () => nvarchar(128),
    call: (args, rt) => {
      if (args.length === 0) return rt.session.database;
      return args[0] === null ? null : rt.model.databaseName(Number(toNumber(args[0])));
    },
  },
  ISNULL: {
    minArgs: 2,
    maxArgs: 2,
    returns: (types) => types[0] ?? types[1],
    call: ([value, replacement]) => (value === null ? replacement : value),
  },
  COALESCE: {
    minArgs: 2,
    maxArgs: 64,
    returns: (types) => types.find((t) => t !== undefined),
    call: (args) => args.find((a) => a !== null) ?? null,
  },
  NULLIF: {
    minArgs: 2,
    maxArgs: 2,
    returns: (types) => types[0],
    call: ([a, b]) => (a !== null && b !== null && text(a) === text(b) ? null : a),
  },
  LEN: {
    minArgs: 1,
    maxArgs: 1,
    returns: () => INT,
    call: ([value]) => (value === null ? null : text(value)!.replace(/ +$/, "").length),
  },
  DATALENGTH: {
    minArgs: 1,
    maxArgs: 1,
    returns: () => INT,
    call: ([value]) =>
      value === null
        ? null
        : Buffer.isBuffer(value)
          ? value.length
          : typeof value === "string"
            ? value.length * 2
            : 4,
  },
  UPPER: stringFunction((s) => s.toUpperCase()),
  LOWER: stringFunction((s) => s.toLowerCase()),
  LTRIM: stringFunction((s) => s.replace(/^ +/, "")),
  RTRIM: stringFunction((s) => s.replace(/ +$/, "")),
  TRIM: stringFunction((s) => s.trim()),
  REPLACE: stringFunction((s, args) => {
    const find = text(args[1])!;
    if (find === "") return s;
    const escaped = find.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return s.replace(new RegExp(escaped, "gi"), () => text(args[2])!);
  }, 3),
  SUBSTRING: stringFunction((s, args) => {
    const start = Number(toNumber(args[1]!));
    const length = Number(toNumber(args[2]!));
    if (length < 0)
      throw new SqlError(537, "Invalid length parameter passed to the LEFT or SUBSTRING function.");
    const from = Math.max(start, 1);
    return s.slice(from - 1, Math.max(start + length - 1, 0));
  }, 3),
  LEFT: stringFunction((s, args) => s.slice(0, Math.max(0, Number(toNumber(args[1]!)))), 2),
  RIGHT: stringFunction((s, args) => {
    const n = Math.max(0, Number(toNumber(args[1]!)));
    return n === 0 ? "" : s.slice(-n);
  }, 2),
  CHARINDEX: {
    minArgs: 2,
    maxArgs: 3,
    returns: () => INT,
    call: (args) => {
      if (args[0] === null || args[1] === null) return null;
      const start =
        args[2] === undefined || args[2] === null ? 0 : Math.max(Number(toNumber(args[2])) - 1, 0);
      return text(args[1])!.toLowerCase().indexOf(text(args[0])!.toLowerCase(), start) + 1;
    },
  },
  CONCAT: {
    minArgs: 2,
    maxArgs: 254,
    returns: () => nvarchar("max"),
    call: (args) => args.map((a) => (a === null ? "" : text(a))).join(""),
  },
  GETDATE: { minArgs: 0, maxArgs: 0, returns: () => DATETIME, call: () => new Date() },
  GETUTCDATE: { minArgs: 0, maxArgs: 0, returns: () => DATETIME, call: () => new Date() },
  SYSDATETIME: { minArgs: 0, maxArgs: 0, returns: () => DATETIME, call: () => new Date() },
  SYSUTCDATETIME: { minArgs: 0, maxArgs: 0, returns: () => DATETIME, call: () => new Date() },
  NEWID: {
    minArgs: 0,
    maxArgs: 0,
    returns: () => ({ kind: "uniqueidentifier" }),
    call: () => crypto.randomUUID().toUpperCase(),
  },
  SUSER_SNAME: {
    minArgs: 0,
    maxArgs: 1,
    returns: () => nvarchar(128),
    call: (_args, rt) => rt.session.login,
  },
  SUSER_NAME: { minArgs: 0, maxArgs: 1, returns: () => nvarchar(128), call: (_args, rt) => rt.session.login },
  ORIGINAL_LOGIN: {
    minArgs: 0,
    maxArgs: 0,
    returns: () => nvarchar(128),
    call: (_args, rt) => rt.session.login,
  },
  USER_NAME: {
    minArgs: 0,
    maxArgs: 1,
    returns: () => nvarchar(128),
    call: (_args, rt) => (rt.model.isSysadmin(rt.session.login) ? "dbo" : rt.session.login),
  },
  IS_SRVROLEMEMBER: {
    minArgs: 1,
    maxArgs: 2,
    returns: () => INT,
    call: ([role, login], rt) => {
      if (role === null) return null;
      if (text(role)!.toLowerCase() !== "sysadmin") return 0;
      return rt.model.isSysadmin(login === undefined || login === null ? rt.session.login : text(login)!)
        ? 1
        : 0;
    },
  },
  ABS: {
    minArgs: 1,
    maxArgs: 1,
    returns: (types) => types[0],
    call: ([value]) => {
      if (value === null) return null;
      const n = toNumber(value);
      return typeof n === "bigint" ? (n < 0n ? -n : n) : Math.abs(n);
    },
  },
};

export const AGGREGATE_FUNCTIONS = new Set(["COUNT", "COUNT_BIG", "MAX", "MIN", "SUM", "AVG"]);

/** Splits a T-SQL batch into tokens (comments and whitespace dropped). */
import { SqlError } from "../types";
import type { Token } from "./tokens";

const SYMBOLS = [
  "<>",
  "!=",
  "<=",
  ">=",
  "!<",
  "!>",
  "::",
  "(",
  ")",
  ",",
  ".",
  ";",
  "=",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "~",
  "&",
  "|",
  "^",
];

const isIdentStart = (c: string) => /[\p{L}_#]/u.test(c);
const isIdentPart = (c: string) => /[\p{L}\p{N}_#@$]/u.test(c);
const isDigit = (c: string) => c >= "0" && c <= "9";

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;

  const countLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (sql[k] === "\n") line++;
  };
  const push = (
    kind: Token["kind"],
    start: number,
    end: number,
    value: string,
    extra: Partial<Token> = {},
  ) => {
    tokens.push({ kind, text: sql.slice(start, end), value, pos: start, line, ...extra });
    countLines(start, end);
    i = end;
  };

  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1] ?? "";
    if (c === "\n") {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "-" && next === "-") {
      while (i < sql.length && sql[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = skipBlockComment(sql, i);
      countLines(i, end);
      i = end;
      continue;
    }
    if (c === "[") {
      const { end, value } = readDelimited(sql, i, "]");
      if (end < 0) throw unclosedQuote(sql.slice(i + 1));
      push("quoted", i, end, value);
      continue;
    }
    if (c === '"') {
      const { end, value } = readDelimited(sql, i, '"');
      if (end < 0) throw unclosedQuote(sql.slice(i + 1));
      push("quoted", i, end, value);
      continue;
    }
    if (c === "'" || ((c === "N" || c === "n") && next === "'")) {
      const quoteAt = c === "'" ? i : i + 1;
      const { end, value } = readDelimited(sql, quoteAt, "'");
      if (end < 0) throw unclosedQuote(sql.slice(quoteAt + 1));
      push("string", i, end, value, { unicode: c !== "'" });
      continue;
    }
    if (c === "0" && (next === "x" || next === "X")) {
      let end = i + 2;
      while (end < sql.length && /[0-9A-Fa-f]/.test(sql[end])) end++;
      let hex = sql.slice(i + 2, end);
      if (hex.length % 2 === 1) hex = "0" + hex;
      push("binary", i, end, sql.slice(i, end), { binary: Buffer.from(hex, "hex") });
      continue;
    }
    if (isDigit(c) || (c === "." && isDigit(next))) {
      let end = i;
      while (end < sql.length && isDigit(sql[end])) end++;
      if (sql[end] === ".") {
        end++;
        while (end < sql.length && isDigit(sql[end])) end++;
      }
      if ((sql[end] === "e" || sql[end] === "E") && /[-+\d]/.test(sql[end + 1] ?? "")) {
        end += 2;
        while (end < sql.length && isDigit(sql[end])) end++;
      }
      push("number", i, end, sql.slice(i, end));
      continue;
    }
    if (c === "@") {
      const global = next === "@";
      let end = i + (global ? 2 : 1);
      while (end < sql.length && isIdentPart(sql[end])) end++;
      const name = sql.slice(i + (global ? 2 : 1), end);
      if (name.length === 0) throw syntaxNear(c);
      push(global ? "globalVariable" : "variable", i, end, global ? name.toUpperCase() : name);
      continue;
    }
    if (isIdentStart(c)) {
      let end = i + 1;
      while (end < sql.length && isIdentPart(sql[end])) end++;
      push("word", i, end, sql.slice(i, end).toUpperCase());
      continue;
    }
    const symbol = SYMBOLS.find((s) => sql.startsWith(s, i));
    if (!symbol) throw syntaxNear(c);
    push("symbol", i, i + symbol.length, symbol);
  }
  tokens.push({ kind: "eof", text: "", value: "", pos: sql.length, line });
  return tokens;
}

/** Reads a quoted run starting at `start` (the opening quote); a doubled closing quote is literal. */
function readDelimited(sql: string, start: number, close: string): { end: number; value: string } {
  let value = "";
  let k = start + 1;
  while (k < sql.length) {
    if (sql[k] === close) {
      if (sql[k + 1] === close) {
        value += close;
        k += 2;
        continue;
      }
      return { end: k + 1, value };
    }
    value += sql[k];
    k++;
  }
  return { end: -1, value };
}

/** Block comments nest in T-SQL. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let k = start;
  while (k < sql.length) {
    if (sql.startsWith("/*", k)) {
      depth++;
      k += 2;
    } else if (sql.startsWith("*/", k)) {
      depth--;
      k += 2;
      if (depth === 0) return k;
    } else k++;
  }
  throw new SqlError(113, "Missing end comment mark '*/'.", 15);
}

function unclosedQuote(rest: string): SqlError {
  return new SqlError(105, `Unclosed quotation mark after the character string '${rest}'.`, 15);
}

export function syntaxNear(text: string): SqlError {
  return new SqlError(102, `Incorrect syntax near '${text}'.`, 15);
}

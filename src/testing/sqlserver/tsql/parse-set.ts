/** SET @variable = expr, and the session SET options drivers send after login. */
import type { Statement } from "./ast";
import { parseExpression } from "./parse-expression";
import type { TokenStream } from "./token-stream";

/** SET <option> ON | OFF (comma lists allowed, as in SET ANSI_NULLS, QUOTED_IDENTIFIER ON). */
export const ON_OFF_OPTIONS = new Set([
  "ANSI_DEFAULTS",
  "ANSI_NULLS",
  "ANSI_NULL_DFLT_ON",
  "ANSI_NULL_DFLT_OFF",
  "ANSI_PADDING",
  "ANSI_WARNINGS",
  "ARITHABORT",
  "ARITHIGNORE",
  "CONCAT_NULL_YIELDS_NULL",
  "CURSOR_CLOSE_ON_COMMIT",
  "FMTONLY",
  "IMPLICIT_TRANSACTIONS",
  "NOCOUNT",
  "NUMERIC_ROUNDABORT",
  "QUOTED_IDENTIFIER",
  "XACT_ABORT",
]);

const ISOLATION_LEVELS = [
  ["READ", "UNCOMMITTED"],
  ["READ", "COMMITTED"],
  ["REPEATABLE", "READ"],
  ["SNAPSHOT"],
  ["SERIALIZABLE"],
];

export function parseSet(ts: TokenStream, line: number): Statement {
  ts.expectWord("SET");
  const token = ts.peek();
  if (token.kind === "variable") {
    ts.next();
    ts.expectSymbol("=");
    return { kind: "setVariable", name: token.value, value: parseExpression(ts), line };
  }
  if (token.kind !== "word") throw ts.unexpected();
  if (ts.acceptWord("TRANSACTION", "ISOLATION", "LEVEL")) {
    const level = ISOLATION_LEVELS.find((words) => ts.acceptWord(...words));
    if (!level) throw ts.unexpected();
    return { kind: "setOption", option: "TRANSACTION ISOLATION LEVEL", value: level.join(" "), line };
  }
  switch (token.value) {
    case "TEXTSIZE":
    case "DATEFIRST":
    case "LOCK_TIMEOUT":
    case "ROWCOUNT": {
      ts.next();
      const negative = ts.acceptSymbol("-");
      const value = ts.integerLiteral();
      return { kind: "setOption", option: token.value, value: String(negative ? -value : value), line };
    }
    case "LANGUAGE":
    case "DATEFORMAT":
    case "DEADLOCK_PRIORITY": {
      ts.next();
      const value = ts.peek();
      if (value.kind !== "word" && value.kind !== "string" && value.kind !== "quoted") throw ts.unexpected();
      ts.next();
      return {
        kind: "setOption",
        option: token.value,
        value: value.kind === "word" ? value.text : value.value,
        line,
      };
    }
  }
  const options: string[] = [];
  do {
    const option = ts.peek();
    if (option.kind !== "word" || !ON_OFF_OPTIONS.has(option.value)) throw ts.unexpected(option);
    ts.next();
    options.push(option.value);
  } while (ts.acceptSymbol(","));
  const value = ts.expectChoice(["ON", "OFF"]);
  return { kind: "setOption", option: options.join(","), value, line };
}

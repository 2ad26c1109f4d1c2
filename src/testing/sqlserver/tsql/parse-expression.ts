/** Expressions and predicates, by precedence: OR < AND < NOT < predicate < + - < * / % < unary. */
import type { BinaryOp, Expr } from "./ast";
import { toCodePage1252 } from "./code-page";
import { parseSelect } from "./parse-select";
import type { TokenStream } from "./token-stream";
import { isReserved } from "./tokens";
import { parseTypeRef } from "./type-names";

export function parseExpression(ts: TokenStream): Expr {
  let left = parseAnd(ts);
  while (ts.acceptWord("OR")) left = { kind: "binary", op: "OR", left, right: parseAnd(ts) };
  return left;
}

function parseAnd(ts: TokenStream): Expr {
  let left = parseNot(ts);
  while (ts.acceptWord("AND")) left = { kind: "binary", op: "AND", left, right: parseNot(ts) };
  return left;
}

function parseNot(ts: TokenStream): Expr {
  if (ts.acceptWord("NOT")) return { kind: "not", operand: parseNot(ts) };
  return parsePredicate(ts);
}

const COMPARISONS: Record<string, BinaryOp> = {
  "=": "=",
  "<>": "<>",
  "!=": "<>",
  "<": "<",
  ">": ">",
  "<=": "<=",
  ">=": ">=",
  "!<": ">=",
  "!>": "<=",
};

function parsePredicate(ts: TokenStream): Expr {
  if (ts.acceptWord("EXISTS")) {
    ts.expectSymbol("(");
    const query = parseSelect(ts);
    ts.expectSymbol(")");
    return { kind: "exists", query };
  }
  const operand = parseAdditive(ts);
  const token = ts.peek();
  if (token.kind === "symbol" && COMPARISONS[token.value]) {
    ts.next();
    return { kind: "binary", op: COMPARISONS[token.value], left: operand, right: parseAdditive(ts) };
  }
  if (ts.acceptWord("IS")) {
    const negated = ts.acceptWord("NOT");
    ts.expectWord("NULL");
    return { kind: "isNull", operand, negated };
  }
  const negated = ts.acceptWord("NOT");
  if (ts.acceptWord("LIKE")) return { kind: "like", operand, pattern: parseAdditive(ts), negated };
  if (ts.acceptWord("IN")) {
    ts.expectSymbol("(");
    if (ts.isWord("SELECT")) {
      const query = parseSelect(ts);
      ts.expectSymbol(")");
      return { kind: "in", operand, list: [{ kind: "subquery", query }], negated, subquery: true };
    }
    const list = [parseExpression(ts)];
    while (ts.acceptSymbol(",")) list.push(parseExpression(ts));
    ts.expectSymbol(")");
    return { kind: "in", operand, list, negated };
  }
  if (ts.acceptWord("BETWEEN")) {
    const low = parseAdditive(ts);
    ts.expectWord("AND");
    return { kind: "between", operand, low, high: parseAdditive(ts), negated };
  }
  if (negated) throw ts.unexpected();
  return operand;
}

function parseAdditive(ts: TokenStream): Expr {
  let left = parseMultiplicative(ts);
  for (;;) {
    if (ts.acceptSymbol("+")) left = { kind: "binary", op: "+", left, right: parseMultiplicative(ts) };
    else if (ts.acceptSymbol("-")) left = { kind: "binary", op: "-", left, right: parseMultiplicative(ts) };
    else return left;
  }
}

function parseMultiplicative(ts: TokenStream): Expr {
  let left = parseUnary(ts);
  for (;;) {
    const token = ts.peek();
    if (token.kind === "symbol" && (token.value === "*" || token.value === "/" || token.value === "%")) {
      ts.next();
      left = { kind: "binary", op: token.value, left, right: parseUnary(ts) };
    } else return left;
  }
}

function parseUnary(ts: TokenStream): Expr {
  if (ts.acceptSymbol("-")) return { kind: "negate", operand: parseUnary(ts) };
  if (ts.acceptSymbol("+")) return parseUnary(ts);
  return parsePrimary(ts);
}

function parsePrimary(ts: TokenStream): Expr {
  const token = ts.peek();
  switch (token.kind) {
    case "string":
      ts.next();
      return {
        kind: "literal",
        value: token.unicode ? token.value : toCodePage1252(token.value),
        type: { kind: "nvarchar", length: Math.max(token.value.length, 1) },
      };
    case "number":
      ts.next();
      return numberLiteral(token.text);
    case "binary":
      ts.next();
      return { kind: "literal", value: token.binary!, type: { kind: "varbinary", length: "max" } };
    case "variable":
      ts.next();
      return { kind: "variable", name: token.value, line: token.line };
    case "globalVariable":
      ts.next();
      return { kind: "globalVariable", name: token.value };
    case "symbol":
      if (token.value === "(") {
        ts.next();
        if (ts.isWord("SELECT")) {
          const query = parseSelect(ts);
          ts.expectSymbol(")");
          return { kind: "subquery", query };
        }
        const inner = parseExpression(ts);
        ts.expectSymbol(")");
        return inner;
      }
      throw ts.unexpected();
    case "word":
      return parseWordExpression(ts);
    case "quoted":
      return { kind: "column", parts: ts.multipartName() };
    default:
      throw ts.unexpected();
  }
}

function numberLiteral(text: string): Expr {
  if (/^\d+$/.test(text)) {
    const big = BigInt(text);
    if (big <= 2147483647n) return { kind: "literal", value: Number(text), type: { kind: "int" } };
    if (big <= 9223372036854775807n) return { kind: "literal", value: big, type: { kind: "bigint" } };
    return { kind: "literal", value: text, type: { kind: "numeric", precision: 38, scale: 0 } };
  }
  const scale = text.includes(".") ? text.length - text.indexOf(".") - 1 : 0;
  return { kind: "literal", value: Number(text), type: { kind: "numeric", precision: 38, scale } };
}

function parseWordExpression(ts: TokenStream): Expr {
  const token = ts.peek();
  switch (token.value) {
    case "NULL":
      ts.next();
      return { kind: "literal", value: null, type: { kind: "int" } };
    case "CASE":
      return parseCase(ts);
    case "CAST": {
      ts.next();
      ts.expectSymbol("(");
      const operand = parseExpression(ts);
      ts.expectWord("AS");
      const target = parseTypeRef(ts, 30);
      ts.expectSymbol(")");
      return { kind: "cast", operand, target };
    }
    case "CONVERT": {
      ts.next();
      ts.expectSymbol("(");
      const target = parseTypeRef(ts, 30);
      ts.expectSymbol(",");
      const operand = parseExpression(ts);
      const style = ts.acceptSymbol(",") ? parseExpression(ts) : undefined;
      ts.expectSymbol(")");
      return { kind: "cast", operand, target, style };
    }
  }
  if (ts.isSymbol("(", 1) && (!isReserved(token) || CALLABLE_KEYWORDS.has(token.value))) return parseCall(ts);
  return { kind: "column", parts: ts.multipartName() };
}

/** Reserved words that are also built-in function names. */
const CALLABLE_KEYWORDS = new Set(["COALESCE", "NULLIF", "LEFT", "RIGHT", "CURRENT_USER", "SYSTEM_USER"]);

const DATE_PART_FUNCTIONS = new Set(["DATEADD", "DATEDIFF", "DATEPART"]);

function parseCall(ts: TokenStream): Expr {
  const name = ts.next().value;
  ts.expectSymbol("(");
  if (ts.acceptSymbol("*")) {
    ts.expectSymbol(")");
    return { kind: "call", name, args: [], star: true };
  }
  const args: Expr[] = [];
  if (DATE_PART_FUNCTIONS.has(name)) {
    // The date part is a keyword (day, hh, minute, ...), not a column.
    const part = ts.next();
    if (part.kind !== "word") throw ts.unexpected(part);
    args.push({ kind: "literal", value: part.value, type: { kind: "nvarchar", length: part.value.length } });
    if (!ts.isSymbol(")")) ts.expectSymbol(",");
  }
  if (!ts.isSymbol(")")) {
    args.push(parseExpression(ts));
    while (ts.acceptSymbol(",")) args.push(parseExpression(ts));
  }
  ts.expectSymbol(")");
  return { kind: "call", name, args };
}

function parseCase(ts: TokenStream): Expr {
  ts.expectWord("CASE");
  const operand = ts.isWord("WHEN") ? undefined : parseExpression(ts);
  const whens: Array<{ when: Expr; then: Expr }> = [];
  while (ts.acceptWord("WHEN")) {
    const when = parseExpression(ts);
    ts.expectWord("THEN");
    whens.push({ when, then: parseExpression(ts) });
  }
  if (whens.length === 0) throw ts.unexpected();
  const otherwise = ts.acceptWord("ELSE") ? parseExpression(ts) : undefined;
  ts.expectWord("END");
  return { kind: "case", operand, whens, otherwise };
}

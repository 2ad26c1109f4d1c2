/** SELECT [DISTINCT] [TOP n] items [FROM src [JOIN src ON ...]...] [WHERE ...] [ORDER BY ...] */
import type { Join, OrderItem, SelectItem, SelectStatement, TableSource } from "./ast";
import { parseExpression } from "./parse-expression";
import type { TokenStream } from "./token-stream";

export function parseSelect(ts: TokenStream): SelectStatement {
  const line = ts.peek().line;
  ts.expectWord("SELECT");
  const distinct = ts.acceptWord("DISTINCT");
  if (!distinct) ts.acceptWord("ALL");
  let top;
  if (ts.acceptWord("TOP")) {
    if (ts.acceptSymbol("(")) {
      top = parseExpression(ts);
      ts.expectSymbol(")");
    } else top = { kind: "literal" as const, value: ts.integerLiteral(), type: { kind: "int" as const } };
  }
  const items = [parseSelectItem(ts)];
  while (ts.acceptSymbol(",")) items.push(parseSelectItem(ts));

  const statement: SelectStatement = {
    kind: "select",
    line,
    distinct,
    top,
    items,
    joins: [],
    groupBy: [],
    orderBy: [],
  };
  if (ts.acceptWord("FROM")) {
    statement.from = parseTableSource(ts);
    for (;;) {
      const join = parseJoin(ts);
      if (!join) break;
      statement.joins.push(join);
    }
  }
  if (ts.acceptWord("WHERE")) statement.where = parseExpression(ts);
  if (ts.acceptWord("GROUP", "BY")) {
    statement.groupBy.push(parseExpression(ts));
    while (ts.acceptSymbol(",")) statement.groupBy.push(parseExpression(ts));
  }
  if (ts.acceptWord("HAVING")) statement.having = parseExpression(ts);
  if (ts.acceptWord("ORDER", "BY")) {
    statement.orderBy.push(parseOrderItem(ts));
    while (ts.acceptSymbol(",")) statement.orderBy.push(parseOrderItem(ts));
  }
  return statement;
}

function parseSelectItem(ts: TokenStream): SelectItem {
  if (ts.acceptSymbol("*")) return { kind: "star" };
  if (ts.isIdentifier() && ts.isSymbol(".", 1) && ts.isSymbol("*", 2)) {
    const qualifier = ts.identifier();
    ts.next();
    ts.next();
    return { kind: "star", qualifier };
  }
  const first = ts.peek();
  if (first.kind === "variable" && ts.isSymbol("=", 1)) {
    ts.next();
    ts.next();
    return { kind: "assign", variable: first.value, expr: parseExpression(ts) };
  }
  // alias = expr
  if ((first.kind === "quoted" || first.kind === "string" || ts.isIdentifier()) && ts.isSymbol("=", 1)) {
    ts.next();
    ts.next();
    return {
      kind: "expr",
      expr: parseExpression(ts),
      alias: first.kind === "word" ? first.text : first.value,
    };
  }
  const expr = parseExpression(ts);
  const alias = parseAlias(ts);
  return { kind: "expr", expr, alias };
}

/** [AS] alias, where alias is an identifier or (in select lists) a string literal. */
function parseAlias(ts: TokenStream): string | undefined {
  const explicit = ts.acceptWord("AS");
  const token = ts.peek();
  if (token.kind === "string") {
    ts.next();
    return token.value;
  }
  if (ts.isIdentifier()) return ts.identifier();
  if (explicit) throw ts.unexpected();
  return undefined;
}

function parseTableSource(ts: TokenStream): TableSource {
  const parts = ts.multipartName();
  const explicit = ts.acceptWord("AS");
  if (explicit || (ts.isIdentifier() && !isClauseWord(ts))) return { parts, alias: ts.identifier() };
  return { parts };
}

/** Non-reserved words that may follow a table source and must not be taken as its alias. */
function isClauseWord(ts: TokenStream): boolean {
  return ts.isWord("OUTER") || ts.isWord("CROSS");
}

function parseJoin(ts: TokenStream): Join | undefined {
  let type: Join["type"];
  if (ts.acceptWord("JOIN") || ts.acceptWord("INNER", "JOIN")) type = "INNER";
  else if (ts.acceptWord("LEFT", "JOIN") || ts.acceptWord("LEFT", "OUTER", "JOIN")) type = "LEFT";
  else return undefined;
  const source = parseTableSource(ts);
  ts.expectWord("ON");
  return { type, source, on: parseExpression(ts) };
}

function parseOrderItem(ts: TokenStream): OrderItem {
  const expr = parseExpression(ts);
  if (ts.acceptWord("DESC")) return { expr, descending: true };
  ts.acceptWord("ASC");
  return { expr, descending: false };
}

/**
 * Recursive-descent parser for the T-SQL subset the emulator runs. A batch is
 * parsed whole before anything runs: a syntax error anywhere means nothing runs.
 */
import type { Expr, ProcArg, Statement } from "./ast";
import { tokenize } from "./lexer";
import { parseAlter, parseBackup, parseCreate, parseDrop } from "./parse-ddl";
import { parseExpression } from "./parse-expression";
import { parseSelect } from "./parse-select";
import { parseSet } from "./parse-set";
import { TokenStream } from "./token-stream";
import { isReserved } from "./tokens";
import { parseTypeRef } from "./type-names";

export function parseBatch(sql: string): Statement[] {
  const ts = new TokenStream(tokenize(sql));
  const statements: Statement[] = [];
  for (;;) {
    while (ts.acceptSymbol(";"));
    if (ts.atEnd()) return statements;
    statements.push(parseStatement(ts));
  }
}

export function parseStatement(ts: TokenStream): Statement {
  const token = ts.peek();
  const line = token.line;
  if (token.kind !== "word") throw ts.unexpected();
  const statement = parseByKeyword(ts, token.value, line);
  ts.acceptSymbol(";");
  return statement;
}

function parseByKeyword(ts: TokenStream, keyword: string, line: number): Statement {
  switch (keyword) {
    case "SELECT":
      return { ...parseSelect(ts), line };
    case "USE":
      ts.next();
      return { kind: "use", database: ts.identifier(), line };
    case "DECLARE":
      return parseDeclare(ts, line);
    case "SET":
      return parseSet(ts, line);
    case "IF":
      return parseIf(ts, line);
    case "WHILE": {
      ts.next();
      const condition = parseExpression(ts);
      return { kind: "while", condition, body: parseStatement(ts), line };
    }
    case "BREAK":
    case "CONTINUE":
      ts.next();
      return { kind: keyword === "BREAK" ? "break" : "continue", line };
    case "BEGIN":
      return parseBegin(ts, line);
    case "PRINT":
      ts.next();
      return { kind: "print", value: parseExpression(ts), line };
    case "EXEC":
    case "EXECUTE":
      return parseExec(ts, line);
    case "RAISERROR":
      return parseRaiserror(ts, line);
    case "THROW": {
      ts.next();
      const next = ts.peek();
      if (next.kind === "eof" || (next.kind === "symbol" && next.value === ";") || isReserved(next)) {
        return { kind: "rethrow", line };
      }
      const number = parseExpression(ts);
      ts.expectSymbol(",");
      const message = parseExpression(ts);
      ts.expectSymbol(",");
      return { kind: "throw", number, message, state: parseExpression(ts), line };
    }
    case "WAITFOR": {
      ts.next();
      ts.expectWord("DELAY");
      const token = ts.peek();
      if (token.kind !== "string" && token.kind !== "variable") throw ts.unexpected();
      return { kind: "waitfor", delay: parseExpression(ts), line };
    }
    case "RETURN":
      ts.next();
      // RETURN n is for procedures; in a batch only the bare form is allowed.
      return { kind: "return", line };
    case "COMMIT":
    case "ROLLBACK":
      ts.next();
      if (!ts.acceptWord("TRANSACTION") && !ts.acceptWord("TRAN")) ts.acceptWord("WORK");
      else acceptTransactionName(ts);
      return { kind: keyword === "COMMIT" ? "commit" : "rollback", line };
    case "CREATE":
      return parseCreate(ts, line);
    case "DROP":
      return parseDrop(ts, line);
    case "ALTER":
      return parseAlter(ts, line);
    case "BACKUP":
      return parseBackup(ts, line);
    default:
      throw ts.unexpected();
  }
}

function acceptTransactionName(ts: TokenStream): void {
  if (ts.peek().kind === "variable" || ts.isIdentifier()) ts.next();
}

function parseDeclare(ts: TokenStream, line: number): Statement {
  ts.expectWord("DECLARE");
  const variables: Array<{ name: string; type: ReturnType<typeof parseTypeRef>; init?: Expr }> = [];
  do {
    const token = ts.next();
    if (token.kind !== "variable") throw ts.unexpected(token);
    ts.acceptWord("AS");
    if (ts.isWord("TABLE") || ts.isWord("CURSOR")) throw ts.unexpected();
    const type = parseTypeRef(ts);
    const init = ts.acceptSymbol("=") ? parseExpression(ts) : undefined;
    variables.push({ name: token.value, type, init });
  } while (ts.acceptSymbol(","));
  return { kind: "declare", variables, line };
}

function parseIf(ts: TokenStream, line: number): Statement {
  ts.expectWord("IF");
  const condition = parseExpression(ts);
  const then = parseStatement(ts);
  const otherwise = ts.acceptWord("ELSE") ? parseStatement(ts) : undefined;
  return { kind: "if", condition, then, otherwise, line };
}

function parseBegin(ts: TokenStream, line: number): Statement {
  ts.expectWord("BEGIN");
  if (ts.acceptWord("TRANSACTION") || ts.acceptWord("TRAN")) {
    acceptTransactionName(ts);
    return { kind: "beginTransaction", line };
  }
  if (ts.acceptWord("TRY")) {
    const body = parseStatementsUntil(ts, "TRY");
    ts.expectWord("BEGIN", "CATCH");
    return { kind: "tryCatch", body, handler: parseStatementsUntil(ts, "CATCH"), line };
  }
  if (ts.isWord("DISTRIBUTED") || ts.isWord("CONVERSATION") || ts.isWord("DIALOG")) throw ts.unexpected();
  return { kind: "block", body: parseStatementsUntil(ts), line };
}

/** Statements up to END (or END TRY / END CATCH), which is consumed. */
function parseStatementsUntil(ts: TokenStream, endWord?: "TRY" | "CATCH"): Statement[] {
  const body: Statement[] = [];
  for (;;) {
    while (ts.acceptSymbol(";"));
    if (endWord ? ts.acceptWord("END", endWord) : ts.acceptWord("END")) return body;
    if (ts.atEnd() || (endWord && ts.isWord("END"))) throw ts.unexpected();
    body.push(parseStatement(ts));
  }
}

function parseExec(ts: TokenStream, line: number): Statement {
  ts.next();
  if (ts.acceptSymbol("(")) {
    const value = parseExpression(ts);
    ts.expectSymbol(")");
    return { kind: "execString", value, line };
  }
  let returnStatus: string | undefined;
  if (ts.peek().kind === "variable" && ts.isSymbol("=", 1)) {
    returnStatus = ts.next().value;
    ts.next();
  }
  const parts = ts.multipartName();
  const procedure = parts[parts.length - 1];
  // A database-qualified name (msdb.dbo.sp_add_job) keeps its database: msdb's procedures differ.
  const database = parts.length >= 3 && parts[parts.length - 3] ? parts[parts.length - 3] : undefined;
  const args: ProcArg[] = [];
  if (startsArgument(ts)) {
    args.push(parseProcArg(ts));
    while (ts.acceptSymbol(",")) args.push(parseProcArg(ts));
  }
  return { kind: "exec", procedure, ...(database ? { database } : {}), args, returnStatus, line };
}

function startsArgument(ts: TokenStream): boolean {
  const token = ts.peek();
  if (token.kind === "eof") return false;
  if (token.kind === "symbol") return token.value === "-" || token.value === "+";
  if (token.kind === "word") return !isReserved(token) || token.value === "NULL" || token.value === "DEFAULT";
  return true;
}

/** [@name =] constant | @variable | bare word (taken as a string, as SQL Server does). */
function parseProcArg(ts: TokenStream): ProcArg {
  let name = "";
  if (ts.peek().kind === "variable" && ts.isSymbol("=", 1)) {
    name = "@" + ts.next().value;
    ts.next();
  }
  return { name, value: parseArgValue(ts) };
}

function parseArgValue(ts: TokenStream): Expr {
  const token = ts.peek();
  const negative = token.kind === "symbol" && token.value === "-";
  if (token.kind === "symbol" && (token.value === "-" || token.value === "+")) {
    ts.next();
    if (ts.peek().kind !== "number") throw ts.unexpected();
    const literal = parseExpression(ts);
    return negative ? { kind: "negate", operand: literal } : literal;
  }
  switch (token.kind) {
    case "string":
    case "number":
    case "binary":
    case "variable":
      return primaryOnly(ts);
    case "word":
      if (token.value === "NULL") return primaryOnly(ts);
      if (token.value === "DEFAULT") {
        ts.next();
        return { kind: "literal", value: null, type: { kind: "int" } };
      }
      if (!isReserved(token)) {
        ts.next();
        return { kind: "literal", value: token.text, type: { kind: "nvarchar", length: token.text.length } };
      }
      throw ts.unexpected();
    case "quoted":
      ts.next();
      return {
        kind: "literal",
        value: token.value,
        type: { kind: "nvarchar", length: Math.max(1, token.value.length) },
      };
    default:
      throw ts.unexpected();
  }
}

/** A single literal or variable token: EXEC arguments are not expressions in T-SQL. */
function primaryOnly(ts: TokenStream): Expr {
  const expr = parseExpression(ts);
  if (expr.kind === "literal" || expr.kind === "variable") return expr;
  throw ts.unexpected();
}

function parseRaiserror(ts: TokenStream, line: number): Statement {
  ts.expectWord("RAISERROR");
  ts.expectSymbol("(");
  const message = parseExpression(ts);
  ts.expectSymbol(",");
  const severity = parseExpression(ts);
  ts.expectSymbol(",");
  const state = parseExpression(ts);
  const args: Expr[] = [];
  while (ts.acceptSymbol(",")) args.push(parseExpression(ts));
  ts.expectSymbol(")");
  if (ts.acceptWord("WITH")) {
    do ts.expectChoice(["NOWAIT", "LOG", "SETERROR"]);
    while (ts.acceptSymbol(","));
  }
  return { kind: "raiserror", message, severity, state, args, line };
}

/** Expression evaluation with SQL's NULL and three-valued logic (UNKNOWN is null). */
import { SqlError, type SqlValue } from "../types";
import type { Expr } from "./ast";
import { toCodePage1252 } from "./code-page";
import { AGGREGATE_FUNCTIONS, SCALAR_FUNCTIONS } from "./functions";
import { resolveColumn } from "./resolve";
import { getVariable, type RowScope, type Runtime, type SourceBinding } from "./runtime";
import { executeQuery } from "./select";
import { compareValues, convertValue, like, toNumber, toText } from "./values";

export function evaluate(expr: Expr, rt: Runtime, scope?: RowScope): SqlValue {
  switch (expr.kind) {
    case "literal":
      return expr.value;
    case "variable":
      return getVariable(rt, expr.name).value;
    case "globalVariable":
      return globalVariable(expr.name, rt);
    case "column":
      return resolveColumn(expr.parts, scope).value;
    case "binary":
      return binary(expr.op, expr.left, expr.right, rt, scope);
    case "negate": {
      const value = evaluate(expr.operand, rt, scope);
      if (value === null) return null;
      const n = toNumber(value);
      return typeof n === "bigint" ? -n : -n;
    }
    case "not": {
      const value = evaluate(expr.operand, rt, scope);
      return value === null ? null : !truthy(value);
    }
    case "like": {
      const value = evaluate(expr.operand, rt, scope);
      const pattern = evaluate(expr.pattern, rt, scope);
      if (value === null || pattern === null) return null;
      return like(toText(value), toText(pattern)) !== expr.negated;
    }
    case "in": {
      const value = evaluate(expr.operand, rt, scope);
      if (value === null) return null;
      let unknown = false;
      const first = expr.list[0];
      const candidates =
        expr.subquery && first.kind === "subquery"
          ? executeQuery(first.query, rt, scope).rows.map((row) => row[0])
          : expr.list.map((item) => evaluate(item, rt, scope));
      for (const candidate of candidates) {
        const result = compareValues(value, candidate);
        if (result === 0) return !expr.negated;
        if (result === null) unknown = true;
      }
      return unknown ? null : expr.negated;
    }
    case "isNull":
      return (evaluate(expr.operand, rt, scope) === null) !== expr.negated;
    case "between": {
      const value = evaluate(expr.operand, rt, scope);
      const low = compareValues(value, evaluate(expr.low, rt, scope));
      const high = compareValues(value, evaluate(expr.high, rt, scope));
      if (low === null || high === null) return null;
      return (low >= 0 && high <= 0) !== expr.negated;
    }
    case "exists":
      return executeQuery(expr.query, rt, scope).rows.length > 0;
    case "subquery": {
      const result = executeQuery(expr.query, rt, scope);
      if (result.columns.length !== 1) {
        throw new SqlError(
          116,
          "Only one expression can be specified in the select list when the subquery is not introduced with EXISTS.",
        );
      }
      if (result.rows.length > 1) {
        throw new SqlError(
          512,
          "Subquery returned more than 1 value. This is not permitted when the subquery follows =, !=, <, <= , >, >= or when the subquery is used as an expression.",
        );
      }
      return result.rows.length === 0 ? null : result.rows[0][0];
    }
    case "case": {
      const operand = expr.operand ? evaluate(expr.operand, rt, scope) : undefined;
      for (const { when, then } of expr.whens) {
        const matched =
          operand === undefined
            ? truthy(evaluate(when, rt, scope))
            : compareValues(operand, evaluate(when, rt, scope)) === 0;
        if (matched) return evaluate(then, rt, scope);
      }
      return expr.otherwise ? evaluate(expr.otherwise, rt, scope) : null;
    }
    case "cast": {
      const style = expr.style ? evaluate(expr.style, rt, scope) : 0;
      const styleNumber = style === null ? 0 : Number(toNumber(style));
      const value = convertValue(evaluate(expr.operand, rt, scope), expr.target.type, styleNumber);
      return expr.target.nonUnicode && typeof value === "string" ? toCodePage1252(value) : value;
    }
    case "call":
      return call(expr, rt, scope);
  }
}

/** A predicate's outcome: only TRUE passes (UNKNOWN does not). */
export function truthy(value: SqlValue): boolean {
  if (value === null) return false;
  if (typeof value === "boolean") return value;
  return Number(toNumber(value)) !== 0;
}

export function globalVariable(name: string, rt: Runtime): SqlValue {
  switch (name) {
    case "SERVERNAME":
      return rt.model.serverName();
    case "VERSION":
      return rt.model.versionString();
    case "TRANCOUNT":
      return rt.session.tranCount;
    case "SPID":
      return rt.session.id;
    case "ROWCOUNT":
      return rt.lastRowCount;
    case "ERROR":
      return rt.lastError;
    case "LANGUAGE":
      return rt.options.settings.get("LANGUAGE") ?? "us_english";
    case "SERVICENAME": {
      const server = rt.model.serverName();
      return server.includes("\\") ? server.slice(server.indexOf("\\") + 1) : "MSSQLSERVER";
    }
    case "OPTIONS":
      return 0;
    default:
      throw new SqlError(137, `Must declare the scalar variable "@@${name}".`, 15);
  }
}

function binary(op: string, leftExpr: Expr, rightExpr: Expr, rt: Runtime, scope?: RowScope): SqlValue {
  if (op === "AND" || op === "OR") {
    const left = evaluate(leftExpr, rt, scope);
    const l = left === null ? null : truthy(left);
    if (op === "AND" && l === false) return false;
    if (op === "OR" && l === true) return true;
    const right = evaluate(rightExpr, rt, scope);
    const r = right === null ? null : truthy(right);
    if (op === "AND") return r === false ? false : l === null || r === null ? null : true;
    return r === true ? true : l === null || r === null ? null : false;
  }
  const left = evaluate(leftExpr, rt, scope);
  const right = evaluate(rightExpr, rt, scope);
  switch (op) {
    case "=":
    case "<>":
    case "<":
    case ">":
    case "<=":
    case ">=": {
      const c = compareValues(left, right);
      if (c === null) return null;
      return op === "="
        ? c === 0
        : op === "<>"
          ? c !== 0
          : op === "<"
            ? c < 0
            : op === ">"
              ? c > 0
              : op === "<="
                ? c <= 0
                : c >= 0;
    }
  }
  if (left === null || right === null) return null;
  if (op === "+") {
    if (typeof left === "string" && typeof right === "string") return left + right;
    if (Buffer.isBuffer(left) && Buffer.isBuffer(right)) return Buffer.concat([left, right]);
    if (left instanceof Date) return new Date(left.getTime() + Number(toNumber(right)) * 86400000);
  }
  return arithmetic(op, toNumber(left), toNumber(right));
}

function arithmetic(op: string, a: number | bigint, b: number | bigint): SqlValue {
  if ((op === "/" || op === "%") && Number(b) === 0)
    throw new SqlError(8134, "Divide by zero error encountered.");
  if (typeof a === "bigint" || typeof b === "bigint") {
    const x = BigInt(a);
    const y = BigInt(b);
    const r = op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : op === "/" ? x / y : x % y;
    return r >= BigInt(Number.MIN_SAFE_INTEGER) && r <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : r;
  }
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      // Integer division between integers, as between int operands in SQL Server.
      return Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b;
    default:
      return a % b;
  }
}

function call(expr: Extract<Expr, { kind: "call" }>, rt: Runtime, scope?: RowScope): SqlValue {
  if (AGGREGATE_FUNCTIONS.has(expr.name)) return aggregate(expr, rt, scope);
  const fn = SCALAR_FUNCTIONS[expr.name];
  if (!fn) throw new SqlError(195, `'${expr.name}' is not a recognized built-in function name.`);
  if (expr.args.length < fn.minArgs || expr.args.length > fn.maxArgs) {
    throw new SqlError(
      174,
      `The ${expr.name.toLowerCase()} function requires ${fn.minArgs} argument(s).`,
      15,
    );
  }
  return fn.call(
    expr.args.map((arg) => evaluate(arg, rt, scope)),
    rt,
  );
}

function aggregate(expr: Extract<Expr, { kind: "call" }>, rt: Runtime, scope?: RowScope): SqlValue {
  if (!scope?.group) {
    throw new SqlError(
      147,
      "An aggregate may not appear in the WHERE clause unless it is in a subquery contained in a HAVING clause or a select list.",
    );
  }
  const rows = scope.group;
  const inRow = (bindings: SourceBinding[]): RowScope => ({ bindings, outer: scope.outer });
  if (expr.star) return rows.length;
  if (expr.args.length !== 1)
    throw new SqlError(174, `The ${expr.name.toLowerCase()} function requires 1 argument(s).`, 15);
  const values = rows
    .map((bindings) => evaluate(expr.args[0], rt, inRow(bindings)))
    .filter((v) => v !== null);
  switch (expr.name) {
    case "COUNT":
    case "COUNT_BIG":
      return values.length;
    case "MAX":
    case "MIN": {
      if (values.length === 0) return null;
      const sign = expr.name === "MAX" ? 1 : -1;
      return values.reduce((best, v) => ((compareValues(v, best) ?? 0) * sign > 0 ? v : best));
    }
    default: {
      if (values.length === 0) return null;
      const sum = values.reduce<SqlValue>((total, v) => arithmetic("+", toNumber(total!), toNumber(v!)), 0);
      return expr.name === "SUM" ? sum : arithmetic("/", toNumber(sum!), values.length);
    }
  }
}

/** True when the expression contains an aggregate outside any subquery. */
export function containsAggregate(expr: Expr): boolean {
  switch (expr.kind) {
    case "call":
      return AGGREGATE_FUNCTIONS.has(expr.name) || expr.args.some(containsAggregate);
    case "binary":
      return containsAggregate(expr.left) || containsAggregate(expr.right);
    case "negate":
    case "not":
    case "isNull":
      return containsAggregate(expr.operand);
    case "cast":
      return containsAggregate(expr.operand);
    case "case":
      return (
        (expr.operand !== undefined && containsAggregate(expr.operand)) ||
        expr.whens.some((w) => containsAggregate(w.when) || containsAggregate(w.then)) ||
        (expr.otherwise !== undefined && containsAggregate(expr.otherwise))
      );
    default:
      return false;
  }
}

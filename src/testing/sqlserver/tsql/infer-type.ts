/** Static result types of select-list expressions (the COLMETADATA a client sees). */
import type { SqlType } from "../types";
import type { Expr } from "./ast";
import { SCALAR_FUNCTIONS } from "./functions";
import { resolveColumn } from "./resolve";
import type { RowScope, Runtime } from "./runtime";
import { subqueryType } from "./select";

const GLOBAL_TYPES: Record<string, SqlType> = {
  SERVERNAME: { kind: "nvarchar", length: 128 },
  VERSION: { kind: "nvarchar", length: 300 },
  LANGUAGE: { kind: "nvarchar", length: 128 },
  SERVICENAME: { kind: "nvarchar", length: 128 },
};

const NUMERIC_RANK = ["bit", "tinyint", "smallint", "int", "bigint", "numeric"];

function textLength(type: SqlType | undefined): number | "max" {
  if (!type) return 30;
  if (type.kind === "nvarchar" || type.kind === "varbinary") return type.length;
  return type.kind === "datetime" ? 30 : type.kind === "uniqueidentifier" ? 36 : 20;
}

/** The type SQL Server would report, or undefined when it depends on the value. */
export function inferType(expr: Expr, rt: Runtime, scope?: RowScope): SqlType | undefined {
  switch (expr.kind) {
    case "literal":
      return expr.type;
    case "variable":
      return rt.variables.get(expr.name.toLowerCase())?.type;
    case "globalVariable":
      return GLOBAL_TYPES[expr.name] ?? { kind: "int" };
    case "column":
      return resolveColumn(expr.parts, scope).def.type;
    case "negate":
      return inferType(expr.operand, rt, scope);
    case "cast":
      return expr.target.type;
    case "case":
      return (
        inferType(expr.whens[0].then, rt, scope) ?? (expr.otherwise && inferType(expr.otherwise, rt, scope))
      );
    case "call": {
      if (expr.name === "COUNT" || expr.name === "COUNT_BIG")
        return { kind: expr.name === "COUNT" ? "int" : "bigint" };
      if (expr.name === "MAX" || expr.name === "MIN" || expr.name === "SUM")
        return inferType(expr.args[0], rt, scope);
      const fn = SCALAR_FUNCTIONS[expr.name];
      return fn?.returns(expr.args.map((arg) => inferType(arg, rt, scope)));
    }
    case "binary": {
      if (!["+", "-", "*", "/", "%"].includes(expr.op)) return { kind: "bit" };
      const left = inferType(expr.left, rt, scope);
      const right = inferType(expr.right, rt, scope);
      if (expr.op === "+" && (left?.kind === "nvarchar" || right?.kind === "nvarchar")) {
        const a = textLength(left);
        const b = textLength(right);
        return { kind: "nvarchar", length: a === "max" || b === "max" || a + b > 4000 ? "max" : a + b };
      }
      if (expr.op === "+" && left?.kind === "varbinary" && right?.kind === "varbinary") {
        return { kind: "varbinary", length: "max" };
      }
      if (!left || !right) return left ?? right;
      return NUMERIC_RANK.indexOf(left.kind) >= NUMERIC_RANK.indexOf(right.kind) ? left : right;
    }
    case "subquery":
      return subqueryType(expr.query, rt, scope);
    default:
      return undefined;
  }
}

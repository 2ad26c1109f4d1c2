/**
 * Compile-time checks of a parsed batch, before anything runs: every variable is declared
 * (textually before use, batch-wide scope) and every @@ name exists. Failures abort the batch.
 */
import { SqlError } from "../types";
import type { Statement, TypeRef } from "./ast";
import { AGGREGATE_FUNCTIONS, SCALAR_FUNCTIONS } from "./functions";
import { undeclaredVariable } from "./runtime";

const GLOBAL_VARIABLES = new Set([
  "SERVERNAME",
  "VERSION",
  "TRANCOUNT",
  "SPID",
  "ROWCOUNT",
  "ERROR",
  "LANGUAGE",
  "SERVICENAME",
  "OPTIONS",
]);

/**
 * Returns the batch's own DECLAREd variables: they exist (as NULL) from the start of the batch,
 * even when the DECLARE sits in a branch that does not run.
 */
export function checkBatch(statements: Statement[], predeclared: Iterable<string>): Map<string, TypeRef> {
  const declared = new Set<string>([...predeclared].map((n) => n.toLowerCase()));
  const own = new Map<string, TypeRef>();
  let loopDepth = 0;
  const use = (name: string) => {
    if (!declared.has(name.toLowerCase())) throw undeclaredVariable(name);
  };
  const visitStatement = (statement: Statement) => {
    switch (statement.kind) {
      case "declare":
        for (const variable of statement.variables) {
          if (variable.init) visitNode(variable.init, use);
          if (declared.has(variable.name.toLowerCase())) {
            throw new SqlError(
              134,
              `The variable name '@${variable.name}' has already been declared. Variable names must be unique within a query batch or stored procedure.`,
              15,
            );
          }
          declared.add(variable.name.toLowerCase());
          own.set(variable.name.toLowerCase(), variable.type);
        }
        return;
      case "if":
        visitNode(statement.condition, use);
        visitStatement(statement.then);
        if (statement.otherwise) visitStatement(statement.otherwise);
        return;
      case "block":
        statement.body.forEach(visitStatement);
        return;
      case "while":
        visitNode(statement.condition, use);
        loopDepth++;
        visitStatement(statement.body);
        loopDepth--;
        return;
      case "break":
      case "continue":
        if (loopDepth === 0) {
          const name = statement.kind.toUpperCase();
          throw new SqlError(
            135,
            `Cannot use a ${name} statement outside the scope of a WHILE statement.`,
            15,
          );
        }
        return;
      case "tryCatch":
        statement.body.forEach(visitStatement);
        statement.handler.forEach(visitStatement);
        return;
      case "setVariable":
        use(statement.name);
        visitNode(statement.value, use);
        return;
      case "exec":
        if (statement.returnStatus) use(statement.returnStatus);
        visitNode(statement.args, use);
        return;
      default:
        visitNode(statement, use);
    }
  };
  statements.forEach(visitStatement);
  return own;
}

/** Unknown functions and wrong argument counts are compile errors, as in SQL Server. */
function checkCall(name: string, argCount: number): void {
  if (AGGREGATE_FUNCTIONS.has(name)) return;
  const fn = SCALAR_FUNCTIONS[name];
  if (!fn) throw new SqlError(195, `'${name}' is not a recognized built-in function name.`, 15);
  if (argCount < fn.minArgs || argCount > fn.maxArgs) {
    const expected = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
    throw new SqlError(174, `The ${name.toLowerCase()} function requires ${expected} argument(s).`, 15);
  }
}

/** Finds variable references (expressions and SELECT @v = ... targets) anywhere under a node. */
function visitNode(node: unknown, use: (name: string) => void): void {
  if (!node || typeof node !== "object" || Buffer.isBuffer(node) || node instanceof Date) return;
  if (Array.isArray(node)) {
    node.forEach((item) => visitNode(item, use));
    return;
  }
  const record = node as Record<string, unknown>;
  if (record.kind === "variable" && typeof record.name === "string") use(record.name);
  if (record.kind === "assign" && typeof record.variable === "string") use(record.variable);
  if (record.kind === "call" && typeof record.name === "string")
    checkCall(record.name, (record.args as unknown[]).length);
  if (
    record.kind === "globalVariable" &&
    typeof record.name === "string" &&
    !GLOBAL_VARIABLES.has(record.name)
  ) {
    throw new SqlError(137, `Must declare the scalar variable "@@${record.name}".`, 15);
  }
  for (const value of Object.values(record)) visitNode(value, use);
}

/** EXEC of stored procedures (the model's) and of dynamic SQL (sp_executesql, EXEC (@sql)). */
import type { ProcedureArgument } from "../model/contract";
import { SqlError, type SqlValue } from "../types";
import type { Expr, Statement, TypeRef } from "./ast";
import { evaluate } from "./evaluate";
import { runBatch } from "./interpreter";
import { tokenize } from "./lexer";
import { assign, execContext, getVariable, type Runtime, type Variable } from "./runtime";
import { TokenStream } from "./token-stream";
import { parseTypeRef } from "./type-names";
import { toText } from "./values";

export const SP_EXECUTESQL = "sp_executesql";

export async function executeExec(
  statement: Extract<Statement, { kind: "exec" }>,
  rt: Runtime,
): Promise<void> {
  const args: ProcedureArgument[] = statement.args.map((arg) => ({
    name: arg.name,
    value: evaluate(arg.value, rt),
  }));
  let returnStatus = 0;
  if (statement.procedure.toLowerCase() === SP_EXECUTESQL) await runSpExecuteSql(rt, args);
  else if (statement.database?.toLowerCase() === "msdb") {
    returnStatus = callProcedure(rt, `msdb.dbo.${statement.procedure}`, args);
  } else returnStatus = callProcedure(rt, statement.procedure, args);
  if (statement.returnStatus) {
    const variable = getVariable(rt, statement.returnStatus);
    assign(variable, returnStatus);
  }
}

/** EXEC (@sql): a nested batch with its own variables. */
export async function executeString(value: Expr, rt: Runtime): Promise<void> {
  const sql = evaluate(value, rt);
  if (sql === null) return;
  await runBatch(rt, toText(sql), new Map(), true);
}

/** Runs a model procedure; its result sets become rows + done events. Returns the return status. */
export function callProcedure(rt: Runtime, name: string, args: ProcedureArgument[]): number {
  const result = rt.model.executeProcedure(execContext(rt), name, args);
  for (const resultSet of result.resultSets) {
    rt.events.push({ kind: "rows", resultSet });
    rt.events.push(rt.options.nocount ? { kind: "done" } : { kind: "done", rowCount: resultSet.rows.length });
  }
  return result.returnStatus;
}

/**
 * sp_executesql [@stmt =] stmt [, [@params =] N'@a int, ...' [, @a = value | value, ...]].
 * The statement runs as a nested batch whose variables are the declared parameters.
 */
export async function runSpExecuteSql(rt: Runtime, args: ProcedureArgument[]): Promise<void> {
  // The statement and the parameter list are positional in practice: drivers name them
  // @statement/@params (tedious) or @stmt/@params (T-SQL), or not at all.
  const [stmtArg, ...rest] = args;
  const paramsArg =
    rest[0] && (rest[0].name === "" || rest[0].name.toLowerCase() === "@params") ? rest[0] : undefined;
  const valueArgs = paramsArg ? rest.slice(1) : rest;
  if (!stmtArg || (stmtArg.value !== null && typeof stmtArg.value !== "string")) {
    throw new SqlError(214, "Procedure expects parameter '@statement' of type 'ntext/nchar/nvarchar'.");
  }
  const declarations =
    paramsArg && paramsArg.value !== null ? parseParameterDeclarations(toText(paramsArg.value)) : [];
  const variables = new Map<string, Variable>();
  declarations.forEach((declaration, index) => {
    const named = valueArgs.find((arg) => arg.name.toLowerCase() === "@" + declaration.name.toLowerCase());
    const positional = valueArgs[index]?.name === "" ? valueArgs[index] : undefined;
    const supplied = named ?? positional;
    if (!supplied && !declaration.hasDefault) {
      const list = toText(paramsArg!.value!);
      throw new SqlError(
        8178,
        `The parameterized query '(${list})' expects the parameter '@${declaration.name}', which was not supplied.`,
      );
    }
    const variable: Variable = {
      type: declaration.type.type,
      value: null,
      nonUnicode: declaration.type.nonUnicode,
    };
    assign(variable, supplied ? supplied.value : declaration.defaultValue);
    variables.set(declaration.name.toLowerCase(), variable);
  });
  for (const arg of valueArgs) {
    if (arg.name !== "" && !declarations.some((d) => "@" + d.name.toLowerCase() === arg.name.toLowerCase())) {
      throw new SqlError(8145, `${arg.name} is not a parameter for procedure ${SP_EXECUTESQL}.`);
    }
  }
  if (stmtArg.value === null) return;
  await runBatch(rt, stmtArg.value, variables, true);
}

interface ParameterDeclaration {
  name: string;
  type: TypeRef;
  hasDefault: boolean;
  defaultValue: SqlValue;
}

/** "@a int, @b nvarchar(max) = N'x' OUTPUT" */
export function parseParameterDeclarations(text: string): ParameterDeclaration[] {
  const ts = new TokenStream(tokenize(text));
  const declarations: ParameterDeclaration[] = [];
  if (ts.atEnd()) return declarations;
  do {
    const token = ts.next();
    if (token.kind !== "variable") throw ts.unexpected(token);
    ts.acceptWord("AS");
    const type = parseTypeRef(ts);
    let hasDefault = false;
    let defaultValue: SqlValue = null;
    if (ts.acceptSymbol("=")) {
      hasDefault = true;
      const value = ts.next();
      if (value.kind === "string") defaultValue = value.value;
      else if (value.kind === "number") defaultValue = Number(value.text);
      else if (!(value.kind === "word" && value.value === "NULL")) throw ts.unexpected(value);
    }
    if (!ts.acceptWord("OUTPUT")) ts.acceptWord("OUT");
    declarations.push({ name: token.value, type, hasDefault, defaultValue });
  } while (ts.acceptSymbol(","));
  if (!ts.atEnd()) throw ts.unexpected();
  return declarations;
}

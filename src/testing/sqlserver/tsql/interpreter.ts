/**
 * Runs parsed batches against the instance model, producing the events the TDS layer sends:
 * one `done` per executed statement (control flow and DECLARE emit none), errors as events.
 */
import { SqlError, type SqlValue } from "../types";
import type { SelectStatement, Statement } from "./ast";
import { checkBatch } from "./check";
import { executeDdl, isDdl } from "./ddl";
import { evaluate, truthy } from "./evaluate";
import { executeExec, executeString } from "./exec";
import { parseBatch } from "./parser";
import { ON_OFF_OPTIONS } from "./parse-set";
import {
  assign,
  BATCH_ABORTING_ERRORS,
  BatchAborted,
  Cancelled,
  CaughtError,
  DynamicSqlError,
  LoopControl,
  getVariable,
  type Runtime,
  type SessionOptions,
  type Variable,
} from "./runtime";
import { executeQuery, outputScopes } from "./select";
import { toNumber, toText } from "./values";

/** What a statement reports in its `done`; "none" for statements that send no DONE of their own. */
type Outcome = { rowCount?: number } | "none";

/**
 * Parses, checks and runs a batch. Compile errors (syntax, undeclared variables) are reported
 * and nothing runs. A `nested` batch (dynamic SQL) throws them to the EXEC that runs it instead.
 */
export async function runBatch(
  rt: Runtime,
  sql: string,
  variables: Map<string, Variable> = new Map(),
  nested = false,
): Promise<void> {
  const firstEvent = rt.events.length;
  let statements: Statement[];
  try {
    statements = parseBatch(sql);
    for (const [name, type] of checkBatch(statements, variables.keys())) {
      variables.set(name, { type: type.type, value: null, nonUnicode: type.nonUnicode });
    }
  } catch (error) {
    if (nested) throw DynamicSqlError.from(toSqlError(error));
    reportError(rt, toSqlError(error));
    rt.events.push({ kind: "done", error: true });
    return;
  }
  const saved = rt.variables;
  const outerScope = nested ? { database: rt.session.database, options: snapshotOptions(rt) } : undefined;
  rt.variables = variables;
  if (nested) rt.scopeDepth++;
  try {
    for (const statement of statements) await runStatement(statement, rt);
  } catch (error) {
    if (!(error instanceof BatchAborted)) throw error;
    if (nested && error.reason !== "compile" && error.reason !== "return") throw error;
  } finally {
    rt.variables = saved;
    if (nested) rt.scopeDepth--;
    // USE and SET options inside dynamic SQL last until the end of its scope, as in SQL Server.
    if (outerScope) restoreScope(rt, outerScope);
  }
  if (!nested && !rt.events.slice(firstEvent).some((e) => e.kind === "done"))
    rt.events.push({ kind: "done" });
}

function snapshotOptions(rt: Runtime): SessionOptions {
  return { ...rt.options, settings: new Map(rt.options.settings) };
}

function restoreScope(rt: Runtime, outer: { database: string; options: SessionOptions }): void {
  Object.assign(rt.options, outer.options);
  if (rt.session.database !== outer.database) {
    rt.events.push({ kind: "database", oldValue: rt.session.database, newValue: outer.database });
    rt.session.database = outer.database;
  }
}

export async function runStatement(statement: Statement, rt: Runtime): Promise<void> {
  if (rt.session.cancelled) throw new Cancelled();
  // Lets an ATTENTION that arrived meanwhile be seen before the next statement.
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (rt.session.cancelled) throw new Cancelled();
  try {
    const outcome = await execute(statement, rt);
    rt.lastError = 0;
    if (outcome === "none") return;
    rt.lastRowCount = outcome.rowCount ?? 0;
    const rowCount = rt.options.nocount ? undefined : outcome.rowCount;
    rt.events.push(rowCount === undefined ? { kind: "done" } : { kind: "done", rowCount });
  } catch (error) {
    if (isControlFlow(error)) throw error;
    const sqlError = toSqlError(error);
    if (catchable(rt, sqlError)) throw new CaughtError(sqlError, statement.line);
    reportError(rt, sqlError, statement.line);
    rt.events.push({ kind: "done", error: true });
    rt.lastError = sqlError.number;
    rt.lastRowCount = 0;
    if (rt.options.xactAbort && statement.kind !== "raiserror") {
      rt.session.tranCount = 0;
      throw new BatchAborted("xact_abort");
    }
    if (statement.kind === "throw" || statement.kind === "rethrow") throw new BatchAborted("throw");
    if (BATCH_ABORTING_ERRORS.has(sqlError.number) && !(sqlError instanceof DynamicSqlError)) {
      throw new BatchAborted("compile");
    }
  }
}

/** Signals that unwind statements rather than being reported as errors. */
function isControlFlow(error: unknown): boolean {
  return (
    error instanceof BatchAborted ||
    error instanceof Cancelled ||
    error instanceof CaughtError ||
    error instanceof LoopControl
  );
}

/**
 * Inside BEGIN TRY, errors go to CATCH, except name-resolution errors of the TRY's own scope
 * (SQL Server cannot catch those at the level where they occur; from dynamic SQL it can).
 */
function catchable(rt: Runtime, error: SqlError): boolean {
  const tryScope = rt.tryScopes.at(-1);
  if (tryScope === undefined || error.severity <= 10) return false;
  return (
    !BATCH_ABORTING_ERRORS.has(error.number) || tryScope < rt.scopeDepth || error instanceof DynamicSqlError
  );
}

export function toSqlError(error: unknown): SqlError {
  if (error instanceof SqlError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SqlError(50000, message, 16);
}

export function reportError(rt: Runtime, error: SqlError, line?: number): void {
  const lineNumber = (error as SqlError & { lineNumber?: number }).lineNumber ?? line;
  const message = {
    number: error.number,
    state: error.state,
    severity: error.severity,
    message: error.message,
    lineNumber,
  };
  rt.events.push(error.severity <= 10 ? { kind: "info", message } : { kind: "error", message });
}

async function execute(statement: Statement, rt: Runtime): Promise<Outcome> {
  if (isDdl(statement)) {
    executeDdl(statement, rt);
    return {};
  }
  switch (statement.kind) {
    case "select":
      return executeSelectStatement(statement, rt);
    case "use":
      return executeUse(statement.database, rt);
    case "declare":
      for (const variable of statement.variables) {
        const declared = { type: variable.type.type, value: null, nonUnicode: variable.type.nonUnicode };
        if (variable.init) assign(declared, evaluate(variable.init, rt));
        rt.variables.set(variable.name.toLowerCase(), declared);
      }
      return "none";
    case "setVariable": {
      const variable = getVariable(rt, statement.name);
      assign(variable, evaluate(statement.value, rt));
      return "none";
    }
    case "setOption":
      applySetOption(statement.option, statement.value, rt);
      return {};
    case "if": {
      const branch = truthy(evaluate(statement.condition, rt)) ? statement.then : statement.otherwise;
      if (branch) await runStatement(branch, rt);
      return "none";
    }
    case "block":
      for (const child of statement.body) await runStatement(child, rt);
      return "none";
    case "while":
      while (truthy(evaluate(statement.condition, rt))) {
        try {
          await runStatement(statement.body, rt);
        } catch (error) {
          if (!(error instanceof LoopControl)) throw error;
          if (error.action === "break") break;
        }
      }
      return "none";
    case "break":
    case "continue":
      throw new LoopControl(statement.kind);
    case "tryCatch":
      await tryCatch(statement.body, statement.handler, rt);
      return "none";
    case "rethrow": {
      const current = rt.handling.at(-1);
      if (!current) {
        throw new SqlError(
          10704,
          "To rethrow an error, a THROW statement must be used inside a CATCH block. Insert the THROW statement inside a CATCH block, or add error parameters to the THROW statement.",
          15,
        );
      }
      throw current.error;
    }
    case "print": {
      const value = evaluate(statement.value, rt);
      rt.events.push({
        kind: "info",
        message: {
          number: 0,
          state: 1,
          severity: 0,
          message: value === null ? "" : toText(value),
          lineNumber: statement.line,
        },
      });
      return {};
    }
    case "exec":
      await executeExec(statement, rt);
      return {};
    case "execString":
      await executeString(statement.value, rt);
      return {};
    case "raiserror":
      return raiserror(statement, rt);
    case "throw": {
      const number = Number(toNumber(evaluate(statement.number, rt) ?? 0));
      const state = Number(toNumber(evaluate(statement.state, rt) ?? 1));
      const message = evaluate(statement.message, rt);
      if (number < 50000)
        throw new SqlError(
          35100,
          `Error number ${number} in the THROW statement is outside the valid range. Specify an error number in the valid range of 50000 to 2147483647.`,
        );
      throw new SqlError(number, message === null ? "" : toText(message), 16, state);
    }
    case "waitfor":
      await waitFor(evaluate(statement.delay, rt), rt);
      return {};
    case "return":
      throw new BatchAborted("return");
    case "beginTransaction":
      rt.session.tranCount++;
      return {};
    case "commit":
      if (rt.session.tranCount === 0) {
        throw new SqlError(3902, "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.");
      }
      rt.session.tranCount--;
      return {};
    case "rollback":
      if (rt.session.tranCount === 0) {
        throw new SqlError(3903, "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.");
      }
      rt.session.tranCount = 0;
      return {};
    default:
      throw new SqlError(50000, `Statement ${(statement as Statement).kind} is not supported.`);
  }
}

async function tryCatch(body: Statement[], handler: Statement[], rt: Runtime): Promise<void> {
  let caught: CaughtError | undefined;
  rt.tryScopes.push(rt.scopeDepth);
  try {
    for (const statement of body) await runStatement(statement, rt);
  } catch (error) {
    if (!(error instanceof CaughtError)) throw error;
    caught = error;
  } finally {
    rt.tryScopes.pop();
  }
  if (!caught) return;
  rt.lastError = caught.error.number;
  rt.handling.push({ error: caught.error, line: caught.line });
  try {
    for (const statement of handler) await runStatement(statement, rt);
  } finally {
    rt.handling.pop();
  }
}

function executeSelectStatement(statement: SelectStatement, rt: Runtime): Outcome {
  const assigns = statement.items.filter((item) => item.kind === "assign");
  if (assigns.length === 0) {
    const resultSet = executeQuery(statement, rt);
    rt.events.push({ kind: "rows", resultSet });
    return { rowCount: resultSet.rows.length };
  }
  if (assigns.length !== statement.items.length) {
    throw new SqlError(
      141,
      "A SELECT statement that assigns a value to a variable must not be combined with data-retrieval operations.",
    );
  }
  const { scopes } = outputScopes(statement, rt);
  for (const scope of scopes) {
    for (const item of statement.items) {
      if (item.kind !== "assign") continue;
      const variable = getVariable(rt, item.variable);
      assign(variable, evaluate(item.expr, rt, scope));
    }
  }
  return { rowCount: scopes.length };
}

/** WAITFOR DELAY 'hh:mm[:ss[.mmm]]', cut short by an ATTENTION. */
async function waitFor(delay: SqlValue, rt: Runtime): Promise<void> {
  const match = /^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,3}))?)?\s*$/.exec(
    delay === null ? "" : toText(delay),
  );
  if (!match) throw new SqlError(148, "Incorrect time syntax in time string used with WAITFOR.", 15);
  const [, hours, minutes, seconds = "0", millis = "0"] = match;
  const end = Date.now() + ((+hours * 60 + +minutes) * 60 + +seconds) * 1000 + Number(millis.padEnd(3, "0"));
  while (Date.now() < end) {
    if (rt.session.cancelled) throw new Cancelled();
    await new Promise((resolve) => setTimeout(resolve, Math.min(20, end - Date.now())));
  }
}

function executeUse(name: string, rt: Runtime): Outcome {
  rt.model.canUseDatabase(rt.session.login, name);
  const id = rt.model.databaseId(name);
  const database = (id !== null && rt.model.databaseName(id)) || name;
  const oldValue = rt.session.database;
  rt.session.database = database;
  rt.events.push({ kind: "database", oldValue, newValue: database });
  rt.events.push({
    kind: "info",
    message: { number: 5701, state: 1, severity: 0, message: `Changed database context to '${database}'.` },
  });
  return {};
}

function applySetOption(option: string, value: string, rt: Runtime): void {
  for (const name of option.split(",")) {
    if (name === "NOCOUNT") rt.options.nocount = value === "ON";
    else if (name === "XACT_ABORT") rt.options.xactAbort = value === "ON";
    else if (ON_OFF_OPTIONS.has(name) || name !== "") rt.options.settings.set(name, value);
  }
}

function raiserror(statement: Extract<Statement, { kind: "raiserror" }>, rt: Runtime): Outcome {
  const template = evaluate(statement.message, rt);
  const severity = Number(toNumber(evaluate(statement.severity, rt) ?? 16));
  const state = Number(toNumber(evaluate(statement.state, rt) ?? 1));
  const args = statement.args.map((arg) => evaluate(arg, rt));
  const message = formatMessage(template === null ? "" : toText(template), args);
  if (severity <= 10) {
    rt.events.push({
      kind: "info",
      message: { number: 50000, state, severity, message, lineNumber: statement.line },
    });
    return {};
  }
  throw new SqlError(50000, message, Math.min(severity, 25), state);
}

/** printf-style substitution of RAISERROR: %s %d %i %u %x %X %o, %%. */
export function formatMessage(template: string, args: SqlValue[]): string {
  let next = 0;
  return template.replace(
    /%([-+ 0#]*)(\d+|\*)?(?:\.(\d+|\*))?(?:h|l|I64)?([disuoxX%])/g,
    (_match, _flags, width, _precision, type: string) => {
      if (type === "%") return "%";
      const value = args[next++];
      let text = value === null || value === undefined ? "(null)" : toText(value);
      if (type === "x" || type === "X" || type === "o") {
        const n = Number(toNumber(value ?? 0));
        text = n.toString(type === "o" ? 8 : 16);
        if (type === "X") text = text.toUpperCase();
      }
      return width && width !== "*" ? text.padStart(Number(width)) : text;
    },
  );
}

/** The state one batch runs with: session, variables, the events it produced, the row scopes of queries. */
import type { ExecContext, InstanceModel } from "../model/contract";
import { toCodePage1252 } from "./code-page";
import { convertValue } from "./values";
import {
  SqlError,
  type ColumnDef,
  type EngineEvent,
  type Session,
  type SqlType,
  type SqlValue,
} from "../types";

/** Per-session SET options. */
export interface SessionOptions {
  nocount: boolean;
  xactAbort: boolean;
  /** Everything else as written (TEXTSIZE, LANGUAGE, ANSI_NULLS, ...), upper-cased names. */
  settings: Map<string, string>;
}

export function defaultSessionOptions(): SessionOptions {
  return { nocount: false, xactAbort: false, settings: new Map() };
}

export interface Variable {
  type: SqlType;
  value: SqlValue;
  /** Declared varchar/char: text is stored in the code page. */
  nonUnicode?: boolean;
}

/** Stores a value in a variable, converted to its declared type as SET/SELECT do. */
export function assign(variable: Variable, value: SqlValue): void {
  const converted = convertValue(value, variable.type);
  variable.value =
    variable.nonUnicode && typeof converted === "string" ? toCodePage1252(converted) : converted;
}

export interface Runtime {
  readonly model: InstanceModel;
  readonly session: Session;
  readonly options: SessionOptions;
  readonly events: EngineEvent[];
  /** Variables of the current batch (or nested sp_executesql batch), by lower-case name without "@". */
  variables: Map<string, Variable>;
  /** @@ROWCOUNT and @@ERROR of the last statement. */
  lastRowCount: number;
  lastError: number;
  /** Nesting level of dynamic SQL (0: the batch itself). */
  scopeDepth: number;
  /** Scope depths of the enclosing BEGIN TRY blocks: statement errors go to their CATCH instead of the client. */
  tryScopes: number[];
  /** The errors being handled by the enclosing CATCH blocks, innermost last (ERROR_NUMBER() ...). */
  handling: Array<{ error: SqlError; line: number }>;
}

/** A statement error raised inside BEGIN TRY, on its way to the CATCH block. */
export class CaughtError extends Error {
  constructor(
    readonly error: SqlError,
    readonly line: number,
  ) {
    super(error.message);
  }
}

export function execContext(rt: Runtime, database = rt.session.database): ExecContext {
  return {
    login: rt.session.login,
    database,
    inTransaction: rt.session.tranCount > 0,
    info: (message) => rt.events.push({ kind: "info", message: { severity: 0, ...message } }),
  };
}

export function getVariable(rt: Runtime, name: string): Variable {
  const variable = rt.variables.get(name.toLowerCase());
  if (!variable) throw undeclaredVariable(name);
  return variable;
}

export function undeclaredVariable(name: string): SqlError {
  return new SqlError(137, `Must declare the scalar variable "@${name}".`, 15);
}

/** One table source of a query with the current row's values (null: no row, e.g. typing or an outer join miss). */
export interface SourceBinding {
  alias?: string;
  parts: string[];
  columns: ColumnDef[];
  values: SqlValue[] | null;
}

export interface RowScope {
  bindings: SourceBinding[];
  /** The enclosing query's row, for correlated subqueries. */
  outer?: RowScope;
  /** All rows of the group, when the select list aggregates. */
  group?: SourceBinding[][];
}

/** A compile error of dynamic SQL: an error of the EXEC statement, which never ends the outer batch. */
export class DynamicSqlError extends SqlError {
  static from(error: SqlError): DynamicSqlError {
    const wrapped = new DynamicSqlError(error.number, error.message, error.severity, error.state);
    return Object.assign(wrapped, { lineNumber: (error as SqlError & { lineNumber?: number }).lineNumber });
  }
}

/** Errors that stop the rest of the batch (name resolution, THROW, XACT_ABORT). */
export class BatchAborted extends Error {
  constructor(readonly reason: "compile" | "throw" | "xact_abort" | "return") {
    super(`batch aborted (${reason})`);
  }
}

/** BREAK / CONTINUE on their way to the enclosing WHILE. */
export class LoopControl extends Error {
  constructor(readonly action: "break" | "continue") {
    super(action);
  }
}

/** The client sent an ATTENTION. */
export class Cancelled extends Error {}

/** Name-resolution errors: like SQL Server's deferred compilation, they end the batch. */
export const BATCH_ABORTING_ERRORS = new Set([207, 208, 209, 4104, 137]);

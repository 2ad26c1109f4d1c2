/** SELECT over catalog tables: FROM/JOIN, WHERE, aggregates, ORDER BY, DISTINCT, TOP, projection. */
import { SqlError, type ColumnDef, type ResultSet, type SqlType, type SqlValue } from "../types";
import type { Expr, SelectStatement, TableSource } from "./ast";
import { equiJoinKeys, JoinedRowIndex } from "./equi-join";
import { containsAggregate, evaluate, truthy } from "./evaluate";
import { inferType } from "./infer-type";
import { loadCatalogTable } from "./resolve";
import type { RowScope, Runtime, SourceBinding } from "./runtime";
import { compareValues, toNumber, typeOfValue } from "./values";

interface Output {
  values: SqlValue[];
  sortKeys: SqlValue[];
  scope: RowScope;
}

/** Rows of the FROM/JOIN/WHERE part, one scope per row (a single empty row without FROM). */
export function filteredRows(
  stmt: SelectStatement,
  rt: Runtime,
  outer?: RowScope,
): { rows: RowScope[]; template: RowScope } {
  if (!stmt.from) {
    const scope = { bindings: [], outer };
    const passes = !stmt.where || truthy(evaluate(stmt.where, rt, scope));
    return { rows: passes ? [scope] : [], template: scope };
  }
  const load = (source: TableSource) => ({ source, table: loadCatalogTable(rt, source.parts) });
  const first = load(stmt.from);
  const joined = stmt.joins.map((join) => ({ join, ...load(join.source) }));
  const bind = (source: TableSource, columns: ColumnDef[], values: SqlValue[] | null): SourceBinding => ({
    alias: source.alias,
    parts: source.parts,
    columns,
    values,
  });
  const template: RowScope = {
    bindings: [
      bind(first.source, first.table.columns, null),
      ...joined.map((j) => bind(j.source, j.table.columns, null)),
    ],
    outer,
  };
  let rows: SourceBinding[][] = first.table.rows.map((values) => [
    bind(first.source, first.table.columns, values),
  ]);
  joined.forEach(({ join, table }, position) => {
    const leftSources = [stmt.from!, ...stmt.joins.slice(0, position).map((j) => j.source)];
    const keys = equiJoinKeys(join.on, join.source, leftSources);
    const every = table.rows.map((_, k) => k);
    let index: JoinedRowIndex | undefined;
    const next: SourceBinding[][] = [];
    for (const left of rows) {
      const withRow = (values: SqlValue[]) => [...left, bind(join.source, table.columns, values)];
      // The first left row runs the plain nested loop, so name errors surface exactly as before;
      // after it, evaluating the key columns cannot fail and the index narrows the candidates.
      if (keys && !index && left !== rows[0] && table.rows.length > 0) {
        index = new JoinedRowIndex(
          table.rows.map((values) => evaluate(keys.joined, rt, { bindings: withRow(values), outer })),
        );
      }
      const candidates =
        keys && index
          ? index.candidates(evaluate(keys.left, rt, { bindings: withRow(table.rows[0]), outer }))
          : every;
      let matched = false;
      for (const k of candidates) {
        const candidate = withRow(table.rows[k]);
        if (truthy(evaluate(join.on, rt, { bindings: candidate, outer }))) {
          next.push(candidate);
          matched = true;
        }
      }
      if (!matched && join.type === "LEFT") next.push([...left, bind(join.source, table.columns, null)]);
    }
    rows = next;
  });
  const scopes = rows.map((bindings) => ({ bindings, outer }));
  // Typing and name checks happen even when there are no rows, as SQL Server binds names at compile time.
  if (stmt.where) inferOrCheck(stmt.where, rt, template);
  return {
    rows: stmt.where ? scopes.filter((scope) => truthy(evaluate(stmt.where!, rt, scope))) : scopes,
    template,
  };
}

/** Binds every column reference of `expr` against the scope (207/209/4104 even on empty tables). */
function inferOrCheck(expr: Expr, rt: Runtime, scope: RowScope): void {
  if (expr.kind === "column") {
    inferType(expr, rt, scope);
    return;
  }
  if (expr.kind === "exists" || expr.kind === "subquery") return;
  for (const value of Object.values(expr)) {
    if (value && typeof value === "object" && "kind" in value) inferOrCheck(value as Expr, rt, scope);
    if (Array.isArray(value)) {
      for (const item of value) {
        if (item && typeof item === "object" && "kind" in item) inferOrCheck(item as Expr, rt, scope);
        if (item && typeof item === "object" && "when" in item) {
          inferOrCheck(item.when, rt, scope);
          inferOrCheck(item.then, rt, scope);
        }
      }
    }
  }
}

/** The type of a scalar subquery: its single column's, known even when it returns no row. */
export function subqueryType(stmt: SelectStatement, rt: Runtime, outer?: RowScope): SqlType | undefined {
  const item = stmt.items[0];
  if (!item || item.kind === "assign") return undefined;
  const bindings = (stmt.from ? [stmt.from, ...stmt.joins.map((j) => j.source)] : []).map((source) => ({
    alias: source.alias,
    parts: source.parts,
    columns: loadCatalogTable(rt, source.parts).columns,
    values: null,
  }));
  const template: RowScope = { bindings, outer };
  if (item.kind === "star") return bindings[0]?.columns[0]?.type;
  return inferType(item.expr, rt, containsAggregate(item.expr) ? { ...template, group: [] } : template);
}

export function isAggregated(stmt: SelectStatement): boolean {
  return (
    stmt.groupBy.length > 0 ||
    stmt.having !== undefined ||
    stmt.items.some((item) => item.kind !== "star" && containsAggregate(item.expr))
  );
}

/**
 * The scopes the select list is evaluated in: one per row, or one per group (GROUP BY),
 * or a single group of all rows when the list aggregates without GROUP BY; then HAVING.
 */
export function outputScopes(
  stmt: SelectStatement,
  rt: Runtime,
  outer?: RowScope,
): { scopes: RowScope[]; template: RowScope } {
  const { rows, template } = filteredRows(stmt, rt, outer);
  if (!isAggregated(stmt)) return { scopes: rows, template };
  let groups: RowScope[][] = [rows];
  if (stmt.groupBy.length > 0) {
    groups = [];
    const keys: SqlValue[][] = [];
    for (const row of rows) {
      const key = stmt.groupBy.map((expr) => evaluate(expr, rt, row));
      const index = keys.findIndex((other) => other.every((v, k) => sameValue(v, key[k])));
      if (index >= 0) groups[index].push(row);
      else {
        keys.push(key);
        groups.push([row]);
      }
    }
  }
  const scopes = groups.map((group) => ({
    bindings: group[0]?.bindings ?? template.bindings,
    outer,
    group: group.map((row) => row.bindings),
  }));
  return {
    scopes: stmt.having ? scopes.filter((scope) => truthy(evaluate(stmt.having!, rt, scope))) : scopes,
    template,
  };
}

/** Runs a query and returns its result set. */
export function executeQuery(stmt: SelectStatement, rt: Runtime, outer?: RowScope): ResultSet {
  const { scopes, template } = outputScopes(stmt, rt, outer);
  const aggregated = isAggregated(stmt);

  const columns: ColumnDef[] = [];
  const columnTypesKnown: boolean[] = [];
  for (const item of stmt.items) {
    if (item.kind === "assign")
      throw new SqlError(
        141,
        "A SELECT statement that assigns a value to a variable must not be combined with data-retrieval operations.",
      );
    if (item.kind === "star") {
      const bindings = starBindings(template, item.qualifier);
      for (const binding of bindings) {
        for (const column of binding.columns) {
          columns.push({ ...column });
          columnTypesKnown.push(true);
        }
      }
      continue;
    }
    const type = inferType(item.expr, rt, aggregated ? { ...template, group: [] } : template);
    const name =
      item.alias ?? (item.expr.kind === "column" ? item.expr.parts[item.expr.parts.length - 1] : "");
    columns.push({ name, type: type ?? { kind: "int" }, nullable: true });
    columnTypesKnown.push(type !== undefined);
  }

  let outputs: Output[] = scopes.map((scope) => ({ scope, values: project(stmt, rt, scope), sortKeys: [] }));
  if (stmt.orderBy.length > 0) {
    for (const output of outputs) {
      output.sortKeys = stmt.orderBy.map((order) => sortKey(order.expr, stmt, columns, output, rt));
    }
    outputs.sort((a, b) => {
      for (let k = 0; k < stmt.orderBy.length; k++) {
        const x = a.sortKeys[k];
        const y = b.sortKeys[k];
        const c = x === null ? (y === null ? 0 : -1) : y === null ? 1 : (compareValues(x, y) ?? 0);
        if (c !== 0) return stmt.orderBy[k].descending ? -c : c;
      }
      return 0;
    });
  }
  if (stmt.distinct) {
    outputs = outputs.filter(
      (output, index) =>
        outputs.findIndex((other) => other.values.every((v, k) => sameValue(v, output.values[k]))) === index,
    );
  }
  if (stmt.top) {
    const top = evaluate(stmt.top, rt, outer);
    outputs = outputs.slice(0, top === null ? 0 : Math.max(0, Number(toNumber(top))));
  }
  const resultRows = outputs.map((o) => o.values);
  columns.forEach((column, k) => {
    if (columnTypesKnown[k]) return;
    const sample = resultRows.find((row) => row[k] !== null)?.[k];
    if (sample !== undefined && sample !== null) column.type = typeOfValue(sample);
  });
  return { columns, rows: resultRows };
}

function starBindings(scope: RowScope, qualifier?: string): SourceBinding[] {
  if (scope.bindings.length === 0) throw new SqlError(263, "Must specify table to select from.");
  if (!qualifier) return scope.bindings;
  const matching = scope.bindings.filter(
    (b) => (b.alias ?? b.parts[b.parts.length - 1]).toLowerCase() === qualifier.toLowerCase(),
  );
  if (matching.length === 0)
    throw new SqlError(4104, `The multi-part identifier "${qualifier}" could not be bound.`);
  return matching;
}

function project(stmt: SelectStatement, rt: Runtime, scope: RowScope): SqlValue[] {
  const values: SqlValue[] = [];
  for (const item of stmt.items) {
    if (item.kind === "star") {
      for (const binding of starBindings(scope, item.qualifier)) {
        values.push(...(binding.values ?? binding.columns.map(() => null)));
      }
    } else if (item.kind === "expr") values.push(evaluate(item.expr, rt, scope));
  }
  return values;
}

/** ORDER BY may name a select-list alias or a 1-based column position. */
function sortKey(
  expr: Expr,
  stmt: SelectStatement,
  columns: ColumnDef[],
  output: Output,
  rt: Runtime,
): SqlValue {
  if (expr.kind === "literal" && typeof expr.value === "number") {
    const index = expr.value - 1;
    if (index < 0 || index >= output.values.length) {
      throw new SqlError(
        108,
        `The ORDER BY position number ${expr.value} is out of range of the number of items in the select list.`,
      );
    }
    return output.values[index];
  }
  if (expr.kind === "column" && expr.parts.length === 1) {
    const aliased = stmt.items.findIndex(
      (item) => item.kind === "expr" && item.alias?.toLowerCase() === expr.parts[0].toLowerCase(),
    );
    if (aliased >= 0) {
      const index = columns.findIndex((c) => c.name.toLowerCase() === expr.parts[0].toLowerCase());
      if (index >= 0) return output.values[index];
    }
  }
  return evaluate(expr, rt, output.scope);
}

function sameValue(a: SqlValue, b: SqlValue): boolean {
  if (a === null || b === null) return a === b;
  return compareValues(a, b) === 0;
}

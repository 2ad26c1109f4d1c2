/** Name resolution: catalog objects for FROM, and column references against the row scopes. */
import type { CatalogTable } from "../model/contract";
import { SqlError, type ColumnDef, type SqlValue } from "../types";
import { execContext, type RowScope, type Runtime } from "./runtime";

/**
 * Catalog views and DMVs by the model's lower-case names: sys.x (in the current or named database),
 * msdb.dbo.backupset, ... Unknown: 208 with the name as written.
 */
export function loadCatalogTable(rt: Runtime, parts: string[]): CatalogTable {
  const lower = parts.map((p) => p.toLowerCase());
  const database = rt.session.database;
  const candidates: Array<[string, string]> = [];
  if (lower.length === 1) candidates.push([`${database.toLowerCase()}.dbo.${lower[0]}`, database]);
  else if (lower.length === 2) {
    if (lower[0] === "sys") candidates.push([`sys.${lower[1]}`, database]);
    else candidates.push([`${database.toLowerCase()}.${lower[0]}.${lower[1]}`, database]);
  } else if (lower.length === 3) {
    const schema = lower[1] || "dbo";
    if (schema === "sys") candidates.push([`sys.${lower[2]}`, canonicalDatabase(rt, parts[0])]);
    else candidates.push([`${lower[0]}.${schema}.${lower[2]}`, database]);
  }
  candidates.push([lower.join("."), database]);
  for (const [name, db] of candidates) {
    const table = rt.model.catalogTable(name, execContext(rt, db));
    if (table) return table;
  }
  throw new SqlError(208, `Invalid object name '${parts.join(".")}'.`);
}

function canonicalDatabase(rt: Runtime, name: string): string {
  const id = rt.model.databaseId(name);
  return (id !== null && rt.model.databaseName(id)) || name;
}

export interface ResolvedColumn {
  def: ColumnDef;
  value: SqlValue;
}

/** Lower-case name → first position, per column list; `length` notices columns appended later. */
const columnIndexes = new WeakMap<readonly ColumnDef[], { length: number; byName: Map<string, number> }>();

/**
 * Position of the first column named `lowerName` (case-insensitive), -1 when none. Every row of a
 * source shares its column list, so the names are lower-cased once per list, not once per row.
 */
function columnIndex(columns: readonly ColumnDef[], lowerName: string): number {
  let entry = columnIndexes.get(columns);
  if (!entry || entry.length !== columns.length) {
    const byName = new Map<string, number>();
    columns.forEach((c, k) => {
      const name = c.name.toLowerCase();
      if (!byName.has(name)) byName.set(name, k);
    });
    entry = { length: columns.length, byName };
    columnIndexes.set(columns, entry);
  }
  return entry.byName.get(lowerName) ?? -1;
}

export function resolveColumn(parts: string[], scope: RowScope | undefined): ResolvedColumn {
  const column = parts[parts.length - 1].toLowerCase();
  const qualifier = parts.length > 1 ? parts[parts.length - 2].toLowerCase() : undefined;
  for (let current = scope; current; current = current.outer) {
    const matches: ResolvedColumn[] = [];
    let qualifierFound = false;
    for (const binding of current.bindings) {
      if (qualifier !== undefined) {
        const name = (binding.alias ?? binding.parts[binding.parts.length - 1]).toLowerCase();
        if (name !== qualifier) continue;
        qualifierFound = true;
      }
      const index = columnIndex(binding.columns, column);
      if (index >= 0)
        matches.push({ def: binding.columns[index], value: binding.values ? binding.values[index] : null });
    }
    if (matches.length > 1) throw new SqlError(209, `Ambiguous column name '${parts[parts.length - 1]}'.`);
    if (matches.length === 1) return matches[0];
    if (qualifierFound) break;
  }
  if (qualifier !== undefined && !qualifierBound(qualifier, scope)) {
    throw new SqlError(4104, `The multi-part identifier "${parts.join(".")}" could not be bound.`);
  }
  throw new SqlError(207, `Invalid column name '${parts[parts.length - 1]}'.`);
}

function qualifierBound(qualifier: string, scope: RowScope | undefined): boolean {
  for (let current = scope; current; current = current.outer) {
    if (current.bindings.some((b) => (b.alias ?? b.parts[b.parts.length - 1]).toLowerCase() === qualifier))
      return true;
  }
  return false;
}

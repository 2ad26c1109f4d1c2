/**
 * Which rows of a joined table can satisfy `ON a.x = b.y [AND ...]` for one left row, found by
 * hashing the key instead of evaluating ON for every pair: the catalog queries join hundreds of
 * availability groups to hundreds of replicas, and the nested loop made each of them quadratic.
 *
 * The answer is a superset in table order, and the caller still evaluates ON for every candidate,
 * so results, errors and their order are the nested loop's. A row is left out only when the
 * equality is certainly false: both keys are strings that differ ignoring case and trailing spaces
 * (compareValues), or both are numbers that differ. ON then yields FALSE without evaluating more,
 * since AND evaluates its left operand first and stops at FALSE.
 */
import type { SqlValue } from "../types";
import type { Expr, TableSource } from "./ast";

/** The equality ON evaluates first, split into the joined table's side and the left rows' side. */
export interface EquiJoinKeys {
  joined: Expr;
  left: Expr;
}

/** The equality AND evaluates first: the leftmost operand of a chain of ANDs. */
function firstConjunct(on: Expr): Expr {
  let expr = on;
  while (expr.kind === "binary" && expr.op === "AND") expr = expr.left;
  return expr;
}

const sourceName = (source: TableSource) =>
  (source.alias ?? source.parts[source.parts.length - 1]).toLowerCase();

/** The lower-case qualifier of a column reference (`r` in `r.group_id`), undefined when unqualified. */
function qualifierOf(expr: Expr): string | undefined {
  if (expr.kind !== "column" || expr.parts.length < 2) return undefined;
  return expr.parts[expr.parts.length - 2].toLowerCase();
}

/**
 * The keys when ON starts with `p.col = q.col`, one qualified by the joined table only and the
 * other by a left table only; undefined for anything else (those joins stay a nested loop).
 */
export function equiJoinKeys(
  on: Expr,
  joined: TableSource,
  leftSources: TableSource[],
): EquiJoinKeys | undefined {
  const eq = firstConjunct(on);
  if (eq.kind !== "binary" || eq.op !== "=") return undefined;
  const joinedName = sourceName(joined);
  const leftNames = new Set(leftSources.map(sourceName));
  const side = (expr: Expr): "joined" | "left" | undefined => {
    const q = qualifierOf(expr);
    if (q === undefined) return undefined;
    if (q === joinedName && !leftNames.has(q)) return "joined";
    if (q !== joinedName && leftNames.has(q)) return "left";
    return undefined;
  };
  const [l, r] = [side(eq.left), side(eq.right)];
  if (l === "joined" && r === "left") return { joined: eq.left, left: eq.right };
  if (l === "left" && r === "joined") return { joined: eq.right, left: eq.left };
  return undefined;
}

/** compareValues' string equality: case-insensitive, trailing spaces ignored. */
function stringKey(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return text.slice(0, end).toUpperCase();
}

const isPlainNumber = (v: SqlValue): v is number => typeof v === "number" && !Number.isNaN(v);

/** Ascending merge of two ascending index lists. */
function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}

/** The joined table's rows indexed by their key value, built once per join. */
export class JoinedRowIndex {
  private readonly byString = new Map<string, number[]>();
  private readonly byNumber = new Map<number, number[]>();
  /** Rows a string key cannot rule out: their key is not a string (NULL, number, ...). */
  private readonly notString: number[] = [];
  /** Rows a number key cannot rule out: their key is not a number. */
  private readonly notNumber: number[] = [];
  private readonly all: number[];

  constructor(keys: readonly SqlValue[]) {
    this.all = keys.map((_, k) => k);
    keys.forEach((key, k) => {
      if (typeof key === "string") push(this.byString, stringKey(key), k);
      else this.notString.push(k);
      if (isPlainNumber(key)) push(this.byNumber, key, k);
      else this.notNumber.push(k);
    });
  }

  /** Row indexes, ascending, whose ON may hold for a left row with key `key`. */
  candidates(key: SqlValue): readonly number[] {
    if (typeof key === "string")
      return mergeAscending(this.byString.get(stringKey(key)) ?? [], this.notString);
    if (isPlainNumber(key)) return mergeAscending(this.byNumber.get(key) ?? [], this.notNumber);
    return this.all;
  }
}

function push<K>(map: Map<K, number[]>, key: K, index: number): void {
  const list = map.get(key);
  if (list) list.push(index);
  else map.set(key, [index]);
}

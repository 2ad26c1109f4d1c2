import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlValue } from "../types";
import { equiJoinKeys, JoinedRowIndex } from "./equi-join";
import { createHarness, errors, resultSets, type Harness } from "./fixtures/harness";
import { compareValues } from "./values";

/** Values of every kind a catalog column or expression can hold, with the near-misses that matter. */
const VALUES: SqlValue[] = [
  null,
  "SalesDb",
  "salesdb",
  "SALESDB  ",
  " SalesDb",
  "salesdb\t",
  "",
  "  ",
  "1",
  "01",
  " 1 ",
  "x1",
  1,
  1.0,
  -0,
  0,
  2.5,
  NaN,
  5n,
  true,
  false,
  new Date(0),
  Buffer.from([1]),
];

/** May `left = right` be TRUE, UNKNOWN or an error? Only a certain FALSE lets the index skip a row. */
function mayNotBeFalse(left: SqlValue, right: SqlValue): boolean {
  try {
    const c = compareValues(left, right);
    return c === null || c === 0;
  } catch {
    return true;
  }
}

describe("JoinedRowIndex", () => {
  it("keeps, in table order, every row whose equality is not certainly FALSE", () => {
    const index = new JoinedRowIndex(VALUES);
    for (const left of VALUES) {
      const candidates = [...index.candidates(left)];
      const required = VALUES.map((right, k) => (mayNotBeFalse(left, right) ? k : -1)).filter((k) => k >= 0);
      for (const k of required) expect(candidates, `left ${String(left)} row ${k}`).toContain(k);
      expect(candidates).toEqual([...candidates].sort((a, b) => a - b));
      expect(new Set(candidates).size).toBe(candidates.length);
    }
  });

  it("narrows string keys to rows equal ignoring case and trailing spaces, plus non-strings", () => {
    const index = new JoinedRowIndex(["a", "B", "A  ", null, 7]);
    expect(index.candidates("a ")).toEqual([0, 2, 3, 4]);
    expect(index.candidates(7)).toEqual([0, 1, 2, 3, 4]);
    expect(index.candidates(8)).toEqual([0, 1, 2, 3]);
    expect(index.candidates(null)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("equiJoinKeys", () => {
  const col = (...parts: string[]) => ({ kind: "column" as const, parts });
  const eq = (left: ReturnType<typeof col>, right: ReturnType<typeof col>) => ({
    kind: "binary" as const,
    op: "=" as const,
    left,
    right,
  });
  const ag = { parts: ["sys", "availability_groups"], alias: "ag" };
  const r = { parts: ["sys", "availability_replicas"], alias: "r" };

  it("splits the first equality of ON into the joined table's side and the left side", () => {
    const on = eq(col("ag", "group_id"), col("R", "group_id"));
    expect(equiJoinKeys(on, r, [ag])).toEqual({ joined: on.right, left: on.left });
    const chained = { kind: "binary" as const, op: "AND" as const, left: on, right: col("r", "x") };
    expect(equiJoinKeys(chained, r, [ag])?.joined).toBe(on.right);
  });

  it("leaves other conditions to the nested loop", () => {
    expect(equiJoinKeys(eq(col("group_id"), col("r", "group_id")), r, [ag])).toBeUndefined();
    expect(equiJoinKeys(eq(col("r", "a"), col("r", "b")), r, [ag])).toBeUndefined();
    const same = { parts: ["sys", "availability_replicas"] };
    expect(equiJoinKeys(eq(col("availability_replicas", "a"), col("r", "b")), same, [same])).toBeUndefined();
    const or = {
      kind: "binary" as const,
      op: "OR" as const,
      left: eq(col("ag", "a"), col("r", "b")),
      right: col("r", "c"),
    };
    expect(equiJoinKeys(or, r, [ag])).toBeUndefined();
  });
});

describe("JOIN ... ON a.x = b.y over catalog views", () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness({
      databases: [{ name: "full" }, { name: "Simple" }, { name: "HrDb", recoveryModel: "SIMPLE" }],
    });
  });
  afterEach(() => h.dispose());

  it("returns the rows, in the order, of the same condition evaluated for every pair", async () => {
    const pairs = [
      "d.recovery_model_desc = r.name",
      "r.name = d.recovery_model_desc",
      "d.database_id = r.database_id",
      "d.recovery_model = r.database_id",
    ];
    for (const condition of pairs) {
      for (const join of ["JOIN", "LEFT JOIN"]) {
        const columns = "d.name AS d_name, r.name AS r_name";
        const hashed = await h.run(
          `SELECT ${columns} FROM sys.databases d ${join} sys.databases r ON ${condition}`,
        );
        const looped = await h.run(
          `SELECT ${columns} FROM sys.databases d ${join} sys.databases r ON 1 = 1 AND ${condition}`,
        );
        expect(errors(hashed)).toEqual([]);
        expect(resultSets(hashed)[0].rows, `${join} ON ${condition}`).toEqual(resultSets(looped)[0].rows);
      }
    }
    // Case-insensitive: 'FULL' and 'SIMPLE' meet the databases named 'full' and 'Simple'.
    const [set] = resultSets(
      await h.run(
        "SELECT d.name, r.name FROM sys.databases d JOIN sys.databases r ON d.recovery_model_desc = r.name ORDER BY d.name",
      ),
    );
    expect(set.rows).toContainEqual(["HrDb", "Simple"]);
    expect(set.rows).toContainEqual(["full", "full"]);
  });

  it("raises the nested loop's errors: an unknown column, and a text that is not a number", async () => {
    const unknown = errors(
      await h.run("SELECT 1 FROM sys.databases d JOIN sys.databases r ON d.database_id = r.no_such_column"),
    );
    expect(unknown.map((e) => e.number)).toEqual([207]);
    const conversion = errors(
      await h.run("SELECT 1 FROM sys.databases d JOIN sys.databases r ON d.database_id = r.name"),
    );
    expect(conversion.map((e) => e.number)).toEqual([245]);
  });
});

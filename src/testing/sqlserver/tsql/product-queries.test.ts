import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as queries from "../../../tsql/queries";
import type { ColumnDef, EngineEvent } from "../types";
import { createHarness, errors, records, resultSets, type Harness } from "./fixtures/harness";

/** The package's own catalog queries, sent as drivers send them (sp_executesql RPC with parameters). */
let h: Harness;
beforeEach(() => {
  h = createHarness({ databases: [{ name: "SalesDb" }] });
});
afterEach(() => h.dispose());

function runQuery(text: string, value: string): Promise<EngineEvent[]> {
  // Parameters are the @names the text uses but does not DECLARE itself.
  const declared = new Set([...text.matchAll(/DECLARE\s+(@\w+)/gi)].map((m) => m[1]));
  const names = [...new Set(text.match(/@[a-z]\w*/g) ?? [])].filter((name) => !declared.has(name));
  return h.engine.executeRpc(h.session, "sp_executesql", [
    { name: "", type: { kind: "nvarchar", length: "max" }, value: text, output: false },
    {
      name: "",
      type: { kind: "nvarchar", length: "max" },
      value: names.map((n) => `${n} nvarchar(128)`).join(", "),
      output: false,
    },
    ...names.map((name) => ({
      name,
      type: { kind: "nvarchar" as const, length: 128 },
      value,
      output: false,
    })),
  ]);
}

const columnType = (columns: ColumnDef[], name: string) => columns.find((c) => c.name === name)?.type;

describe("the package's catalog queries", () => {
  const constant = Object.entries(queries).filter(([, v]) => typeof v === "string") as Array<
    [string, string]
  >;
  for (const [name, text] of constant) {
    it(`${name} runs without error`, async () => {
      const events = await runQuery(text, "SalesDb");
      expect(errors(events)).toEqual([]);
      expect(resultSets(events).length).toBeGreaterThan(0);
    });
  }

  it("types scalar subqueries by their column even when they return no row", async () => {
    const events = await runQuery(queries.databasesQuery(1), "SalesDb");
    const [set] = resultSets(events);
    expect(set.rows).toHaveLength(1);
    expect(columnType(set.columns, "last_full_backup")).toEqual({ kind: "datetime" });
    expect(columnType(set.columns, "availability_group_name")?.kind).toBe("nvarchar");
    const [key] = resultSets(await runQuery(queries.MASTER_KEY_QUERY, ""));
    expect(columnType(key.columns, "is_encrypted_by_server")).toEqual({ kind: "bit" });
  });

  it("answers the lookup batch with one result set per SELECT, empty ones included", async () => {
    await h.run(
      `CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'Batch-Test-1!';
       CREATE CERTIFICATE [Cert_OTHER_endpoint] WITH SUBJECT = N'other server';
       CREATE CERTIFICATE [Unrelated] WITH SUBJECT = N'not an endpoint certificate';`,
    );
    const events = await runQuery(queries.sqlServerLookupQuery(1), "SalesDb");
    expect(errors(events)).toEqual([]);
    const [server, databases, endpoint, certificates] = resultSets(events);
    expect(resultSets(events)).toHaveLength(4);
    expect(server.rows).toHaveLength(1);
    expect(records(databases).map((row) => row.name)).toEqual(["SalesDb"]);
    // No mirroring endpoint: an empty result set still comes, with its columns.
    expect(endpoint.rows).toEqual([]);
    expect(endpoint.columns.map((c) => c.name)).toContain("certificate_name");
    expect(records(certificates).map((row) => row.name)).toEqual(["Cert_OTHER_endpoint"]);

    await h.run(
      `CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022)
         FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = CERTIFICATE [Unrelated]);`,
    );
    const withEndpoint = resultSets(await runQuery(queries.sqlServerLookupQuery(1), "SalesDb"));
    expect(records(withEndpoint[2]).map((row) => row.certificate_name)).toEqual(["Unrelated"]);
    // The endpoint's certificate comes by its id, whatever its name.
    expect(records(withEndpoint[3]).map((row) => row.name)).toEqual(["Cert_OTHER_endpoint", "Unrelated"]);
  });
});

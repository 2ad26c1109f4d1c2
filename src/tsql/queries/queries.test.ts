import { describe, expect, it } from "vitest";
import * as queries from "./index";

const constantQueries = Object.entries(queries).filter(([, value]) => typeof value === "string") as [
  string,
  string,
][];

describe("catalog queries", () => {
  it("take values only as parameters: no string literal but fixed catalog constants", () => {
    for (const [name, sql] of constantQueries) {
      const withoutPropertyNames = sql.replace(/SERVERPROPERTY\('[A-Za-z]+'\)/g, "SERVERPROPERTY(?)");
      const literals = withoutPropertyNames.match(/N?'[^']*'/g) ?? [];
      for (const literal of literals) {
        // The LIKE pattern of the default endpoint certificate names is a fixed constant too.
        expect([`'D'`, `'L'`, `N'master'`, `N'Cert[_]%[_]endpoint'`], `${name}: ${literal}`).toContain(
          literal,
        );
      }
    }
  });

  it("build the database query from placeholders only", () => {
    expect(queries.databasesQuery(3)).toContain("WHERE d.name IN (@db0, @db1, @db2)");
    expect(queries.databasesQuery(0)).not.toContain("d.name IN");
    expect(() => queries.databasesQuery(-1)).toThrow(RangeError);
    expect(queries.databaseParamName(7)).toBe("db7");
  });

  it("send the lookup as one batch of SELECTs, the database result set only when names are asked for", () => {
    const statements = (sql: string) => sql.split(/;\n/).map((s) => s.trim().split(/\s+/)[0]);
    expect(statements(queries.sqlServerLookupQuery(2))).toEqual(["SELECT", "SELECT", "SELECT", "SELECT"]);
    expect(queries.sqlServerLookupQuery(2)).toContain("WHERE d.name IN (@db0, @db1)");
    expect(statements(queries.sqlServerLookupQuery(0))).toEqual(["SELECT", "SELECT", "SELECT"]);
    expect(queries.sqlServerLookupQuery(0)).not.toContain("sys.databases");
  });

  it("read LSNs as text so no digit is lost", () => {
    expect(queries.LINK_STATE_QUERY).toContain("CAST(drs.last_hardened_lsn AS nvarchar(40))");
    expect(queries.BACKUP_HISTORY_QUERY).toContain("CAST(b.first_lsn AS nvarchar(40))");
  });
});

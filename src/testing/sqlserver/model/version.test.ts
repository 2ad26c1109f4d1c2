import { describe, expect, it } from "vitest";
import { createInstanceModel } from "./index";
import { execContext } from "./test-support";
import { parseProductVersion } from "./version";

describe("product version", () => {
  it("derives SERVERPROPERTY values and @@VERSION from the build", () => {
    const model = createInstanceModel();
    expect(model.serverProperty("ProductVersion")).toBe("16.0.4125.3");
    expect(model.serverProperty("productmajorversion")).toBe("16");
    expect(model.serverProperty("ProductLevel")).toBe("RTM");
    expect(model.serverProperty("ProductUpdateLevel")).toBe("CU13");
    expect(model.serverProperty("Edition")).toBe("Developer Edition (64-bit)");
    expect(model.serverProperty("EngineEdition")).toBe(3);
    expect(model.serverProperty("IsHadrEnabled")).toBe(1);
    expect(model.serverProperty("Collation")).toBe("SQL_Latin1_General_CP1_CI_AS");
    expect(model.serverProperty("MachineName")).toBe("SQL1");
    expect(model.serverProperty("NoSuchProperty")).toBeNull();
    expect(model.versionString()).toMatch(/^Microsoft SQL Server 2022 \(RTM-CU13\) - 16\.0\.4125\.3 \(X64\)/);
  });

  it("knows the releases the link supports", () => {
    const cases: Array<[string, number, string, string | null]> = [
      ["13.0.6300.2", 2016, "SP3", null],
      ["13.0.7000.253", 2016, "SP3", null],
      ["14.0.3456.2", 2017, "RTM", "CU31"],
      ["15.0.4312.2", 2019, "RTM", "CU20"],
      ["16.0.1000.6", 2022, "RTM", null],
      ["16.0.4095.4", 2022, "RTM", "CU10"],
      ["17.0.1000.7", 2025, "RTM", null],
    ];
    for (const [version, year, level, update] of cases) {
      expect(parseProductVersion(version)).toMatchObject({ year, level, updateLevel: update });
    }
    expect(createInstanceModel({ productVersion: "13.0.6300.2" }).versionString()).toMatch(
      /^Microsoft SQL Server 2016 \(SP3\) - 13\.0\.6300\.2/,
    );
    expect(() => parseProductVersion("12.0.6024.0")).toThrow(/Unsupported/);
    expect(() => parseProductVersion("16.0")).toThrow(/Invalid/);
  });

  it("names system views case-insensitively and in three-part form", () => {
    const model = createInstanceModel();
    const ctx = execContext("sa", "msdb");
    expect(model.catalogTable("[master].[sys].[databases]", ctx)?.rows).toHaveLength(4);
    expect(model.catalogTable("dbo.backupset", ctx)?.rows).toEqual([]);
    expect(model.catalogTable("sys.no_such_view", ctx)).toBeUndefined();
    expect(model.catalogTable("dbo.backupset", execContext())).toBeUndefined();
  });

  it("refuses the DMVs to a login without VIEW SERVER STATE (300)", () => {
    const model = createInstanceModel({
      logins: [
        { name: "sa", password: "a" },
        { name: "app", password: "b" },
      ],
    });
    expect(() => model.catalogTable("sys.dm_hadr_database_replica_states", execContext("app"))).toThrow(
      /VIEW SERVER STATE/,
    );
    expect(model.catalogTable("sys.databases", execContext("app"))?.rows).toHaveLength(4);
  });
});

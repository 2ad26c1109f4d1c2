import { describe, expect, it } from "vitest";
import { TsqlInputError } from "./quote";
import {
  clusterTypeClause,
  compareProductVersions,
  linkSupport,
  parseProductVersion,
  releaseOf,
  supportsFailback,
  supportsTsqlDagFailover,
} from "./versions";

const toMi = { initialPrimary: "SqlServer", failoverMode: "None" } as const;
const twoWay = { initialPrimary: "SqlServer", failoverMode: "Manual" } as const;
const fromMi = { initialPrimary: "ManagedInstance", failoverMode: "Manual" } as const;

describe("parseProductVersion", () => {
  it("parses ProductVersion into its four parts", () => {
    expect(parseProductVersion("16.0.4125.3")).toEqual({ major: 16, minor: 0, build: 4125, revision: 3 });
    expect(parseProductVersion("17")).toEqual({ major: 17, minor: 0, build: 0, revision: 0 });
  });

  it("refuses anything else", () => {
    for (const bad of ["", "16.0.x", "v16", "16..0", "16.0.1.2.3", "16.0.4125.3; DROP"]) {
      expect(() => parseProductVersion(bad), bad).toThrow(TsqlInputError);
    }
  });

  it("compares numerically, not as text", () => {
    expect(compareProductVersions("16.0.4125.3", "16.0.4095.4")).toBeGreaterThan(0);
    expect(compareProductVersions("15.0.900.1", "15.0.4312.2")).toBeLessThan(0);
    expect(compareProductVersions("16.0.4125.3", "16.0.4125.3")).toBe(0);
  });
});

describe("linkSupport", () => {
  it("refuses SQL Server 2014 and earlier", () => {
    const result = linkSupport("12.0.6024.0", toMi);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/does not support/);
      expect(result.fix).toMatch(/2016 SP3/);
    }
    expect(releaseOf("11.0.7001.0")).toBeUndefined();
  });

  it("SQL Server 2016 needs SP3 and the Azure Connect pack", () => {
    expect(linkSupport("13.0.6300.2", toMi)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Azure Connect/),
    });
    expect(linkSupport("13.0.5026.0", toMi)).toMatchObject({ ok: false, fix: expect.stringMatching(/SP3/) });
    expect(linkSupport("13.0.7000.253", toMi)).toEqual({ ok: true });
    expect(linkSupport("13.0.7000.253", twoWay)).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/"None"/),
    });
  });

  it("SQL Server 2017 CU31 works only with the Azure Connect pack", () => {
    expect(linkSupport("14.0.3456.2", toMi)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Azure Connect/),
    });
    expect(linkSupport("14.0.3490.10", toMi)).toEqual({ ok: true });
    expect(linkSupport("14.0.3451.2", toMi)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/CU31/),
    });
  });

  it("SQL Server 2019 needs CU20 and is one-way only", () => {
    expect(linkSupport("15.0.4312.2", toMi)).toEqual({ ok: true });
    expect(linkSupport("15.0.4298.1", toMi)).toMatchObject({ ok: false, fix: expect.stringMatching(/CU20/) });
    expect(linkSupport("15.0.4312.2", twoWay).ok).toBe(false);
    expect(linkSupport("15.0.4430.1", fromMi)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/initial primary/),
    });
  });

  it("SQL Server 2022 links from RTM; the MI as initial primary needs CU10 and the 2022 policy", () => {
    expect(linkSupport("16.0.1000.6", toMi)).toEqual({ ok: true });
    expect(linkSupport("16.0.1000.6", twoWay)).toEqual({ ok: true });
    expect(linkSupport("16.0.1000.6", fromMi)).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/CU10/),
    });
    expect(linkSupport("16.0.4095.4", fromMi)).toEqual({ ok: true });
    expect(linkSupport("16.0.4095.4", { ...fromMi, databaseFormat: "SQLServer2022" })).toEqual({ ok: true });
    expect(linkSupport("16.0.4095.4", { ...fromMi, databaseFormat: "AlwaysUpToDate" })).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/SQLServer2022/),
    });
  });

  it("SQL Server 2025 supports everything from RTM", () => {
    expect(linkSupport("17.0.1000.7", fromMi)).toEqual({ ok: true });
    expect(linkSupport("17.0.900.1", toMi).ok).toBe(false);
  });

  it("treats newer majors like the newest known release", () => {
    expect(linkSupport("18.0.100.1", fromMi)).toEqual({ ok: true });
  });
});

describe("supportsTsqlDagFailover", () => {
  it("starts at SQL Server 2022 CU13", () => {
    expect(supportsTsqlDagFailover("16.0.4115.5")).toBe(false);
    expect(supportsTsqlDagFailover("16.0.4125.3")).toBe(true);
    expect(supportsTsqlDagFailover("17.0.1000.7")).toBe(true);
    expect(supportsTsqlDagFailover("15.0.4430.1")).toBe(false);
    expect(supportsTsqlDagFailover("12.0.6024.0")).toBe(false);
  });
});

describe("supportsFailback", () => {
  it("needs SQL Server 2022 CU10 with an MI on the 2022 policy, or 2025 on the 2025 policy", () => {
    expect(supportsFailback("16.0.4095.4", "SQLServer2022")).toBe(true);
    expect(supportsFailback("16.0.1000.6", "SQLServer2022")).toBe(false);
    expect(supportsFailback("16.0.4125.3", "AlwaysUpToDate")).toBe(false);
    expect(supportsFailback("16.0.4125.3", "SQLServer2025")).toBe(false);
    expect(supportsFailback("17.0.1000.7", "SQLServer2025")).toBe(true);
    expect(supportsFailback("15.0.4430.1", "SQLServer2022")).toBe(false);
    expect(supportsFailback("14.0.3490.10", "SQLServer2022")).toBe(false);
  });
});

describe("clusterTypeClause", () => {
  it("is omitted for SQL Server 2016 only", () => {
    expect(clusterTypeClause("13.0.7000.253")).toBe("");
    expect(clusterTypeClause("14.0.3490.10")).toBe("WITH (CLUSTER_TYPE = NONE)");
    expect(clusterTypeClause("16.0.4125.3")).toBe("WITH (CLUSTER_TYPE = NONE)");
  });
});

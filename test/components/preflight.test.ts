import { describe, expect, it } from "vitest";
import { hostPreparationEnablesAlwaysOn } from "../../src/components/host-preparation";
import { resolveLinkNames } from "../../src/components/link-names";
import { preflight, type ManagedInstanceFacts, type PreflightPlan } from "../../src/components/preflight";
import type { SqlServerDatabaseInfo, SqlServerInfo } from "../../src/components/sql-server-info";

const NOW = new Date("2026-06-01T00:00:00Z");

function database(name: string, overrides: Partial<SqlServerDatabaseInfo> = {}): SqlServerDatabaseInfo {
  return {
    name,
    state: "ONLINE",
    recoveryModel: "FULL",
    isSystem: false,
    availabilityGroup: null,
    lastFullBackup: "2026-05-30T00:00:00.000Z",
    lastLogBackup: null,
    ...overrides,
  };
}

function info(overrides: Partial<SqlServerInfo> = {}): SqlServerInfo {
  return {
    serverName: "SQL1",
    productVersion: "16.0.4125.3",
    productMajorVersion: 16,
    productUpdateLevel: "CU13",
    edition: "Developer Edition (64-bit)",
    engineEdition: 3,
    isHadrEnabled: true,
    collation: "SQL_Latin1_General_CP1_CI_AS",
    databases: [database("Sales")],
    mirroringEndpoint: null,
    endpointCertificate: null,
    ...overrides,
  };
}

const MI: ManagedInstanceFacts = {
  name: "sqlmi1",
  fullyQualifiedDomainName: "sqlmi1.abc123.database.windows.net",
  databaseFormat: "SQLServer2022",
  collation: "SQL_Latin1_General_CP1_CI_AS",
};

function plan(overrides: Partial<PreflightPlan> = {}): PreflightPlan {
  return {
    links: resolveLinkNames(["Sales"]),
    initialPrimary: "SqlServer",
    failoverMode: "Manual",
    endpointPort: 5022,
    hasBackupTarget: false,
    now: NOW,
    ...overrides,
  };
}

const fields = (i: SqlServerInfo, m: ManagedInstanceFacts = MI, p: PreflightPlan = plan()) =>
  preflight(i, m, p).map((x) => x.field);

describe("preflight", () => {
  it("passes a ready SQL Server 2022 CU13 and a 2022-policy managed instance", () => {
    expect(preflight(info(), MI, plan())).toEqual([]);
  });

  it("refuses builds that cannot carry the link in the chosen direction", () => {
    expect(fields(info({ productVersion: "15.0.4000.1", productMajorVersion: 15 }))).toEqual([
      "sqlServer.version",
    ]);
    // 2019 supports only one-way links.
    expect(fields(info({ productVersion: "15.0.4312.2" }))).toEqual(["sqlServer.version"]);
    expect(fields(info({ productVersion: "15.0.4312.2" }), MI, plan({ failoverMode: "None" }))).toEqual([]);
    // MI as initial primary needs 2022 CU10.
    expect(
      fields(
        info({ productVersion: "16.0.1000.6", databases: [] }),
        MI,
        plan({ initialPrimary: "ManagedInstance", failoverMode: "None" }),
      ),
    ).toEqual(["sqlServer.version"]);
    expect(fields(info({ productVersion: "12.0.6024.0" }))[0]).toBe("sqlServer.version");
  });

  it("refuses Always On disabled, Express, and a collation mismatch", () => {
    expect(fields(info({ isHadrEnabled: false }))).toEqual(["sqlServer.alwaysOn"]);
    expect(fields(info({ engineEdition: 4, edition: "Express Edition (64-bit)" }))).toEqual([
      "sqlServer.edition",
    ]);
    expect(fields(info({ collation: "Latin1_General_100_CI_AS" }))).toEqual(["sqlServer.collation"]);
    expect(fields(info({ collation: "sql_latin1_general_cp1_ci_as" }))).toEqual([]);
  });

  it("refuses an Always-up-to-date managed instance with failover mode Manual, not with None", () => {
    const always = { ...MI, databaseFormat: "AlwaysUpToDate" };
    const problems = preflight(info(), always, plan());
    expect(problems.map((p) => p.field)).toEqual(["managedInstance.updatePolicy"]);
    expect(problems[0].problem).toMatch(/no way back/);
    expect(problems[0].fix).toMatch(/failoverMode: "None"/);
    expect(fields(info(), always, plan({ failoverMode: "None" }))).toEqual([]);
  });

  it("refuses an existing endpoint on another port and names the port to use", () => {
    const endpoint = {
      name: "Hadr_endpoint",
      port: 5023,
      state: "STARTED",
      authentication: "NEGOTIATE",
      certificateName: null,
    };
    const problems = preflight(info({ mirroringEndpoint: endpoint }), MI, plan());
    expect(problems.map((p) => p.field)).toEqual(["sqlServer.endpointPort"]);
    expect(problems[0].fix).toContain("endpointPort: 5023");
    expect(fields(info({ mirroringEndpoint: { ...endpoint, port: 5022 } }))).toEqual([]);
  });

  it("refuses missing, offline, foreign-AG and unbacked databases", () => {
    const links = resolveLinkNames(["Sales", "Gone", "Off", "InAg", "Simple", "Adopted"]);
    const dbs = [
      database("Sales"),
      database("Off", { state: "OFFLINE" }),
      database("InAg", { availabilityGroup: "OtherAG" }),
      database("Simple", { recoveryModel: "SIMPLE", lastFullBackup: null }),
      database("Adopted", { availabilityGroup: "AG_Adopted" }),
    ];
    const problems = preflight(info({ databases: dbs }), MI, plan({ links }));
    expect(problems.map((p) => p.field)).toEqual([
      "databases[1]",
      "databases[2]",
      "databases[3]",
      "databases[4]",
    ]);
    expect(problems[2].problem).toContain("[OtherAG]");
    expect(fields(info({ databases: dbs }), MI, plan({ links, hasBackupTarget: true }))).toEqual([
      "databases[1]",
      "databases[2]",
      "databases[3]",
    ]);
  });

  it("with the managed instance as initial primary, an existing SQL Server database is in the way", () => {
    const p = plan({ initialPrimary: "ManagedInstance" });
    expect(fields(info(), MI, p)).toEqual(["databases[0]"]);
    expect(fields(info({ databases: [] }), MI, p)).toEqual([]);
  });

  it("after a cutover, SQL Server's copy of a database is left as the link left it: not checked", () => {
    const restoring = info({ databases: [database("Sales", { state: "RESTORING", lastFullBackup: null })] });
    expect(fields(restoring, MI, plan())).toEqual(["databases[0]", "databases[0]"]);
    expect(fields(restoring, MI, plan({ cutover: true }))).toEqual([]);
  });

  it("refuses an expiry in the past and more than 100 links", () => {
    expect(fields(info(), MI, plan({ certificateExpiry: "2026-01-01" }))).toEqual(["certificateExpiry"]);
    const many = Array.from({ length: 101 }, (_, i) => `db${i}`);
    const problems = preflight(
      info({ databases: many.map((n) => database(n)) }),
      MI,
      plan({ links: resolveLinkNames(many) }),
    );
    expect(problems.map((p) => p.field)).toEqual(["databases"]);
  });

  it("does not refuse Always On off when the host preparation turns it on first", () => {
    expect(fields(info({ isHadrEnabled: false }), MI, plan({ hostEnablesAlwaysOn: true }))).toEqual([]);
    expect(fields(info({ isHadrEnabled: false }), MI, plan({ hostEnablesAlwaysOn: false }))).toEqual([
      "sqlServer.alwaysOn",
    ]);
    expect(hostPreparationEnablesAlwaysOn({ os: "linux", enabled: true })).toBe(true);
    // Without the restart Always On stays off until the next one; disabled, nothing runs.
    expect(hostPreparationEnablesAlwaysOn({ os: "linux", enabled: true, restart: false })).toBe(false);
    expect(hostPreparationEnablesAlwaysOn({ os: "windows" })).toBe(false);
  });

  describe("the 100-link limit counts the links already on the managed instance", () => {
    const sixty = Array.from({ length: 60 }, (_, i) => `db${i}`);
    const sixtyInfo = info({ databases: sixty.map((n) => database(n)) });
    const sixtyPlan = plan({ links: resolveLinkNames(sixty) });
    const others = (count: number) => Array.from({ length: count }, (_, i) => `DAG_other${i}`);
    // A second up: this component's 60 links exist already and are counted once.
    const ours = resolveLinkNames(sixty).map((link) => link.dagName.toUpperCase());

    it("refuses 60 more links next to 50 others (110), naming both counts and the room left", () => {
      const problems = preflight(sixtyInfo, { ...MI, linkNames: [...others(50), ...ours] }, sixtyPlan);
      expect(problems).toEqual([
        {
          field: "databases",
          problem:
            '60 links requested and 50 other links already on managed instance "sqlmi1" make 110; a managed instance holds at most 100',
          fix:
            "Link at most 50 databases to this managed instance (remove links it no longer needs to make room), " +
            "or split the databases over several managed instances.",
        },
      ]);
    });

    it("passes 60 links next to 40 others (100), on the first up and the second", () => {
      expect(preflight(sixtyInfo, { ...MI, linkNames: others(40) }, sixtyPlan)).toEqual([]);
      expect(preflight(sixtyInfo, { ...MI, linkNames: [...others(40), ...ours] }, sixtyPlan)).toEqual([]);
    });

    it("checks this component's links alone when the managed instance's links are unknown", () => {
      expect(preflight(sixtyInfo, { ...MI, linkNames: undefined }, sixtyPlan)).toEqual([]);
    });
  });
});

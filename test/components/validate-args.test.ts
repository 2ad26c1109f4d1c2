import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import type { MiLinkArgs } from "../../src/components/args";
import { validateMiLinkArgs } from "../../src/components/validate-args";

const NOW = new Date("2026-06-01T00:00:00Z");

function args(overrides: Partial<MiLinkArgs> = {}, sql: Partial<MiLinkArgs["sqlServer"]> = {}): MiLinkArgs {
  return {
    sqlServer: {
      host: "sqlserver1.contoso.local",
      user: "sa",
      password: "p@ss",
      endpointHost: "10.0.0.4",
      ...sql,
    },
    managedInstance: { resourceGroupName: "rg-data", name: "sqlmi1" },
    databases: ["Sales", "Inventory"],
    masterKeyPassword: "MasterKey#1",
    ...overrides,
  };
}

function fields(a: MiLinkArgs): string[] {
  return validateMiLinkArgs(a, NOW).map((p) => p.field);
}

describe("validateMiLinkArgs", () => {
  it("accepts the documented example, and Outputs it cannot judge yet", () => {
    expect(validateMiLinkArgs(args(), NOW)).toEqual([]);
    const later = args(
      { masterKeyPassword: pulumi.secret("x"), certificateExpiry: pulumi.output("2000-01-01") },
      { host: pulumi.output("h"), password: pulumi.secret("p"), endpointHost: pulumi.output("x y") },
    );
    expect(validateMiLinkArgs(later, NOW)).toEqual([]);
    const prepared = args({
      hostPreparation: {
        os: "windows",
        enabled: true,
        ssh: { host: "sql1", user: "admin", password: pulumi.secret("x") },
        instanceName: "SQL2022",
        managedInstanceHost: "sqlmi1.abc.database.windows.net",
      },
    });
    expect(validateMiLinkArgs(prepared, NOW)).toEqual([]);
  });

  it.each<[string, Partial<MiLinkArgs>, Partial<MiLinkArgs["sqlServer"]>, string[]]>([
    ["hostile host", {}, { host: "a]; DROP DATABASE x--" }, ["sqlServer.host"]],
    ["bad port", {}, { port: 70000 }, ["sqlServer.port"]],
    ["bad endpoint host", {}, { endpointHost: "10.0.0.4; DROP" }, ["sqlServer.endpointHost"]],
    ["bad endpoint port", {}, { endpointPort: 0 }, ["sqlServer.endpointPort"]],
    [
      "unknown authentication",
      {},
      { authenticationType: "kerberos" as never },
      ["sqlServer.authenticationType"],
    ],
    ["endpoint without AES", {}, { endpointAlgorithms: ["RC4"] }, ["sqlServer.endpointAlgorithms"]],
    ["missing endpoint host", {}, { endpointHost: undefined as never }, ["sqlServer.endpointHost"]],
    [
      "hostile but legal database name (quoted, not refused)",
      { databases: ["a]; DROP DATABASE x--", "Sales"] },
      {},
      [],
    ],
    ["NUL in database", { databases: ["a\u0000b"] }, {}, ["databases[0]"]],
    ["129-character database", { databases: ["d".repeat(129)] }, {}, ["databases[0]"]],
    ["system database", { databases: ["Sales", "msdb"] }, {}, ["databases[1]"]],
    ["duplicate database", { databases: ["Sales", "sales"] }, {}, ["databases[1]"]],
    ["no databases", { databases: [] }, {}, ["databases"]],
    ["more than 100", { databases: Array.from({ length: 101 }, (_, i) => `db${i}`) }, {}, ["databases"]],
    ["unknown initialPrimary", { initialPrimary: "Azure" as never }, {}, ["initialPrimary"]],
    ["unknown failoverMode", { failoverMode: "Auto" as never }, {}, ["failoverMode"]],
    ["unknown primary", { primary: "Both" as never }, {}, ["primary"]],
    ["non-boolean cutover", { cutover: "yes" as never }, {}, ["cutover"]],
    [
      "log backup job every 0 minutes",
      { logBackupSchedule: { everyMinutes: 0, directory: "/b" } },
      {},
      ["logBackupSchedule.everyMinutes"],
    ],
    [
      "log backup job with neither directory nor url",
      { logBackupSchedule: { everyMinutes: 15 } },
      {},
      ["logBackupSchedule"],
    ],
    [
      "log backup job every 15 minutes to a directory",
      { logBackupSchedule: { everyMinutes: 15, directory: "/b" } },
      {},
      [],
    ],
    ["cutover with SQL Server as primary", { cutover: true, primary: "SqlServer" }, {}, ["cutover"]],
    ["cutover to the managed instance", { cutover: true, primary: "ManagedInstance" }, {}, []],
    [
      "non-positive firstBackupTimeoutSeconds",
      { firstBackupTimeoutSeconds: 0 },
      {},
      ["firstBackupTimeoutSeconds"],
    ],
    ["unknown replicationMode", { replicationMode: "Fast" as never }, {}, ["replicationMode"]],
    ["expiry in the past", { certificateExpiry: "2026-05-31" }, {}, ["certificateExpiry"]],
    ["expiry not a date", { certificateExpiry: "2028-02-30" }, {}, ["certificateExpiry"]],
    ["rotation window not in days", { rotateCertificateBefore: "1 month" }, {}, ["rotateCertificateBefore"]],
    ["rotation window too long", { rotateCertificateBefore: "400d" }, {}, ["rotateCertificateBefore"]],
    ["empty master key password", { masterKeyPassword: "" }, {}, ["masterKeyPassword"]],
    [
      "bad MI name",
      { managedInstance: { resourceGroupName: "rg", name: "SqlMI_1" } },
      {},
      ["managedInstance.name"],
    ],
    [
      "bad resource group",
      { managedInstance: { resourceGroupName: "rg'; x", name: "mi" } },
      {},
      ["managedInstance.resourceGroupName"],
    ],
    [
      "bad subscription",
      { managedInstance: { resourceGroupName: "rg", name: "mi", subscriptionId: "abc" } },
      {},
      ["managedInstance.subscriptionId"],
    ],
    [
      "http ARM endpoint",
      { managedInstance: { resourceGroupName: "rg", name: "mi", armEndpoint: "http://x" } },
      {},
      ["managedInstance.armEndpoint"],
    ],
    ["override for an unknown database", { links: { Other: { dagName: "DAG_X" } } }, {}, ["links.Other"]],
    [
      "host preparation for an unknown OS",
      { hostPreparation: { os: "macos" as "linux" } },
      {},
      ["hostPreparation.os"],
    ],
    [
      "host preparation enabled without SSH",
      { hostPreparation: { os: "linux", enabled: true } },
      {},
      ["hostPreparation.ssh"],
    ],
    [
      "host preparation with a hostile instance name",
      { hostPreparation: { os: "windows", instanceName: "X'; Stop-Computer" } },
      {},
      ["hostPreparation.instanceName"],
    ],
    [
      "host preparation testing a hostile managed instance host",
      { hostPreparation: { os: "linux", managedInstanceHost: "mi; rm -rf /" } },
      {},
      ["hostPreparation.managedInstanceHost"],
    ],
    ["invalid DAG name", { links: { Sales: { dagName: "1bad-name" } } }, {}, ["links.Sales.dagName"]],
    ["colliding names", { links: { Inventory: { agName: "AG_Sales" } } }, {}, ["links.Inventory.agName"]],
    [
      "MI primary with ] in name",
      { initialPrimary: "ManagedInstance", databases: ["a]b"] },
      {},
      ["databases[0]"],
    ],
  ])("%s", (_label, overrides, sql, expected) => {
    expect(fields(args(overrides, sql))).toEqual(expected);
  });

  it("names the problem and the fix in every entry", () => {
    const problems = validateMiLinkArgs(
      args({ databases: ["tempdb"], certificateExpiry: "yesterday" }, { port: -1 }),
      NOW,
    );
    expect(problems).toHaveLength(3);
    for (const p of problems) {
      expect(p.problem.length).toBeGreaterThan(5);
      expect(p.fix.length).toBeGreaterThan(5);
    }
  });

  it("NTLM needs a domain, a token login needs the token", () => {
    expect(fields(args({}, { authenticationType: "ntlm" }))).toContain("sqlServer.domain");
    expect(
      fields(args({}, { authenticationType: "azure-active-directory-access-token", password: undefined })),
    ).toContain("sqlServer.accessToken");
  });
});

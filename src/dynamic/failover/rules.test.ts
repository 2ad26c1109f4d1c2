import { describe, expect, it } from "vitest";
import { UNKNOWN_VALUE } from "../common/check";
import { linkRoleOperations } from "../link-role";
import { actualPrimary, combine, isSplitBrain, lsnDifference, normalizeLsn } from "./observe";
import { describePlannedAction, failoverMethod, refuseRoleChange } from "./rules";

const base = {
  productVersion: "16.0.4125.3",
  databaseFormat: "SQLServer2022" as const,
  failoverMode: "Manual" as const,
};

describe("failover rules", () => {
  it("chooses the path per direction, version and force", () => {
    expect(failoverMethod("ManagedInstance", "16.0.4125.3", false)).toBe("tsql-failover");
    expect(failoverMethod("ManagedInstance", "16.0.4120.1", false)).toBe("azure-failover");
    expect(failoverMethod("ManagedInstance", "15.0.4312.2", false)).toBe("azure-failover");
    expect(failoverMethod("ManagedInstance", "17.0.1000.7", false)).toBe("tsql-failover");
    expect(failoverMethod("SqlServer", "16.0.4125.3", false)).toBe("azure-demote-then-tsql-promote");
    expect(failoverMethod("ManagedInstance", "16.0.4125.3", true)).toBe("azure-forced-failover");
    expect(failoverMethod("SqlServer", "16.0.4125.3", true)).toBe("tsql-forced-failover");
  });

  it("allows the two-way link both ways on 2022 with the SQLServer2022 policy", () => {
    expect(refuseRoleChange({ ...base, primary: "ManagedInstance" })).toBeUndefined();
    expect(refuseRoleChange({ ...base, primary: "SqlServer" })).toBeUndefined();
    expect(
      refuseRoleChange({ ...base, primary: "SqlServer", productVersion: "16.0.4095.4" }),
    ).toBeUndefined();
  });

  it("refuses one-way cutovers without confirmation and every impossible fail back", () => {
    expect(refuseRoleChange({ ...base, primary: "ManagedInstance", failoverMode: "None" })?.property).toBe(
      "cutover",
    );
    expect(
      refuseRoleChange({ ...base, primary: "ManagedInstance", productVersion: "14.0.3490.10" })?.reason,
    ).toMatch(/SQL Server 2017 cannot be the secondary/);
    expect(
      refuseRoleChange({
        ...base,
        primary: "ManagedInstance",
        productVersion: "13.0.7000.253",
        cutover: true,
      }),
    ).toBeUndefined();
    expect(refuseRoleChange({ ...base, primary: "SqlServer", productVersion: "15.0.4312.2" })?.property).toBe(
      "productVersion",
    );
    expect(
      refuseRoleChange({ ...base, primary: "SqlServer", databaseFormat: "SQLServer2025" })?.property,
    ).toBe("productVersion");
    expect(
      refuseRoleChange({ ...base, primary: "SqlServer", databaseFormat: "AlwaysUpToDate" })?.property,
    ).toBe("databaseFormat");
  });

  it("describes the planned action", () => {
    expect(describePlannedAction("SqlServer", "SqlServer", "16.0.4125.3", false)).toBe(
      "none: SqlServer is the primary",
    );
    expect(describePlannedAction("ManagedInstance", "SqlServer", "16.0.4125.3", true)).toMatch(
      /^forced failover to SQL Server through ALTER AVAILABILITY GROUP \.\.\. FORCE_FAILOVER_ALLOW_DATA_LOSS/,
    );
  });
});

describe("observations", () => {
  const state = {
    dagName: "DAG_x",
    replicas: [
      {
        agName: "AG_x",
        isLocal: true,
        role: "PRIMARY",
        connectedState: null,
        synchronizationHealth: null,
        lastConnectError: null,
      },
      {
        agName: "AG_x_MI",
        isLocal: false,
        role: null,
        connectedState: "CONNECTED",
        synchronizationHealth: null,
        lastConnectError: null,
      },
    ],
    databases: [
      {
        database: "x",
        agName: "AG_x",
        isLocal: true,
        isPrimaryReplica: true,
        synchronizationState: "SYNCHRONIZED",
        lastHardenedLsn: "0037000000020200001",
      },
      {
        database: "x",
        agName: "AG_x_MI",
        isLocal: false,
        isPrimaryReplica: false,
        synchronizationState: "SYNCHRONIZING",
        lastHardenedLsn: "37000000019800001",
      },
    ],
    seeding: [],
  } as never;

  it("combines SQL Server's DMVs and Azure's link; the secondary's state counts", () => {
    const o = combine(
      state,
      {
        id: "",
        name: "DAG_x",
        instanceLinkRole: "Secondary",
        databases: [{ databaseName: "X", lastHardenedLsn: "37000000019800001" }],
      },
      "x",
    );
    expect(o).toMatchObject({
      sqlServerRole: "PRIMARY",
      managedInstanceRole: "SECONDARY",
      synchronizationState: "SYNCHRONIZING",
      sqlServerLastHardenedLsn: "37000000020200001",
      managedInstanceLastHardenedLsn: "37000000019800001",
    });
    expect(actualPrimary(o)).toBe("SqlServer");
    expect(lsnDifference(o.sqlServerLastHardenedLsn, o.managedInstanceLastHardenedLsn)).toBe("400000");
    expect(isSplitBrain({ ...o, managedInstanceRole: "PRIMARY" })).toBe(true);
    expect(actualPrimary({ ...o, managedInstanceRole: "PRIMARY" })).toBeNull();
    expect(combine(null, undefined, "x")).toMatchObject({
      dagExists: false,
      linkExists: false,
      sqlServerRole: null,
    });
  });

  it("compares LSNs as digits, without precision loss", () => {
    expect(normalizeLsn("000123")).toBe("123");
    expect(normalizeLsn("")).toBeNull();
    expect(lsnDifference("99999999999999999999", "1")).toBe("99999999999999999998");
    expect(lsnDifference("x", "1")).toBeNull();
  });
});

describe("LinkRole check", () => {
  it("skips values unknown during preview and sends nothing", async () => {
    const result = await linkRoleOperations.check(
      { primary: "SqlServer" },
      {
        connection: { host: "sql1", user: "sa" },
        password: "p",
        subscriptionId: "00000000-0000-0000-0000-000000000001",
        resourceGroupName: "rg",
        managedInstanceName: "mi",
        dagName: UNKNOWN_VALUE,
        agName: "AG_x",
        miAgName: "AG_x_MI",
        database: "x",
        primary: UNKNOWN_VALUE as never,
        productVersion: "16.0.4125.3",
        databaseFormat: "SQLServer2022",
        failoverMode: "Manual",
      },
    );
    expect(result.failures).toEqual([]);
    expect(result.inputs.plannedAction).toBeUndefined();
  });
});

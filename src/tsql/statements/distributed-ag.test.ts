import { describe, expect, it } from "vitest";
import { TsqlInputError } from "../quote";
import {
  buildCreateDistributedAgSql,
  buildDagFailoverSql,
  buildForceFailoverSql,
  buildSetDagAvailabilityModeSql,
  buildSetDagRoleSecondarySql,
  type CreateDistributedAgSpec,
} from "./distributed-ag";

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TsqlInputError);
    return (error as TsqlInputError).field;
  }
  return undefined;
}

const spec: CreateDistributedAgSpec = {
  dagName: "DAG_Sales",
  agName: "AG_Sales",
  miAgName: "AG_Sales_MI",
  sqlServerListenerUrl: "TCP://10.0.0.4:5022",
  miFqdn: "sqlmi1.73d19f36a420a.database.windows.net",
  miName: "sqlmi1",
  database: "Sales",
  initialPrimary: "SqlServer",
};

const sqlMember =
  "    N'AG_Sales' WITH\n" +
  "    (\n" +
  "        LISTENER_URL = N'TCP://10.0.0.4:5022',\n" +
  "        AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT,\n" +
  "        FAILOVER_MODE = MANUAL,\n" +
  "        SEEDING_MODE = AUTOMATIC,\n" +
  "        SESSION_TIMEOUT = 20\n" +
  "    )";

const miMember = (url: string) =>
  "    N'AG_Sales_MI' WITH\n" +
  "    (\n" +
  `        LISTENER_URL = N'${url}',\n` +
  "        AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT,\n" +
  "        FAILOVER_MODE = MANUAL,\n" +
  "        SEEDING_MODE = AUTOMATIC\n" +
  "    )";

describe("buildCreateDistributedAgSql", () => {
  it("creates the runbook's DAG with SQL Server as initial primary", () => {
    expect(buildCreateDistributedAgSql(spec)).toBe(
      "CREATE AVAILABILITY GROUP [DAG_Sales]\n" +
        "WITH (DISTRIBUTED)\n" +
        "AVAILABILITY GROUP ON\n" +
        sqlMember +
        ",\n" +
        miMember("tcp://sqlmi1.73d19f36a420a.database.windows.net:5022;Server=[sqlmi1]") +
        ";",
    );
  });

  it("lists the MI first and names the database when the MI is the initial primary", () => {
    expect(buildCreateDistributedAgSql({ ...spec, initialPrimary: "ManagedInstance" })).toBe(
      "CREATE AVAILABILITY GROUP [DAG_Sales]\n" +
        "WITH (DISTRIBUTED)\n" +
        "AVAILABILITY GROUP ON\n" +
        miMember("tcp://sqlmi1.73d19f36a420a.database.windows.net:5022;Server=[sqlmi1];Database=[Sales]") +
        ",\n" +
        sqlMember +
        ";",
    );
  });

  it("applies the availability mode to both members and the session timeout to SQL Server's", () => {
    const sql = buildCreateDistributedAgSql({
      ...spec,
      availabilityMode: "SYNCHRONOUS_COMMIT",
      sessionTimeout: 30,
    });
    expect(sql.match(/AVAILABILITY_MODE = SYNCHRONOUS_COMMIT/g)).toHaveLength(2);
    expect(sql).toContain("SESSION_TIMEOUT = 30\n");
    expect(sql.match(/SESSION_TIMEOUT/g)).toHaveLength(1);
  });

  it("writes AG names as string literals", () => {
    const sql = buildCreateDistributedAgSql({
      ...spec,
      dagName: "d]; DROP DATABASE x--",
      agName: "'; DROP TABLE t; --",
      miAgName: "mi\u2019ag",
    });
    expect(sql).toContain("CREATE AVAILABILITY GROUP [d]]; DROP DATABASE x--]\n");
    expect(sql).toContain("    N'''; DROP TABLE t; --' WITH\n");
    expect(sql).toContain("    N'mi\u2019ag' WITH\n");
  });

  it("refuses bad inputs, naming the field", () => {
    expect(fieldOf(() => buildCreateDistributedAgSql({ ...spec, dagName: "" }))).toBe("dagName");
    expect(fieldOf(() => buildCreateDistributedAgSql({ ...spec, agName: "a".repeat(129) }))).toBe("agName");
    expect(fieldOf(() => buildCreateDistributedAgSql({ ...spec, miAgName: "a\u0000" }))).toBe("miAgName");
    expect(
      fieldOf(() => buildCreateDistributedAgSql({ ...spec, sqlServerListenerUrl: "10.0.0.4:5022" })),
    ).toBe("sqlServerListenerUrl");
    expect(fieldOf(() => buildCreateDistributedAgSql({ ...spec, miFqdn: "mi x.net" }))).toBe("miFqdn");
    expect(fieldOf(() => buildCreateDistributedAgSql({ ...spec, miName: "Mi'1" }))).toBe("miName");
    expect(
      fieldOf(() =>
        buildCreateDistributedAgSql({ ...spec, initialPrimary: "ManagedInstance", database: "a]b" }),
      ),
    ).toBe("database");
    expect(fieldOf(() => buildCreateDistributedAgSql({ ...spec, sessionTimeout: 4 }))).toBe("sessionTimeout");
    expect(fieldOf(() => buildCreateDistributedAgSql({ ...spec, sessionTimeout: 1.5 }))).toBe(
      "sessionTimeout",
    );
    expect(
      fieldOf(() =>
        buildCreateDistributedAgSql({ ...spec, availabilityMode: "SYNC" as "SYNCHRONOUS_COMMIT" }),
      ),
    ).toBe("availabilityMode");
    expect(
      fieldOf(() => buildCreateDistributedAgSql({ ...spec, initialPrimary: "Azure" as "SqlServer" })),
    ).toBe("initialPrimary");
  });
});

describe("buildSetDagAvailabilityModeSql", () => {
  it("switches both members, as in the failover procedure", () => {
    expect(
      buildSetDagAvailabilityModeSql({
        dagName: "DAG_Sales",
        agName: "AG_Sales",
        miAgName: "AG_Sales_MI",
        availabilityMode: "SYNCHRONOUS_COMMIT",
      }),
    ).toBe(
      "ALTER AVAILABILITY GROUP [DAG_Sales]\n" +
        "MODIFY\n" +
        "AVAILABILITY GROUP ON\n" +
        "    N'AG_Sales' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT),\n" +
        "    N'AG_Sales_MI' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT);",
    );
  });
});

describe("failover and role statements", () => {
  it("planned failover needs SQL Server 2022 CU13 when the version is given", () => {
    expect(buildDagFailoverSql("DAG_Sales")).toBe("ALTER AVAILABILITY GROUP [DAG_Sales] FAILOVER;");
    expect(buildDagFailoverSql("DAG_Sales", "16.0.4125.3")).toBe(
      "ALTER AVAILABILITY GROUP [DAG_Sales] FAILOVER;",
    );
    expect(fieldOf(() => buildDagFailoverSql("DAG_Sales", "16.0.4115.5"))).toBe("version");
    expect(fieldOf(() => buildDagFailoverSql("DAG_Sales", "15.0.4430.1"))).toBe("version");
  });

  it("forced failover and SET ROLE", () => {
    expect(buildForceFailoverSql("DAG_Sales")).toBe(
      "ALTER AVAILABILITY GROUP [DAG_Sales] FORCE_FAILOVER_ALLOW_DATA_LOSS;",
    );
    expect(buildSetDagRoleSecondarySql("DAG_Sales")).toBe(
      "ALTER AVAILABILITY GROUP [DAG_Sales] SET (ROLE = SECONDARY);",
    );
    expect(buildSetDagRoleSecondarySql("a]b")).toBe(
      "ALTER AVAILABILITY GROUP [a]]b] SET (ROLE = SECONDARY);",
    );
  });
});

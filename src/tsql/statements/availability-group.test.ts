import { describe, expect, it } from "vitest";
import { TsqlInputError } from "../quote";
import {
  buildAddDatabaseToAgSql,
  buildCreateAgSql,
  buildDropAgSql,
  buildGrantCreateAnyDatabaseSql,
  buildModifyReplicaEndpointUrlSql,
  quoteEndpointUrl,
} from "./availability-group";

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TsqlInputError);
    return (error as TsqlInputError).field;
  }
  return undefined;
}

const replica =
  "        N'SQLSERVER1' WITH\n" +
  "        (\n" +
  "            ENDPOINT_URL = N'TCP://10.0.0.4:5022',\n" +
  "            AVAILABILITY_MODE = SYNCHRONOUS_COMMIT,\n" +
  "            FAILOVER_MODE = MANUAL,\n" +
  "            SEEDING_MODE = AUTOMATIC\n" +
  "        );";

const base = { agName: "AG_Sales", serverName: "SQLSERVER1", endpointUrl: "TCP://10.0.0.4:5022" };

describe("buildCreateAgSql", () => {
  it("creates the runbook's availability group with CLUSTER_TYPE = NONE", () => {
    expect(buildCreateAgSql({ ...base, database: "Sales", version: "16.0.4125.3" })).toBe(
      "CREATE AVAILABILITY GROUP [AG_Sales]\n" +
        "WITH (CLUSTER_TYPE = NONE)\n" +
        "    FOR DATABASE [Sales]\n" +
        "    REPLICA ON\n" +
        replica,
    );
  });

  it("leaves CLUSTER_TYPE out on SQL Server 2016", () => {
    expect(buildCreateAgSql({ ...base, database: "Sales", version: "13.0.7000.253" })).toBe(
      "CREATE AVAILABILITY GROUP [AG_Sales]\n    FOR DATABASE [Sales]\n    REPLICA ON\n" + replica,
    );
  });

  it("has no database when the managed instance is the initial primary", () => {
    expect(buildCreateAgSql({ ...base, version: "16.0.4095.4" })).toBe(
      "CREATE AVAILABILITY GROUP [AG_Sales]\nWITH (CLUSTER_TYPE = NONE)\n    FOR REPLICA ON\n" + replica,
    );
  });

  it("quotes names: AG and database as identifiers, the replica and URL as literals", () => {
    const sql = buildCreateAgSql({
      agName: "a]; DROP DATABASE x--",
      database: "d]b",
      serverName: "HOST\\INST'; --",
      endpointUrl: "TCP://h:5022",
      version: "16.0.1000.6",
    });
    expect(sql).toContain("CREATE AVAILABILITY GROUP [a]]; DROP DATABASE x--]\n");
    expect(sql).toContain("FOR DATABASE [d]]b]\n");
    expect(sql).toContain("N'HOST\\INST''; --' WITH");
  });

  it("refuses bad inputs, naming the field", () => {
    const ok = { ...base, database: "Sales", version: "16.0.4125.3" };
    expect(fieldOf(() => buildCreateAgSql({ ...ok, agName: "" }))).toBe("agName");
    expect(fieldOf(() => buildCreateAgSql({ ...ok, database: "d".repeat(129) }))).toBe("database");
    expect(fieldOf(() => buildCreateAgSql({ ...ok, serverName: "a\u0000" }))).toBe("serverName");
    expect(fieldOf(() => buildCreateAgSql({ ...ok, endpointUrl: "10.0.0.4:5022" }))).toBe("endpointUrl");
    expect(fieldOf(() => buildCreateAgSql({ ...ok, endpointUrl: "TCP://a b:1" }))).toBe("endpointUrl");
    expect(fieldOf(() => buildCreateAgSql({ ...ok, version: "sixteen" }))).toBe("productVersion");
  });
});

describe("quoteEndpointUrl", () => {
  it("quotes tcp URLs up to the catalog's 128 characters", () => {
    expect(quoteEndpointUrl("tcp://mi.x.net:5022;Server=[mi]")).toBe("N'tcp://mi.x.net:5022;Server=[mi]'");
    expect(fieldOf(() => quoteEndpointUrl(`TCP://${"h".repeat(120)}:5022`))).toBe("endpointUrl");
  });
});

describe("buildAddDatabaseToAgSql", () => {
  it("puts the database back in its group, names quoted", () => {
    expect(buildAddDatabaseToAgSql("AG_Sales", "Sales")).toBe(
      "ALTER AVAILABILITY GROUP [AG_Sales] ADD DATABASE [Sales];",
    );
    expect(buildAddDatabaseToAgSql("AG_x", "a]b")).toBe(
      "ALTER AVAILABILITY GROUP [AG_x] ADD DATABASE [a]]b];",
    );
    expect(fieldOf(() => buildAddDatabaseToAgSql("AG_x", ""))).toBe("database");
    expect(fieldOf(() => buildAddDatabaseToAgSql("", "Sales"))).toBe("agName");
  });
});

describe("buildGrantCreateAnyDatabaseSql / buildDropAgSql", () => {
  it("build the statements with quoted names", () => {
    expect(buildGrantCreateAnyDatabaseSql("AG_Sales")).toBe(
      "ALTER AVAILABILITY GROUP [AG_Sales] GRANT CREATE ANY DATABASE;",
    );
    expect(buildDropAgSql("DAG_Sales")).toBe("DROP AVAILABILITY GROUP [DAG_Sales];");
    expect(buildDropAgSql("x]; DROP DATABASE y--")).toBe("DROP AVAILABILITY GROUP [x]]; DROP DATABASE y--];");
    expect(fieldOf(() => buildDropAgSql(""))).toBe("name");
  });
});

describe("buildModifyReplicaEndpointUrlSql", () => {
  it("changes the replica's endpoint URL, names quoted", () => {
    expect(
      buildModifyReplicaEndpointUrlSql({
        agName: "AG_Sales",
        serverName: "SQLSERVER1",
        endpointUrl: "TCP://sql1.contoso.com:5023",
      }),
    ).toBe(
      "ALTER AVAILABILITY GROUP [AG_Sales]\n" +
        "MODIFY REPLICA ON N'SQLSERVER1'\n" +
        "WITH (ENDPOINT_URL = N'TCP://sql1.contoso.com:5023');",
    );
    const hostile = buildModifyReplicaEndpointUrlSql({
      agName: "a]; DROP DATABASE x--",
      serverName: "HOST\\INST'; --",
      endpointUrl: "TCP://h:5022",
    });
    expect(hostile).toContain("ALTER AVAILABILITY GROUP [a]]; DROP DATABASE x--]\n");
    expect(hostile).toContain("MODIFY REPLICA ON N'HOST\\INST''; --'\n");
  });

  it("refuses bad inputs, naming the field", () => {
    const ok = { agName: "AG", serverName: "S", endpointUrl: "TCP://h:5022" };
    expect(fieldOf(() => buildModifyReplicaEndpointUrlSql({ ...ok, agName: "a".repeat(129) }))).toBe(
      "agName",
    );
    expect(fieldOf(() => buildModifyReplicaEndpointUrlSql({ ...ok, serverName: "" }))).toBe("serverName");
    expect(fieldOf(() => buildModifyReplicaEndpointUrlSql({ ...ok, endpointUrl: "h:5022'--" }))).toBe(
      "endpointUrl",
    );
  });
});

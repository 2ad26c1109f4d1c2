import { describe, expect, it } from "vitest";
import { SqlError } from "../types";
import { loadSeedScripts } from "./fixtures/seed-scripts";
import { parseBatch } from "./parser";

const MI_CERTIFICATE = "0x3082038E30820276A003020102";

function syntaxError(sql: string): SqlError {
  try {
    parseBatch(sql);
  } catch (error) {
    if (error instanceof SqlError) return error;
    throw error;
  }
  throw new Error(`parsed without error: ${sql}`);
}

describe("parser: the runbook's scripts", () => {
  const scripts = loadSeedScripts({ "<PublicKey>": MI_CERTIFICATE, "<certificate_id>": "261" });

  it("finds every script of the runbook", () => {
    expect(scripts.map((s) => s.id)).toContain("create-dag");
    expect(scripts).toHaveLength(26);
  });

  for (const script of scripts) {
    it(`parses ${script.id}`, () => {
      for (const batch of script.batches) expect(parseBatch(batch).length).toBeGreaterThan(0);
    });
  }

  it("builds the distributed availability group spec as written", () => {
    const dag = scripts.find((s) => s.id === "create-dag")!;
    const statements = parseBatch(dag.batches[0]);
    expect(statements.map((s) => s.kind)).toEqual(["use", "createDistributedAvailabilityGroup"]);
    const create = statements[1];
    if (create.kind !== "createDistributedAvailabilityGroup") throw new Error("unexpected");
    expect(create.spec).toEqual({
      name: "DAG_SalesDb",
      members: [
        {
          agName: "AG_SalesDb",
          listenerUrl: "TCP://10.0.0.4:5022",
          availabilityMode: "ASYNCHRONOUS_COMMIT",
          failoverMode: "MANUAL",
          seedingMode: "AUTOMATIC",
          sessionTimeout: 20,
        },
        {
          agName: "AG_SalesDb_MI",
          listenerUrl: "tcp://sqlmi1.73d19f36a420a.database.windows.net:5022;Server=[sqlmi1]",
          availabilityMode: "ASYNCHRONOUS_COMMIT",
          failoverMode: "MANUAL",
          seedingMode: "AUTOMATIC",
          sessionTimeout: undefined,
        },
      ],
    });
  });

  it("builds the availability group spec with CLUSTER_TYPE and the database", () => {
    const ag = scripts.find((s) => s.id === "create-ag")!;
    const create = parseBatch(ag.batches[0])[1];
    if (create.kind !== "createAvailabilityGroup") throw new Error("unexpected");
    expect(create.spec).toMatchObject({
      name: "AG_SalesDb",
      clusterType: "NONE",
      databases: ["SalesDb"],
      replicas: [
        {
          serverName: "SQL1",
          endpointUrl: "TCP://10.0.0.4:5022",
          availabilityMode: "SYNCHRONOUS_COMMIT",
          failoverMode: "MANUAL",
          seedingMode: "AUTOMATIC",
        },
      ],
    });
  });

  it("reads endpoint authentication order and encryption", () => {
    const alter = parseBatch(scripts.find((s) => s.id === "alter-endpoint")!.batches[0])[1];
    if (alter.kind !== "alterEndpoint") throw new Error("unexpected");
    expect(alter.spec).toEqual({
      name: "database_mirroring_endpoint",
      state: "STARTED",
      port: 5022,
      listenerIp: "ALL",
      role: "ALL",
      authentication: { windows: "NEGOTIATE", certificate: "Cert_SQL1_endpoint", certificateFirst: false },
      encryption: { mode: "REQUIRED", algorithms: ["AES"] },
    });
  });

  it("reads the certificate binary", () => {
    const create = parseBatch(scripts.find((s) => s.id === "import-mi-certificate")!.batches[0])[1];
    if (create.kind !== "createCertificate") throw new Error("unexpected");
    expect(create.spec.name).toBe("sqlmi1.73d19f36a420a.database.windows.net");
    expect(create.spec.fromBinary?.toString("hex").toUpperCase()).toBe(MI_CERTIFICATE.slice(2));
  });
});

describe("parser: lexical details", () => {
  it("keeps a hostile bracketed identifier as one identifier", () => {
    const [statement] = parseBatch("DROP DATABASE [a]]; DROP DATABASE x--]");
    expect(statement).toMatchObject({ kind: "dropDatabase", names: ["a]; DROP DATABASE x--"] });
  });

  it("unescapes doubled quotes in N'' strings and skips nested comments", () => {
    const statements = parseBatch(
      "/* outer /* inner */ still comment */ PRINT N'it''s' -- trailing\n;PRINT 'x'",
    );
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatchObject({ kind: "print", value: { kind: "literal", value: "it's" } });
  });

  it("reads quoted identifiers, variables and system variables", () => {
    const [select] = parseBatch('SELECT "my col" = @v, @@SERVERNAME AS [x]');
    expect(select).toMatchObject({
      kind: "select",
      items: [
        { kind: "expr", alias: "my col", expr: { kind: "variable", name: "v" } },
        { kind: "expr", alias: "x", expr: { kind: "globalVariable", name: "SERVERNAME" } },
      ],
    });
  });

  it("accepts the SET statements drivers send after login", () => {
    const sql = [
      "set textsize 2147483647",
      "set quoted_identifier on",
      "set arithabort on",
      "set ansi_null_dflt_on on",
      "set ansi_nulls on",
      "set ansi_padding on",
      "set ansi_warnings on",
      "set concat_null_yields_null on",
      "set cursor_close_on_commit off",
      "set datefirst 7",
      "set dateformat mdy",
      "set implicit_transactions off",
      "set language us_english",
      "set numeric_roundabort off",
      "set transaction isolation level read committed",
      "set xact_abort off",
      "SET NOCOUNT ON",
      "SET LOCK_TIMEOUT -1",
    ].join("\n");
    expect(parseBatch(sql).every((s) => s.kind === "setOption")).toBe(true);
  });
});

describe("parser: syntax errors name the token", () => {
  const cases: Array<[string, number, string]> = [
    ["SELECT FROM sys.databases", 156, "Incorrect syntax near the keyword 'FROM'."],
    ["SELECT 1 +", 102, "Incorrect syntax near '+'."],
    ["MERGE INTO t", 156, "Incorrect syntax near the keyword 'MERGE'."],
    ["WHILE 1 = 1", 102, "Incorrect syntax near '1'."],
    ["GOTO done", 156, "Incorrect syntax near the keyword 'GOTO'."],
    ["WAITFOR TIME '10:00'", 102, "Incorrect syntax near 'TIME'."],
    ["BEGIN TRY PRINT 1 END TRY PRINT 2", 156, "Incorrect syntax near the keyword 'PRINT'."],
    ["BEGIN TRY PRINT 1 END BEGIN CATCH END CATCH", 156, "Incorrect syntax near the keyword 'END'."],
    ["CREATE TABLE t (a int)", 156, "Incorrect syntax near the keyword 'TABLE'."],
    ["ALTER DATABASE [d] SET HADR OFF", 102, "Incorrect syntax near 'HADR'."],
    ["SELECT 1 GROUP 1", 156, "Incorrect syntax near the keyword 'GROUP'."],
    ["SELECT 1 UNION SELECT 2", 156, "Incorrect syntax near the keyword 'UNION'."],
    [
      "CREATE AVAILABILITY GROUP [ag] WITH (CLUSTER_TYPE = @t) FOR REPLICA ON N'a' WITH (ENDPOINT_URL = 'x')",
      102,
      "Incorrect syntax near '@t'.",
    ],
    ["PRINT 'a' foo", 102, "Incorrect syntax near 'foo'."],
    ["EXEC sp_who @a OUTPUT", 102, "Incorrect syntax near 'OUTPUT'."],
    ["select * frum sys.databases", 102, "Incorrect syntax near 'frum'."],
  ];
  for (const [sql, number, message] of cases) {
    it(`${sql} -> ${number}`, () => {
      const error = syntaxError(sql);
      expect(error.number).toBe(number);
      expect(error.message).toBe(message);
      expect(error.severity).toBe(15);
    });
  }

  it("reports an unclosed string with 105", () => {
    expect(syntaxError("PRINT 'abc").number).toBe(105);
  });

  it("a syntax error late in a batch rejects the whole batch", () => {
    expect(() => parseBatch("CREATE DATABASE a\nCREATE DATABASE b\nSELEC 1")).toThrow(SqlError);
  });
});

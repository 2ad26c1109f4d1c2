/**
 * The bad input matrix: hostile or invalid values for every MiLink argument. Each row must be refused
 * before any change, with a message naming the argument, and:
 *  - "args" rows: by argument validation, in the constructor: zero requests reach SQL Server;
 *  - "preflight" rows: the problem is a fact of the server (a missing database, Always On off, the
 *    version, the collation, ...) that only the preflight's read-only lookup can see: requests reach
 *    SQL Server, but none of them changes anything (no DDL), and no child resource is registered.
 *
 * MiLink runs in-process under Pulumi's mocks, loaded from dist/ as a program would load it; SQL Server is
 * the emulator; the managed instance's facts come from the mocked getManagedInstance invoke.
 */
import { createRequire } from "node:module";
import type * as PulumiModule from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as Package from "../../src/index";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { buildIfStale } from "../support/build";

const nativeRequire = createRequire(__filename);
const pulumi = nativeRequire("@pulumi/pulumi") as typeof PulumiModule;

const SUBSCRIPTION = "00000000-0000-0000-0000-0000000000bb";
const DDL = /^\s*(CREATE|ALTER|DROP|BACKUP|RESTORE|GRANT|DENY|REVOKE|EXEC)\b/im;

let registered: string[] = [];
let miFacts: Record<string, unknown> = {};

void pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push(args.type);
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args) {
      if (args.token === "azure-native:sql:getManagedInstance") return miFacts;
      throw new Error(`unexpected invoke ${args.token}`);
    },
  },
  "project",
  "stack",
  false,
);

const pkg = nativeRequire("../../dist/index.js") as typeof Package;

type Args = Package.MiLinkArgs;
type SqlArgs = Args["sqlServer"];

interface Row {
  label: string;
  /** Which emulator: "ready" (SQL Server 2022, Sales and Orders backed up), "old" (2019, Always On off, other collation). */
  server?: "ready" | "old";
  args?: Partial<Args>;
  sql?: Partial<SqlArgs>;
  mi?: Partial<Args["managedInstance"]>;
  /** The field the refusal must name. */
  field: string;
  /** Where it is refused. */
  stage: "args" | "preflight";
}

const HOSTILE = "a]; DROP DATABASE x--";
const LONG = "d".repeat(129);

const ROWS: Row[] = [
  // sqlServer
  { label: "host: injection", sql: { host: HOSTILE }, field: "sqlServer.host", stage: "args" },
  { label: "host: quote", sql: { host: "db'host" }, field: "sqlServer.host", stage: "args" },
  { label: "host: NUL", sql: { host: "db\u0000host" }, field: "sqlServer.host", stage: "args" },
  { label: "host: empty", sql: { host: "" }, field: "sqlServer.host", stage: "args" },
  { label: "port: 70000", sql: { port: 70000 }, field: "sqlServer.port", stage: "args" },
  { label: "port: negative", sql: { port: -1 }, field: "sqlServer.port", stage: "args" },
  { label: "port: fraction", sql: { port: 1433.5 }, field: "sqlServer.port", stage: "args" },
  {
    label: "endpointHost: injection",
    sql: { endpointHost: "10.0.0.4; DROP" },
    field: "sqlServer.endpointHost",
    stage: "args",
  },
  {
    label: "endpointHost: space",
    sql: { endpointHost: "x y" },
    field: "sqlServer.endpointHost",
    stage: "args",
  },
  {
    label: "endpointHost: missing",
    sql: { endpointHost: undefined as never },
    field: "sqlServer.endpointHost",
    stage: "args",
  },
  { label: "endpointPort: 0", sql: { endpointPort: 0 }, field: "sqlServer.endpointPort", stage: "args" },
  {
    label: "endpointPort: 65536",
    sql: { endpointPort: 65536 },
    field: "sqlServer.endpointPort",
    stage: "args",
  },
  {
    label: "endpointName: NUL",
    sql: { endpointName: "ep\u0000x" },
    field: "sqlServer.endpointName",
    stage: "args",
  },
  {
    label: "endpointName: 129 characters",
    sql: { endpointName: LONG },
    field: "sqlServer.endpointName",
    stage: "args",
  },
  {
    label: "endpointAlgorithms: RC4 only",
    sql: { endpointAlgorithms: ["RC4"] },
    field: "sqlServer.endpointAlgorithms",
    stage: "args",
  },
  {
    label: "authenticationType: unknown",
    sql: { authenticationType: "kerberos" as never },
    field: "sqlServer.authenticationType",
    stage: "args",
  },
  {
    label: "ntlm without domain",
    sql: { authenticationType: "ntlm" },
    field: "sqlServer.domain",
    stage: "args",
  },
  {
    label: "token login without token",
    sql: { authenticationType: "azure-active-directory-access-token", password: undefined },
    field: "sqlServer.accessToken",
    stage: "args",
  },
  // managedInstance
  {
    label: "MI name: underscore and capitals",
    mi: { name: "SqlMI_1" },
    field: "managedInstance.name",
    stage: "args",
  },
  { label: "MI name: injection", mi: { name: "mi'; DROP" }, field: "managedInstance.name", stage: "args" },
  {
    label: "resource group: quote",
    mi: { resourceGroupName: "rg'; x" },
    field: "managedInstance.resourceGroupName",
    stage: "args",
  },
  {
    label: "subscription: not a GUID",
    mi: { subscriptionId: "abc" },
    field: "managedInstance.subscriptionId",
    stage: "args",
  },
  {
    label: "ARM endpoint: plain http",
    mi: { armEndpoint: "http://management.example" },
    field: "managedInstance.armEndpoint",
    stage: "args",
  },
  {
    label: "ARM endpoint: not a URL",
    mi: { armEndpoint: "not a url" },
    field: "managedInstance.armEndpoint",
    stage: "args",
  },
  // databases
  { label: "database: NUL", args: { databases: ["a\u0000b"] }, field: "databases[0]", stage: "args" },
  { label: "database: 129 characters", args: { databases: [LONG] }, field: "databases[0]", stage: "args" },
  { label: "database: empty name", args: { databases: [""] }, field: "databases[0]", stage: "args" },
  { label: "database: master", args: { databases: ["master"] }, field: "databases[0]", stage: "args" },
  { label: "database: msdb", args: { databases: ["Sales", "msdb"] }, field: "databases[1]", stage: "args" },
  { label: "database: tempdb", args: { databases: ["tempdb"] }, field: "databases[0]", stage: "args" },
  { label: "database: model", args: { databases: ["model"] }, field: "databases[0]", stage: "args" },
  {
    label: "database: duplicate (case)",
    args: { databases: ["Sales", "SALES"] },
    field: "databases[1]",
    stage: "args",
  },
  { label: "databases: none", args: { databases: [] }, field: "databases", stage: "args" },
  {
    label: "databases: 101",
    args: { databases: Array.from({ length: 101 }, (_, i) => `db${i}`) },
    field: "databases",
    stage: "args",
  },
  {
    label: "database: ] with the managed instance as primary",
    args: { initialPrimary: "ManagedInstance", databases: ["a]b"] },
    field: "databases[0]",
    stage: "args",
  },
  // secrets, dates, enums
  {
    label: "masterKeyPassword: empty",
    args: { masterKeyPassword: "" },
    field: "masterKeyPassword",
    stage: "args",
  },
  {
    label: "certificateExpiry: past",
    args: { certificateExpiry: "2020-01-01" },
    field: "certificateExpiry",
    stage: "args",
  },
  {
    label: "certificateExpiry: 30 February",
    args: { certificateExpiry: "2028-02-30" },
    field: "certificateExpiry",
    stage: "args",
  },
  {
    label: "certificateExpiry: injection",
    args: { certificateExpiry: "2028-12-31'; DROP" },
    field: "certificateExpiry",
    stage: "args",
  },
  {
    label: "initialPrimary: unknown",
    args: { initialPrimary: "Azure" as never },
    field: "initialPrimary",
    stage: "args",
  },
  {
    label: "failoverMode: unknown",
    args: { failoverMode: "Auto" as never },
    field: "failoverMode",
    stage: "args",
  },
  {
    label: "replicationMode: unknown",
    args: { replicationMode: "Fast" as never },
    field: "replicationMode",
    stage: "args",
  },
  // per-link names
  {
    label: "links: unknown database",
    args: { links: { Other: { dagName: "DAG_X" } } },
    field: "links.Other",
    stage: "args",
  },
  {
    label: "links: DAG name starting with a digit",
    args: { links: { Sales: { dagName: "1bad-name" } } },
    field: "links.Sales.dagName",
    stage: "args",
  },
  {
    label: "links: DAG name injection",
    args: { links: { Sales: { dagName: HOSTILE } } },
    field: "links.Sales.dagName",
    stage: "args",
  },
  {
    label: "links: AG name 129 characters",
    args: { links: { Sales: { agName: LONG } } },
    field: "links.Sales.agName",
    stage: "args",
  },
  {
    label: "links: colliding AG names",
    args: { links: { Orders: { agName: "AG_Sales" } } },
    field: "links.Orders.agName",
    stage: "args",
  },
  // facts only the preflight lookup can see
  {
    label: "database missing on SQL Server",
    args: { databases: ["Sales", "Nope"] },
    field: "databases[1]",
    stage: "preflight",
  },
  {
    label: "hostile but legal database name, missing",
    args: { databases: [HOSTILE] },
    field: "databases[0]",
    stage: "preflight",
  },
  {
    label: "certificateExpiry in the past, known at run time",
    args: { certificateExpiry: pulumi.output("2020-01-01") },
    field: "certificateExpiry",
    stage: "preflight",
  },
  {
    label: "version: SQL Server 2019 with failover mode Manual",
    server: "old",
    field: "sqlServer.version",
    stage: "preflight",
  },
  { label: "Always On disabled", server: "old", field: "sqlServer.alwaysOn", stage: "preflight" },
  {
    label: "collation differs from the managed instance's",
    server: "old",
    field: "sqlServer.collation",
    stage: "preflight",
  },
  {
    label: "endpoint port taken by another endpoint",
    server: "ready",
    sql: { endpointPort: 5023 },
    field: "sqlServer.endpointPort",
    stage: "preflight",
  },
];

const emulators: Record<"ready" | "old", SqlServerEmulator> = {} as never;
const unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown) => void unhandled.push(reason);
let savedListeners: NodeJS.UnhandledRejectionListener[] = [];

function promiseOf<T>(output: PulumiModule.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

function linkArgs(row: Row): Args {
  const info = emulators[row.server ?? "ready"].connectionInfo();
  return {
    sqlServer: {
      host: info.host,
      port: info.port,
      user: info.user,
      password: info.password,
      trustServerCertificate: true,
      endpointHost: "10.0.0.4",
      ...row.sql,
    },
    managedInstance: { resourceGroupName: "rg-data", name: "sqlmi1", accessToken: "token", ...row.mi },
    databases: ["Sales", "Orders"],
    masterKeyPassword: "Bad-Input-Mk-1!",
    ...row.args,
  };
}

/** The refusal of one row: the constructor's error, or the error every output rejects with. */
async function refusal(row: Row, name: string): Promise<{ error: Error; constructorThrew: boolean }> {
  let link: Package.MiLink;
  try {
    link = new pkg.MiLink(name, linkArgs(row));
  } catch (error) {
    return { error: error as Error, constructorThrew: true };
  }
  const outcome = await promiseOf(link.links).then(
    () => undefined,
    (error: Error) => error,
  );
  if (!outcome) throw new Error(`${row.label}: accepted`);
  return { error: outcome, constructorThrew: false };
}

describe("bad input matrix", () => {
  beforeAll(async () => {
    savedListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", recordUnhandled);
    await buildIfStale();
    const backedUp = (name: string) => ({ name, recoveryModel: "FULL" as const, fullBackup: true });
    emulators.ready = new SqlServerEmulator({ databases: [backedUp("Sales"), backedUp("Orders")] });
    emulators.old = new SqlServerEmulator({
      productVersion: "15.0.4312.2",
      hadrEnabled: false,
      collation: "Latin1_General_100_CI_AS",
      databases: [backedUp("Sales"), backedUp("Orders")],
    });
    await Promise.all(Object.values(emulators).map((e) => e.start()));
    const { host, port, user, password } = emulators.ready.connectionInfo();
    const sql: typeof import("mssql") = nativeRequire("mssql");
    const pool = await new sql.ConnectionPool({
      server: host,
      port,
      user,
      password,
      options: { encrypt: false },
    }).connect();
    await pool
      .request()
      .batch(
        "CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022) FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES);",
      );
    await pool.close();
  }, 120_000);

  afterAll(async () => {
    process.off("unhandledRejection", recordUnhandled);
    for (const listener of savedListeners) process.on("unhandledRejection", listener);
    await Promise.all(Object.values(emulators).map((e) => e.stop()));
    // Only the refusals themselves went unhandled (every output of a refused component rejects).
    expect(unhandled.filter((e) => (e as Error)?.name !== "MiLinkPreflightError")).toEqual([]);
  });

  beforeEach(() => {
    registered = [];
    miFacts = {
      id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-data/providers/Microsoft.Sql/managedInstances/sqlmi1`,
      name: "sqlmi1",
      fullyQualifiedDomainName: "sqlmi1.abc123.database.windows.net",
      databaseFormat: "SQLServer2022",
      collation: "SQL_Latin1_General_CP1_CI_AS",
    };
    for (const emulator of Object.values(emulators)) emulator.tds.resetCounters();
  });

  it("has at least 40 rows, over every argument group", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
    const groups = new Set(ROWS.map((r) => r.field.split(/[.[]/)[0]));
    for (const group of [
      "sqlServer",
      "managedInstance",
      "databases",
      "masterKeyPassword",
      "certificateExpiry",
      "initialPrimary",
      "failoverMode",
      "replicationMode",
      "links",
    ]) {
      expect(groups.has(group), group).toBe(true);
    }
  });

  it.each(ROWS.map((row, i) => [row.label, row, i] as const))("%s", async (_label, row, i) => {
    const emulator = emulators[row.server ?? "ready"];
    const { error, constructorThrew } = await refusal(row, `bad${i}`);
    const problems = (error as Error & { problems?: { field: string }[] }).problems ?? [];
    expect(
      problems.map((p) => p.field),
      error.message,
    ).toContain(row.field);
    expect(error.message).toContain(`${row.field}: `);
    const requests = emulator.tds.requestLog();
    if (row.stage === "args") {
      expect(constructorThrew).toBe(true);
      expect(error.name).toBe("MiLinkArgsError");
      expect(emulator.tds.counters().requests).toBe(0);
      expect(registered).toEqual([]);
    } else {
      expect(constructorThrew).toBe(false);
      expect(error.name).toBe("MiLinkPreflightError");
      expect(requests.filter((r) => DDL.test(r.text)).map((r) => r.text)).toEqual([]);
      // Only the component itself: no child resource reaches the engine.
      await new Promise((r) => setTimeout(r, 50));
      expect(registered).toEqual(["mi-link:index:MiLink"]);
    }
    // A hostile value never reaches SQL Server as text.
    for (const r of requests) expect(r.text).not.toContain("DROP DATABASE x");
  });
});

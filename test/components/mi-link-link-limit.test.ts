/**
 * MiLink's 100-link limit in preview (mocks in preview mode), counting the links already on the
 * managed instance: SQL Server is the emulator, the managed instance's links are listed from the
 * ARM emulator with the Azure options the component is given (armEndpoint, tlsCaPem, accessToken).
 * A second up of a 60-database stack finds its own 60 links there and counts them once.
 */
import { createRequire } from "node:module";
import type * as PulumiModule from "@pulumi/pulumi";
import * as net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ArmEmulator } from "../../src/testing/arm/server";
import type { LinkSpec } from "../../src/testing/arm/link-shape";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import type * as Package from "../../src/index";
import { buildIfStale } from "../support/build";

const nativeRequire = createRequire(__filename);
const pulumi = nativeRequire("@pulumi/pulumi") as typeof PulumiModule;

const SUBSCRIPTION = "00000000-0000-0000-0000-0000000000cc";
const DATABASES = Array.from({ length: 60 }, (_, i) => `Db${String(i).padStart(2, "0")}`);

void pulumi.runtime.setMocks(
  {
    newResource(args) {
      return { id: undefined as unknown as string, state: args.inputs };
    },
    call(args) {
      if (args.token !== "azure-native:sql:getManagedInstance")
        throw new Error(`unexpected invoke ${args.token}`);
      return {
        id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-data/providers/Microsoft.Sql/managedInstances/sqlmi1`,
        fullyQualifiedDomainName: "sqlmi1.abc.database.windows.net",
        databaseFormat: "SQLServer2022",
        collation: "SQL_Latin1_General_CP1_CI_AS",
      };
    },
  },
  "project",
  "stack",
  true,
);

const pkg = nativeRequire("../../dist/index.js") as typeof Package;

function promiseOf<T>(output: PulumiModule.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

/** The component's error, once every rejection of its outputs has been reported. */
async function preflightErrorOf(link: Package.MiLink): Promise<Error | undefined> {
  const error = await promiseOf(link.script).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
  return error;
}

const linkSpec = (db: string): LinkSpec => ({
  partnerAvailabilityGroupName: `AG_${db}`,
  instanceAvailabilityGroupName: `AG_${db}_MI`,
  partnerEndpoint: "TCP://other-sql.contoso.com:5022",
  instanceLinkRole: "Secondary",
  databases: [db],
  failoverMode: "Manual",
  replicationMode: "Async",
  seedingMode: "Automatic",
});

/** The component's failed check rejects its outputs; the SDK leaves those rejections unhandled. */
const unhandled: unknown[] = [];
let savedListeners: NodeJS.UnhandledRejectionListener[] = [];
const recordUnhandled = (reason: unknown) => void unhandled.push(reason);

describe("MiLink's link limit counts the links already on the managed instance", () => {
  let sql: SqlServerEmulator;
  let arm: ArmEmulator | undefined;

  beforeAll(async () => {
    savedListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", recordUnhandled);
    await buildIfStale();
    sql = new SqlServerEmulator({
      databases: DATABASES.map((name) => ({ name, recoveryModel: "FULL" as const, fullBackup: true })),
    });
    await sql.start();
  }, 120_000);

  afterEach(async () => {
    await arm?.stop();
    arm = undefined;
  });

  afterAll(async () => {
    await sql?.stop();
    process.off("unhandledRejection", recordUnhandled);
    for (const listener of savedListeners) process.on("unhandledRejection", listener);
    expect(unhandled.filter((e) => (e as Error)?.name !== "MiLinkPreflightError")).toEqual([]);
  });

  /** An ARM emulator whose managed instance holds `others` foreign links and, on a second up, this stack's. */
  async function managedInstanceWith(others: number, secondUp: boolean) {
    arm = new ArmEmulator({ subscriptionId: SUBSCRIPTION, resourceGroupName: "rg-data", listPageSize: 25 });
    const started = await arm.start();
    const links = arm.managedInstance().links;
    for (let i = 0; i < others; i++) links.create(`DAG_Other${i}`, linkSpec(`Other${i}`));
    if (secondUp) for (const db of DATABASES) links.create(`DAG_${db}`, linkSpec(db));
    arm.resetCounters();
    return started;
  }

  function newLink(
    name: string,
    armEndpoint: string,
    tlsCaPem: string | undefined,
    token: { accessToken?: string; accessTokenConfig?: string } = {
      accessToken: "arm-token-for-the-emulator",
    },
  ) {
    const info = sql.connectionInfo();
    return new pkg.MiLink(name, {
      sqlServer: {
        host: info.host,
        port: info.port,
        user: info.user,
        password: info.password,
        trustServerCertificate: true,
        endpointHost: "10.0.0.4",
      },
      managedInstance: {
        resourceGroupName: "rg-data",
        name: "sqlmi1",
        armEndpoint,
        tlsCaPem,
        ...token,
      },
      databases: DATABASES,
      masterKeyPassword: "Mk-Secret!limit1",
    });
  }

  it("second up of 60 databases next to 50 other links (110): refused in preview, naming the counts and the fix", async () => {
    const started = await managedInstanceWith(50, true);
    const error = await preflightErrorOf(newLink("full", started.endpoint, started.tlsCaPem));
    expect(error?.name).toBe("MiLinkPreflightError");
    expect(error?.message).toContain(
      'databases: 60 links requested and 50 other links already on managed instance "sqlmi1" make 110; ' +
        "a managed instance holds at most 100",
    );
    expect(error?.message).toContain("Link at most 50 databases to this managed instance");
    // The list was read through the component's Azure options, page after page (110 links, 25 a page).
    expect(arm!.counters().byOperation["GET distributedAvailabilityGroups"]).toBe(5);
  });

  it("second up of 60 databases next to 40 other links (100): passes", async () => {
    const started = await managedInstanceWith(40, true);
    const link = newLink("room", started.endpoint, started.tlsCaPem);
    const script = await promiseOf(link.script);
    expect(script).toContain("CREATE AVAILABILITY GROUP [DAG_Db59]");
    expect(arm!.counters().byOperation["GET distributedAvailabilityGroups"]).toBe(4);
  });

  it("with the ARM token given by config reference (accessTokenConfig) the list is read too", async () => {
    pulumi.runtime.setAllConfig({ "project:armToken": "arm-token-from-config" }, ["project:armToken"]);
    const started = await managedInstanceWith(50, true);
    const link = newLink("byref", started.endpoint, started.tlsCaPem, { accessTokenConfig: "armToken" });
    const error = await preflightErrorOf(link);
    expect(error?.message).toMatch(/60 links requested and 50 other links .* make 110/);
    expect(arm!.counters().byOperation["GET distributedAvailabilityGroups"]).toBe(5);
  });

  it("first up of 60 databases next to 50 other links: refused as well", async () => {
    const started = await managedInstanceWith(50, false);
    const error = await preflightErrorOf(newLink("first", started.endpoint, started.tlsCaPem));
    expect(error?.message).toMatch(/60 links requested and 50 other links .* make 110/);
  });

  it("when the links cannot be listed: a warning naming why, and the limit checked on this component alone", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const warnings: string[] = [];
    const spy = vi
      .spyOn(console, "warn")
      .mockImplementation((line: unknown) => void warnings.push(String(line)));
    try {
      const script = await promiseOf(newLink("unlisted", `https://127.0.0.1:${port}`, undefined).script);
      expect(script).toContain("CREATE AVAILABILITY GROUP [DAG_Db00]");
    } finally {
      spy.mockRestore();
    }
    const warning = warnings.find((line) => line.includes("Could not count the links"));
    expect(warning).toMatch(
      /managed instance "sqlmi1", so the 100-link limit was checked against this component's 60 only\..*ECONNREFUSED/s,
    );
    expect(warning).not.toContain("arm-token-for-the-emulator");
  });
});

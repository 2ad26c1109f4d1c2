/**
 * LinkRole on SQL Server 2019 (CU20): the failover to the managed instance is a one-way migration
 * cutover. Check refuses it without `cutover: true`; with it, the failover goes through the Azure
 * failover action (2019 has no T-SQL failover for the link) and the managed instance is primary.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getLink } from "../../src/azure/links";
import { StaticTokenCredential } from "../../src/testing/arm/credential";
import { startLocalWorld, type LocalWorld } from "../../src/testing/world";
import { buildIfStale } from "../support/build";
import { CheckFailedError, up } from "../support/engine-steps";
import { startProviderHost, urnFor, type ProviderHost } from "../support/provider-host";
import { serializeProvider } from "../support/serialize";
import { productStatements } from "./support/availability-groups";
import { linkRoleInputs, setUpLink } from "./support/link-role";

const VERSION = "15.0.4312.2";

describe("LinkRole provider on SQL Server 2019", () => {
  let world: LocalWorld;
  let host: ProviderHost;
  let providerText: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:LinkRole", "cutover");

  beforeAll(async () => {
    await buildIfStale();
    providerText = (await serializeProvider("./dist/dynamic/link-role.js", "linkRoleProvider")).text;
    world = await startLocalWorld({
      databases: ["Sales"],
      seedingSeconds: 0.3,
      productVersion: VERSION,
      databaseFormat: "SQLServer2022",
      armOperationMs: 20,
    });
    host = await startProviderHost();
    await setUpLink(world, "Sales");
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await world?.stop();
  });

  const inputs = (extra: Record<string, unknown> = {}) => ({
    ...linkRoleInputs(world, "Sales", {
      provider: providerText,
      armAccessToken: "arm-token",
      productVersion: VERSION,
      failoverMode: "None",
    }),
    ...extra,
  });

  it("refuses the failover without cutover: true, then cuts over through the Azure failover action", async () => {
    world.sql.model.setWorkload("Sales", false);
    const created = await up(host, urn, inputs());
    expect(created.state.outputs).toMatchObject({
      sqlServerRole: "PRIMARY",
      managedInstanceRole: "SECONDARY",
    });
    world.sql.tds.resetCounters();
    world.arm.resetCounters();
    const refused = await up(host, urn, inputs({ primary: "ManagedInstance" }), created.state).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(CheckFailedError);
    expect(String((refused as Error).message)).toMatch(/cutover/);
    expect(world.sql.tds.counters().requests).toBe(0);
    expect(world.arm.counters().requests).toBe(0);

    const done = await up(host, urn, inputs({ primary: "ManagedInstance", cutover: true }), created.state);
    expect(done.state.outputs).toMatchObject({ primary: "ManagedInstance", managedInstanceRole: "PRIMARY" });
    const statements = productStatements(world.sql.tds.requestLog()).map((e) => e.text);
    expect(statements.some((s) => /\bFAILOVER;/.test(s))).toBe(false);
    const posts = world.arm.requestLog().filter((e) => e.method === "POST");
    expect(posts.map((e) => e.path.split("?")[0].split("/").pop())).toEqual(["failover"]);
    const link = await getLink(
      {
        subscriptionId: world.info.arm.subscriptionId,
        resourceGroupName: world.info.arm.resourceGroupName,
        managedInstanceName: world.info.arm.managedInstanceName,
        armEndpoint: world.info.arm.endpoint,
        tlsCaPem: world.info.arm.tlsCaPem,
        credential: new StaticTokenCredential(),
      },
      "DAG_Sales",
    );
    expect(link?.instanceLinkRole).toBe("Primary");
  }, 60_000);
});

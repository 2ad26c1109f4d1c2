/**
 * LinkCutover through Pulumi's real dynamic-provider host against the emulators (SQL Server 2022
 * CU13): preview names the cutover; a run interrupted while waiting for the managed instance's
 * first full backup keeps the link (failed over, nothing dropped); the re-run completes it without
 * a second failover; a later up does nothing; a link that does not exist is refused. On SQL Server
 * 2019 the failover goes through the Azure failover action.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalWorld, type LocalWorld } from "../../src/testing/world";
import { buildIfStale } from "../support/build";
import { preview, up } from "../support/engine-steps";
import { startProviderHost, urnFor, type ProviderHost } from "../support/provider-host";
import { serializeProvider } from "../support/serialize";
import { catalogRows } from "./support/emulator";
import { linkRoleInputs, setUpLink } from "./support/link-role";

describe("LinkCutover provider", () => {
  let world: LocalWorld;
  let host: ProviderHost;
  let providerText: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:LinkCutover", "cutover");

  beforeAll(async () => {
    await buildIfStale();
    providerText = (await serializeProvider("./dist/dynamic/link-cutover.js", "linkCutoverProvider")).text;
    world = await startLocalWorld({
      databases: ["Sales", "Orders"],
      seedingSeconds: 0.3,
      armOperationMs: 20,
      // Long enough for a short wait to give up first.
      firstFullBackupSeconds: 3,
    });
    host = await startProviderHost();
    await setUpLink(world, "Sales");
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await world?.stop();
  });

  const inputs = (database: string, extra: Record<string, unknown> = {}) => {
    const { primary: _primary, ...rest } = linkRoleInputs(world, database, {
      provider: providerText,
      armAccessToken: "arm-token",
      productVersion: "16.0.4125.3",
      failoverMode: "Manual",
    });
    return { ...rest, ...extra };
  };
  const agNames = () => catalogRows(world.sql, "sys.availability_groups").map((r) => String(r.name));
  const armLinks = () => world.arm.managedInstance().links.list();
  const salesState = () =>
    catalogRows(world.sql, "sys.databases").find((d) => d.name === "Sales")?.state_desc;

  it("keeps the link while the first full backup is missing, then completes on the re-run", async () => {
    world.sql.model.setWorkload("Sales", false);
    const plan = await preview(host, urn, inputs("Sales"));
    expect(plan.inputs.plannedAction).toMatch(
      /^cutover \(ends the link\): planned failover of \[DAG_Sales\] to the managed instance, wait for/,
    );

    const interrupted = await up(host, urn, inputs("Sales", { firstBackupTimeoutSeconds: 0.2 })).catch(
      (e: unknown) => e,
    );
    expect(String((interrupted as Error).message)).toMatch(
      /first full backup of \[Sales\] did not appear within/,
    );
    // Failed over, nothing dropped.
    expect(agNames().sort()).toEqual(["AG_Sales", "DAG_Sales"]);
    expect(armLinks()).toEqual(["DAG_Sales"]);
    const link = world.sql.model.partner.linkStatus("DAG_Sales");
    expect(link?.managedInstanceRole).toBe("PRIMARY");

    const completed = await up(host, urn, inputs("Sales", { firstBackupTimeoutSeconds: 30 }));
    expect(completed.state.outputs).toMatchObject({
      failedOver: false,
      cutoverCompletedAt: expect.any(String),
      managedInstanceFirstBackupAt: expect.any(String),
      availabilityGroupKeptFor: [],
    });
    expect(agNames()).toEqual([]);
    expect(armLinks()).toEqual([]);
    expect(salesState()).toBe("ONLINE");

    world.sql.tds.resetCounters();
    world.arm.resetCounters();
    const again = await up(host, urn, inputs("Sales", { firstBackupTimeoutSeconds: 30 }), completed.state);
    expect(again.op).toBe("same");
    expect(again.plan.inputs.plannedAction).toMatch(/^none: the cutover of \[DAG_Sales\] has completed/);
    expect(world.sql.tds.counters().requests).toBe(0);
    expect(world.arm.counters().requests).toBe(0);
  }, 90_000);

  it("refuses to cut over a database that has no link, changing nothing", async () => {
    const refused = await up(host, urn, inputs("Orders")).catch((e: unknown) => e);
    expect(String((refused as Error).message)).toMatch(
      /Cannot cut over \[Orders\]: the Azure link \[DAG_Orders\] does not exist/,
    );
    expect(catalogRows(world.sql, "sys.databases").find((d) => d.name === "Orders")?.state_desc).toBe(
      "ONLINE",
    );
  }, 30_000);
});

describe("LinkCutover provider on SQL Server 2019", () => {
  const VERSION = "15.0.4312.2";
  let world: LocalWorld;
  let host: ProviderHost;
  let providerText: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:LinkCutover", "cutover-2019");

  beforeAll(async () => {
    await buildIfStale();
    providerText = (await serializeProvider("./dist/dynamic/link-cutover.js", "linkCutoverProvider")).text;
    world = await startLocalWorld({
      databases: ["Sales"],
      seedingSeconds: 0.3,
      productVersion: VERSION,
      armOperationMs: 20,
      firstFullBackupSeconds: 0.2,
    });
    host = await startProviderHost();
    await setUpLink(world, "Sales");
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await world?.stop();
  });

  it("fails over with the Azure failover action (2019 has no T-SQL failover for the link), then drops the link", async () => {
    world.sql.model.setWorkload("Sales", false);
    const { primary: _primary, ...inputs } = linkRoleInputs(world, "Sales", {
      provider: providerText,
      armAccessToken: "arm-token",
      productVersion: VERSION,
      failoverMode: "None",
    });
    world.arm.resetCounters();
    const done = await up(host, urn, { ...inputs, firstBackupTimeoutSeconds: 30 });
    expect(done.state.outputs).toMatchObject({ failedOver: true, cutoverCompletedAt: expect.any(String) });
    const posts = world.arm.requestLog().filter((e) => e.method === "POST");
    expect(posts.map((e) => e.path.split("?")[0].split("/").pop())).toEqual(["failover"]);
    expect(catalogRows(world.sql, "sys.availability_groups")).toEqual([]);
    expect(world.arm.managedInstance().links.list()).toEqual([]);
    expect(catalogRows(world.sql, "sys.databases").find((d) => d.name === "Sales")?.state_desc).toBe(
      "ONLINE",
    );
  }, 60_000);
});

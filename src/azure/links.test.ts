import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeSqlServerPartner } from "../testing/arm/fake-partner";
import { ArmEmulator } from "../testing/arm/server";
import { configuredPartner, DEFAULT_TOPOLOGY } from "../testing/arm/test-support";
import { createSqlClient, managedInstanceResourceId, type AzureTarget } from "./client";
import { emulatorTarget } from "./emulator-target";
import { AzureOperationError } from "./errors";
import { deleteLink, failoverLink, getLink, listLinks, setLinkReplicationMode, setLinkRole } from "./links";
import { armLongRunning } from "./request";

const dag = DEFAULT_TOPOLOGY.dagName;

describe("link operations (2023-08-01) against the ARM emulator", () => {
  let emulator: ArmEmulator;
  let partner: FakeSqlServerPartner;
  let target: AzureTarget;

  beforeEach(async () => {
    emulator = new ArmEmulator({ lroDelayMs: 20, trustPollMs: 20, linkInitWindowMs: 800 });
    const { endpoint, tlsCaPem } = await emulator.start();
    const mi = emulator.managedInstance();
    const configured = configuredPartner(mi.fqdn, mi.endpointCertificate("DATABASE_MIRRORING").der);
    partner = configured.partner;
    emulator.attachSqlServer(partner);
    target = emulatorTarget(
      emulator,
      { endpoint, tlsCaPem },
      { managedInstanceName: mi.name, operationTimeoutSeconds: 10 },
    );
    const client = createSqlClient(target);
    await client.serverTrustCertificates.beginCreateOrUpdateAndWait(
      target.resourceGroupName,
      target.managedInstanceName,
      DEFAULT_TOPOLOGY.endpointCertificateName,
      { publicBlob: configured.sqlCertificateDer.toString("hex") },
      { updateIntervalInMs: 10 },
    );
    await armLongRunning(
      client,
      target,
      { action: "create the link", resource: dag },
      "PUT",
      `${endpoint}${managedInstanceResourceId(target)}/distributedAvailabilityGroups/${dag}?api-version=2023-08-01`,
      {
        body: {
          properties: {
            partnerAvailabilityGroupName: DEFAULT_TOPOLOGY.sqlAgName,
            instanceAvailabilityGroupName: DEFAULT_TOPOLOGY.miAgName,
            partnerEndpoint: "TCP://sqlhost01.corp.example:5022",
            instanceLinkRole: "Secondary",
            databases: [{ databaseName: DEFAULT_TOPOLOGY.database }],
            failoverMode: "Manual",
            replicationMode: "Async",
            seedingMode: "Automatic",
          },
        },
      },
    );
    emulator.resetCounters();
  });
  afterEach(() => emulator.stop());

  const synchronize = () => {
    const status = partner.status.get(dag)!;
    partner.status.set(dag, {
      ...status,
      availabilityMode: "SYNCHRONOUS_COMMIT",
      synchronizationState: "SYNCHRONIZED",
    });
  };

  it("reads the link in the 2023-08-01 shape, and undefined for a missing one", async () => {
    const link = await getLink(target, dag);
    expect(link).toMatchObject({
      name: dag,
      partnerAvailabilityGroupName: DEFAULT_TOPOLOGY.sqlAgName,
      instanceAvailabilityGroupName: DEFAULT_TOPOLOGY.miAgName,
      instanceLinkRole: "Secondary",
      partnerLinkRole: "Primary",
      replicationMode: "Async",
      failoverMode: "Manual",
    });
    expect(link?.databases[0].databaseName).toBe(DEFAULT_TOPOLOGY.database);
    expect(await getLink(target, "DAG_missing")).toBeUndefined();
    expect(emulator.requestLog().map((entry) => `${entry.method} ${entry.status}`)).toEqual([
      "GET 200",
      "GET 404",
    ]);
  });

  it("refuses a planned failover of an unsynchronized link with the fix", async () => {
    const failure = await failoverLink(target, dag, "Planned").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AzureOperationError);
    expect((failure as AzureOperationError).code).toBe(
      "DistributedAvailabilityGroupFailoverSecondariesNotSynchronizing",
    );
    expect((failure as Error).message).toMatch(
      /fail over the link \(Planned\).*link DAG_sales of managed instance sqlmi1/,
    );
    expect((failure as Error).message).toMatch(/HTTP 409/);
    expect((failure as Error).message).toMatch(/Fix: switch the link to synchronous commit/);
    expect(partner.calls.some((call) => call.method === "remoteFailover")).toBe(false);
  });

  it("switches to Sync with PATCH, then fails over (planned) as a long-running operation", async () => {
    const synced = await setLinkReplicationMode(target, dag, "Sync");
    expect(synced.replicationMode).toBe("Sync");
    expect(partner.calls.some((call) => call.method === "setRemoteAvailabilityMode")).toBe(true);
    synchronize();
    const failedOver = await failoverLink(target, dag, "Planned");
    expect(failedOver.instanceLinkRole).toBe("Primary");
    expect(failedOver.partnerLinkRole).toBe("Secondary");
    expect(emulator.counters().byOperation["POST failover"]).toBe(1);
    expect(emulator.counters().byOperation["GET managedInstanceAzureAsyncOperation"]).toBeGreaterThan(0);

    const again = await failoverLink(target, dag, "Planned").catch((error: unknown) => error);
    expect((again as AzureOperationError).code).toBe(
      "InvalidDistributedAvailabilityGroupFailoverInstanceRole",
    );
    expect((again as AzureOperationError).statusCode).toBe(400);
    expect((again as Error).message).toMatch(
      /Fix: a planned failover through Azure makes the managed instance primary/,
    );
  });

  it("forced failover leaves both primary; setRole repairs it and refuses the current role", async () => {
    const forced = await failoverLink(target, dag, "ForcedAllowDataLoss");
    expect(forced.instanceLinkRole).toBe("Primary");
    expect(forced.partnerLinkRole).toBe("Primary");
    const same = await setLinkRole(target, dag, "Primary", "Forced").catch((error: unknown) => error);
    expect((same as AzureOperationError).code).toBe(
      "DistributedAvailabilityGroupSetRoleInstanceAlreadyInRequestedRole",
    );
    expect((same as Error).message).toMatch(/Fix: nothing to change/);
    const repaired = await setLinkRole(target, dag, "Secondary", "Forced");
    expect(repaired.instanceLinkRole).toBe("Secondary");
    expect(partner.calls.find((call) => call.method === "remoteSetRole")?.args).toEqual([dag, "SECONDARY"]);
  });

  it("a concurrent role change is refused with the fix; a busy link is waited for", async () => {
    emulator.setLroDelayMs(300);
    const first = setLinkRole(target, dag, "Primary", "Forced");
    await new Promise((resolve) => setTimeout(resolve, 80));
    const second = await setLinkRole(target, dag, "Primary", "Forced").catch((error: unknown) => error);
    expect((second as AzureOperationError).code).toBe(
      "DistributedAvailabilityGroupSetRoleChangeRoleAlreadyInProgress",
    );
    expect((second as Error).message).toMatch(/Fix: a role change of this link is already running/);
    // PATCH while the role change runs: 409 AnotherOperationInProgress, retried until it is done.
    const patched = await setLinkReplicationMode(target, dag, "Sync");
    expect(patched.replicationMode).toBe("Sync");
    expect(emulator.requestLog().some((entry) => entry.method === "PATCH" && entry.status === 409)).toBe(
      true,
    );
    expect((await first).instanceLinkRole).toBe("Primary");
  });

  it("reports an operation that fails after being accepted with its own code", async () => {
    partner.remoteSetRole = () => {
      throw Object.assign(new Error("The availability group is not ready for a role change."), {
        code: "DistributedAvailabilityGroupNotConnected",
      });
    };
    const failure = await setLinkRole(target, dag, "Primary", "Forced").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AzureOperationError);
    expect((failure as AzureOperationError).code).toBe("DistributedAvailabilityGroupNotConnected");
    expect((failure as Error).message).toMatch(
      /not ready for a role change.*accepted, then failed.*Fix: the link is not connected/,
    );
  });

  it("deletes the link, and reports false when it is already gone", async () => {
    expect(await deleteLink(target, dag)).toBe(true);
    expect(await getLink(target, dag)).toBeUndefined();
    expect(await deleteLink(target, dag)).toBe(false);
    expect(partner.calls.some((call) => call.method === "disconnectRemote")).toBe(true);
  });

  it("refuses a hostile link name before any request", async () => {
    await expect(getLink(target, "a]; DROP DATABASE x--")).rejects.toMatchObject({
      name: "AzureInputError",
      field: "distributedAvailabilityGroupName",
    });
    await expect(failoverLink(target, "../../x", "Planned")).rejects.toThrow(/1-128 characters/);
    expect(emulator.counters().requests).toBe(0);
  });
});

describe("link operations: deadlines and credentials", () => {
  let emulator: ArmEmulator;
  let target: AzureTarget;

  beforeEach(async () => {
    emulator = new ArmEmulator({ lroDelayMs: 20 });
    const { endpoint, tlsCaPem } = await emulator.start();
    target = emulatorTarget(emulator, { endpoint, tlsCaPem });
  });
  afterEach(() => emulator.stop());

  it("stops polling at operationTimeoutSeconds and says the operation may still run", async () => {
    const mi = emulator.managedInstance();
    emulator.setLroDelayMs(5000);
    const client = createSqlClient({ ...target, operationTimeoutSeconds: 0.3 });
    const started = Date.now();
    const failure = await armLongRunning(
      client,
      { ...target, operationTimeoutSeconds: 0.3 },
      { action: "upload the certificate", resource: "trust certificate c1" },
      "PUT",
      `${target.armEndpoint}${managedInstanceResourceId(target)}/serverTrustCertificates/c1?api-version=2021-11-01-preview`,
      { body: { properties: { publicBlob: mi.endpointCertificate("SERVICE_BROKER").der.toString("hex") } } },
    ).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(failure).toBeInstanceOf(AzureOperationError);
    expect((failure as Error).message).toMatch(
      /Could not upload the certificate \(trust certificate c1\): It did not finish within its deadline of 0.3 s\. Fix: the operation may still be running/,
    );
  });

  it("explains a credential that cannot get a token, before any request", async () => {
    const credential = {
      getToken: async () => {
        throw Object.assign(new Error("Azure CLI not found on path.\nMore text"), {
          name: "CredentialUnavailableError",
        });
      },
    };
    const failure = await getLink({ ...target, credential }, dag).catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(
      /^Could not read the link \(link DAG_sales of managed instance sqlmi1 in resource group rg-mi-link\): No Azure token: Azure CLI not found on path\. Fix: sign in \(az login\)/,
    );
    expect(emulator.counters().requests).toBe(0);
  });
});

describe("listLinks against the ARM emulator", () => {
  let emulator: ArmEmulator | undefined;
  afterEach(() => emulator?.stop());

  const spec = (db: string) => ({
    partnerAvailabilityGroupName: `AG_${db}`,
    instanceAvailabilityGroupName: `AG_${db}_MI`,
    partnerEndpoint: "TCP://sqlhost01.corp.example:5022",
    instanceLinkRole: "Secondary" as const,
    databases: [db],
    failoverMode: "Manual" as const,
    replicationMode: "Async" as const,
    seedingMode: "Automatic" as const,
  });

  it("lists every link of the managed instance, page after page", async () => {
    emulator = new ArmEmulator({ listPageSize: 2 });
    const started = await emulator.start();
    const names = ["DAG_a", "DAG_b", "DAG_c", "DAG_d", "DAG_e"];
    for (const name of names) emulator.managedInstance().links.create(name, spec(name.slice(4)));
    emulator.resetCounters();
    const links = await listLinks(emulatorTarget(emulator, started));
    expect(links.map((link) => link.name)).toEqual(names);
    expect(links[2]).toMatchObject({
      partnerAvailabilityGroupName: "AG_c",
      instanceAvailabilityGroupName: "AG_c_MI",
      replicationMode: "Async",
    });
    // Three pages of at most two.
    expect(emulator.counters().byOperation["GET distributedAvailabilityGroups"]).toBe(3);
  });

  it("answers an empty list for a managed instance without links", async () => {
    emulator = new ArmEmulator();
    const started = await emulator.start();
    expect(await listLinks(emulatorTarget(emulator, started))).toEqual([]);
  });

  it("names the managed instance when it does not exist", async () => {
    emulator = new ArmEmulator();
    const started = await emulator.start();
    const error = await listLinks(
      emulatorTarget(emulator, started, { managedInstanceName: "nosuchmi" }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureOperationError);
    expect((error as Error).message).toMatch(/list the links.*nosuchmi/s);
  });
});

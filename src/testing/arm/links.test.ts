import { X509Certificate } from "node:crypto";
import { SqlManagementClient } from "@azure/arm-sql";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StaticTokenCredential } from "./credential";
import type { FakeSqlServerPartner } from "./fake-partner";
import { ArmEmulator } from "./server";
import {
  armLongRunning,
  armRequest,
  configuredPartner,
  DEFAULT_TOPOLOGY,
  sqlServerEndpointCertificate,
} from "./test-support";

const rg = "rg-mi-link";
const mi = "sqlmi1";
const fast = { updateIntervalInMs: 10 };

interface Fixture {
  emulator: ArmEmulator;
  client: SqlManagementClient;
  partner: FakeSqlServerPartner;
  sqlCertificateHex: string;
  linkUrl: (name?: string, apiVersion?: string) => string;
}

async function startFixture(): Promise<Fixture> {
  const emulator = new ArmEmulator({ lroDelayMs: 20, trustPollMs: 20, linkInitWindowMs: 800 });
  const { endpoint, tlsCaPem } = await emulator.start();
  const managedInstance = emulator.managedInstance();
  const { partner, sqlCertificateDer } = configuredPartner(
    managedInstance.fqdn,
    managedInstance.endpointCertificate("DATABASE_MIRRORING").der,
  );
  emulator.attachSqlServer(partner);
  const client = new SqlManagementClient(new StaticTokenCredential(), emulator.subscriptionId, {
    endpoint,
    credentialScopes: ["https://management.azure.com/.default"],
    tlsOptions: { ca: tlsCaPem },
    retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
  const linkUrl = (name = DEFAULT_TOPOLOGY.dagName, apiVersion = "2023-08-01") =>
    `${endpoint}${managedInstance.resourceId}/distributedAvailabilityGroups/${name}?api-version=${apiVersion}`;
  return { emulator, client, partner, sqlCertificateHex: "0x" + sqlCertificateDer.toString("hex"), linkUrl };
}

const linkBody = (overrides: Record<string, unknown> = {}) => ({
  properties: {
    partnerAvailabilityGroupName: DEFAULT_TOPOLOGY.sqlAgName,
    instanceAvailabilityGroupName: DEFAULT_TOPOLOGY.miAgName,
    partnerEndpoint: "TCP://sqlhost01.corp.example:5022",
    instanceLinkRole: "Secondary",
    databases: [{ databaseName: DEFAULT_TOPOLOGY.database }],
    failoverMode: "Manual",
    replicationMode: "Async",
    seedingMode: "Automatic",
    ...overrides,
  },
});

type LinkJson = {
  properties: {
    instanceLinkRole: string;
    partnerLinkRole: string;
    replicationMode: string;
    distributedAvailabilityGroupId: string;
    databases: Array<Record<string, unknown>>;
  };
};

async function getLink(f: Fixture, name?: string): Promise<LinkJson> {
  const response = await armRequest(f.client, f.linkUrl(name), "GET");
  expect(response.statusCode).toBe(200);
  return response.body as LinkJson;
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

describe("server trust certificates through @azure/arm-sql", () => {
  let f: Fixture;
  beforeEach(async () => (f = await startFixture()));
  afterEach(() => f.emulator.stop());

  it("creates, reads, lists and deletes a trust certificate", async () => {
    const created = await f.client.serverTrustCertificates.beginCreateOrUpdateAndWait(
      rg,
      mi,
      "Cert_SQLHOST01_endpoint",
      { publicBlob: f.sqlCertificateHex },
      fast,
    );
    const x509 = new X509Certificate(Buffer.from(f.sqlCertificateHex.slice(2), "hex"));
    expect(created.thumbprint).toBe(x509.fingerprint.replace(/:/g, ""));
    expect(created.certificateName).toBe("Cert_SQLHOST01_endpoint");
    const read = await f.client.serverTrustCertificates.get(rg, mi, "Cert_SQLHOST01_endpoint");
    expect(read.publicBlob?.toLowerCase()).toBe(f.sqlCertificateHex.slice(2));
    const listed = [];
    for await (const item of f.client.serverTrustCertificates.listByInstance(rg, mi)) listed.push(item.name);
    expect(listed).toEqual(["Cert_SQLHOST01_endpoint"]);
    await f.client.serverTrustCertificates.beginDeleteAndWait(rg, mi, "Cert_SQLHOST01_endpoint", fast);
    await expect(
      f.client.serverTrustCertificates.get(rg, mi, "Cert_SQLHOST01_endpoint"),
    ).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("accepts the blob without 0x and is idempotent for the same certificate and name", async () => {
    const blob = f.sqlCertificateHex.slice(2);
    await f.client.serverTrustCertificates.beginCreateOrUpdateAndWait(
      rg,
      mi,
      "c1",
      { publicBlob: blob },
      fast,
    );
    await f.client.serverTrustCertificates.beginCreateOrUpdateAndWait(
      rg,
      mi,
      "c1",
      { publicBlob: blob },
      fast,
    );
    expect(f.emulator.managedInstance().trustCertificates.list()).toHaveLength(1);
  });

  it("refuses the same public key under another name", async () => {
    await f.client.serverTrustCertificates.beginCreateOrUpdateAndWait(
      rg,
      mi,
      "c1",
      { publicBlob: f.sqlCertificateHex },
      fast,
    );
    await expect(
      f.client.serverTrustCertificates.beginCreateOrUpdateAndWait(
        rg,
        mi,
        "c2",
        { publicBlob: f.sqlCertificateHex },
        fast,
      ),
    ).rejects.toMatchObject({ statusCode: 409, code: "ServerTrustCertificateAlreadyExists" });
  });
});

describe("links (distributedAvailabilityGroups)", () => {
  let f: Fixture;
  beforeEach(async () => (f = await startFixture()));
  afterEach(() => f.emulator.stop());

  async function uploadTrust() {
    await f.client.serverTrustCertificates.beginCreateOrUpdateAndWait(
      rg,
      mi,
      "Cert_SQLHOST01_endpoint",
      { publicBlob: f.sqlCertificateHex },
      fast,
    );
  }

  it("creates a link in the 2023-08-01 shape and connects it when the trust is right", async () => {
    await uploadTrust();
    const created = (await armLongRunning(f.client, f.linkUrl(), "PUT", linkBody())) as LinkJson;
    expect(created.properties.distributedAvailabilityGroupId).toMatch(/^[0-9a-f-]{36}$/);
    expect(f.partner.calls.find((call) => call.method === "connectRemote")?.args).toEqual([
      DEFAULT_TOPOLOGY.dagName,
      { managedInstanceName: mi, managedInstanceRole: "SECONDARY" },
    ]);
    const link = await getLink(f);
    expect(link.properties.instanceLinkRole).toBe("Secondary");
    expect(link.properties.partnerLinkRole).toBe("Primary");
    expect(link.properties.databases[0]).toMatchObject({
      databaseName: "sales",
      replicaState: "LinkSynchronizing",
      connectedState: "Connected",
      synchronizationHealth: "Healthy",
      seedingProgress: "100%",
      lastHardenedLsn: "42000000000000001",
      partnerAuthCertValidity: { certificateName: "Cert_SQLHOST01_endpoint" },
      instanceRedoReplicationLagSeconds: 0,
    });
  });

  it("works through @azure/arm-sql's own operations (2021-11-01-preview shape)", async () => {
    await uploadTrust();
    const created = await f.client.distributedAvailabilityGroups.beginCreateOrUpdateAndWait(
      rg,
      mi,
      DEFAULT_TOPOLOGY.dagName,
      {
        targetDatabase: "sales",
        sourceEndpoint: "TCP://sqlhost01.corp.example:5022",
        primaryAvailabilityGroupName: DEFAULT_TOPOLOGY.sqlAgName,
        secondaryAvailabilityGroupName: DEFAULT_TOPOLOGY.miAgName,
        replicationMode: "Async",
      },
      fast,
    );
    expect(created.linkState).toBe("LinkSynchronizing");
    expect(created.targetDatabase).toBe("sales");
    const updated = await f.client.distributedAvailabilityGroups.beginUpdateAndWait(
      rg,
      mi,
      DEFAULT_TOPOLOGY.dagName,
      { replicationMode: "Sync" },
      fast,
    );
    expect(updated.replicationMode).toBe("Sync");
    expect(f.partner.linkStatus(DEFAULT_TOPOLOGY.dagName)?.availabilityMode).toBe("SYNCHRONOUS_COMMIT");
    const names = [];
    for await (const link of f.client.distributedAvailabilityGroups.listByInstance(rg, mi))
      names.push(link.name);
    expect(names).toEqual([DEFAULT_TOPOLOGY.dagName]);
    await f.client.distributedAvailabilityGroups.beginDeleteAndWait(rg, mi, DEFAULT_TOPOLOGY.dagName, fast);
    expect(f.partner.calls.at(-1)).toEqual({ method: "disconnectRemote", args: [DEFAULT_TOPOLOGY.dagName] });
    await expect(
      f.client.distributedAvailabilityGroups.get(rg, mi, DEFAULT_TOPOLOGY.dagName),
    ).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("refuses a PUT that changes a fixed property of an existing link", async () => {
    await uploadTrust();
    await armLongRunning(f.client, f.linkUrl(), "PUT", linkBody());
    const response = await armRequest(
      f.client,
      f.linkUrl(),
      "PUT",
      linkBody({ partnerEndpoint: "TCP://other:5022" }),
    );
    expect(response.statusCode).toBe(400);
    const same = await armRequest(f.client, f.linkUrl(), "PUT", linkBody({ replicationMode: "Sync" }));
    expect(same.statusCode).toBe(200);
  });

  it("validates the link body", async () => {
    const noDatabases = await armRequest(f.client, f.linkUrl(), "PUT", linkBody({ databases: [] }));
    expect(noDatabases.statusCode).toBe(400);
    const badEndpoint = await armRequest(
      f.client,
      f.linkUrl(),
      "PUT",
      linkBody({ partnerEndpoint: "sqlhost01" }),
    );
    expect(badEndpoint.statusCode).toBe(400);
    const badMode = await armRequest(f.client, f.linkUrl(), "PUT", linkBody({ replicationMode: "Fast" }));
    expect((badMode.body as { error: { code: string } }).error.code).toBe("InvalidParameterValue");
  });

  it("reports 41973 without the SQL Server certificate on the MI, then converges once it is uploaded", async () => {
    await armLongRunning(f.client, f.linkUrl(), "PUT", linkBody());
    const broken = await getLink(f);
    expect(broken.properties.databases[0].replicaState).toMatch(/Error$/);
    expect(broken.properties.databases[0].connectedState).toBe("Disconnected");
    expect(broken.properties.databases[0].mostRecentLinkError).toContain("41973");
    expect(f.partner.linkStatus(DEFAULT_TOPOLOGY.dagName)).toMatchObject({
      connected: false,
      lastConnectError: { number: 41973 },
    });
    await uploadTrust();
    const fixed = await until(
      () => getLink(f),
      (link) => link.properties.databases[0].connectedState === "Connected",
    );
    expect(fixed.properties.databases[0].replicaState).toBe("LinkSynchronizing");
    expect(f.partner.linkStatus(DEFAULT_TOPOLOGY.dagName)?.connected).toBe(true);
  });

  it("reports 41974 when SQL Server lacks the MI certificate, and converges when it is imported", async () => {
    await uploadTrust();
    const fqdn = f.emulator.managedInstance().fqdn;
    const miCertificate = f.partner.certificates.get(fqdn)!;
    f.partner.certificates.delete(fqdn);
    await armLongRunning(f.client, f.linkUrl(), "PUT", linkBody());
    expect((await getLink(f)).properties.databases[0].mostRecentLinkError).toContain("41974");
    f.partner.certificates.set(fqdn, miCertificate);
    const fixed = await until(
      () => getLink(f),
      (link) => link.properties.databases[0].connectedState === "Connected",
    );
    expect(fixed.properties.databases[0].connectedState).toBe("Connected");
  });

  /** A second endpoint certificate on SQL Server, for a rotation. */
  function addRotatedCertificate(name: string): Buffer {
    const der = sqlServerEndpointCertificate("SQLHOST01 endpoint rotated");
    const now = new Date();
    f.partner.certificates.set(name, {
      name,
      certificateId: 300,
      der,
      hasPrivateKey: true,
      subject: "SQLHOST01 endpoint rotated",
      issuerName: "SQLHOST01 endpoint rotated",
      startDate: now,
      expiryDate: new Date(now.getTime() + 730 * 24 * 60 * 60 * 1000),
    });
    return der;
  }

  it("drops a connected link with 41973 when the endpoint switches to a certificate the MI lacks", async () => {
    await uploadTrust();
    await armLongRunning(f.client, f.linkUrl(), "PUT", linkBody());
    expect(f.partner.linkStatus(DEFAULT_TOPOLOGY.dagName)?.connected).toBe(true);
    const der = addRotatedCertificate("Cert_SQLHOST01_endpoint_20301231");
    f.partner.endpoint = { ...f.partner.endpoint!, certificateName: "Cert_SQLHOST01_endpoint_20301231" };
    const broken = await until(
      () => getLink(f),
      (link) => link.properties.databases[0].connectedState === "Disconnected",
    );
    expect(broken.properties.databases[0].mostRecentLinkError).toContain("41973");
    expect(f.partner.linkStatus(DEFAULT_TOPOLOGY.dagName)).toMatchObject({
      connected: false,
      lastConnectError: { number: 41973 },
    });
    // Uploading the new certificate lets the managed instance join again.
    await f.client.serverTrustCertificates.beginCreateOrUpdateAndWait(
      rg,
      mi,
      "Cert_SQLHOST01_endpoint_20301231",
      { publicBlob: "0x" + der.toString("hex") },
      fast,
    );
    const fixed = await until(
      () => getLink(f),
      (link) => link.properties.databases[0].connectedState === "Connected",
    );
    expect(fixed.properties.databases[0].connectedState).toBe("Connected");
  });

  it("keeps the link connected through a rotation done in order: upload, switch, remove the old", async () => {
    await uploadTrust();
    await armLongRunning(f.client, f.linkUrl(), "PUT", linkBody());
    const der = addRotatedCertificate("Cert_SQLHOST01_endpoint_20301231");
    await f.client.serverTrustCertificates.beginCreateOrUpdateAndWait(
      rg,
      mi,
      "Cert_SQLHOST01_endpoint_20301231",
      { publicBlob: "0x" + der.toString("hex") },
      fast,
    );
    f.partner.endpoint = { ...f.partner.endpoint!, certificateName: "Cert_SQLHOST01_endpoint_20301231" };
    await f.client.serverTrustCertificates.beginDeleteAndWait(rg, mi, "Cert_SQLHOST01_endpoint", fast);
    // Several polls of the emulator's trust check pass: the link never drops.
    for (let poll = 0; poll < 5; poll += 1) {
      const link = await getLink(f);
      expect(link.properties.databases[0].connectedState).toBe("Connected");
      expect(link.properties.databases[0].partnerAuthCertValidity).toMatchObject({
        certificateName: "Cert_SQLHOST01_endpoint_20301231",
      });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(f.partner.calls.filter((call) => call.method === "failRemote")).toEqual([]);
  });

  it("reports 41962 only after the connection window when the endpoint is unreachable", async () => {
    await uploadTrust();
    f.partner.endpoint = { ...f.partner.endpoint!, port: 5023 };
    await armLongRunning(f.client, f.linkUrl(), "PUT", linkBody());
    const early = await getLink(f);
    expect(early.properties.databases[0].replicaState).toBe("CreatingLink");
    const late = await until(
      () => getLink(f),
      (link) => String(link.properties.databases[0].replicaState).endsWith("Error"),
    );
    expect(late.properties.databases[0].replicaState).toBe("LinkInitError");
    expect(late.properties.databases[0].mostRecentLinkError).toContain("41962");
    expect(f.partner.linkStatus(DEFAULT_TOPOLOGY.dagName)?.lastConnectError?.number).toBe(41962);
  });
});

describe("failover and setRole", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture();
    await f.client.serverTrustCertificates.beginCreateOrUpdateAndWait(
      rg,
      mi,
      "Cert_SQLHOST01_endpoint",
      { publicBlob: f.sqlCertificateHex },
      fast,
    );
    await armLongRunning(f.client, f.linkUrl(), "PUT", linkBody());
  });
  afterEach(() => f.emulator.stop());

  const actionUrl = (action: string) => f.linkUrl().replace("?", `/${action}?`);

  const synchronize = () => {
    const status = f.partner.status.get(DEFAULT_TOPOLOGY.dagName)!;
    f.partner.status.set(DEFAULT_TOPOLOGY.dagName, {
      ...status,
      availabilityMode: "SYNCHRONOUS_COMMIT",
      synchronizationState: "SYNCHRONIZED",
    });
  };

  it("refuses a planned failover while the secondary is not synchronized", async () => {
    const refused = await armRequest(f.client, actionUrl("failover"), "POST", { failoverType: "Planned" });
    expect(refused.statusCode).toBe(409);
    expect((refused.body as { error: { code: string } }).error.code).toBe(
      "DistributedAvailabilityGroupFailoverSecondariesNotSynchronizing",
    );
    expect(f.partner.calls.some((call) => call.method === "remoteFailover")).toBe(false);
  });

  it("runs a planned failover to the MI as a long-running operation", async () => {
    // Long enough that the operation is still running when the next requests arrive on a busy machine.
    f.emulator.setLroDelayMs(400);
    synchronize();
    const initial = await armRequest(f.client, actionUrl("failover"), "POST", { failoverType: "Planned" });
    expect(initial.statusCode).toBe(202);
    expect(initial.headers["azure-asyncoperation"]).toMatch(/managedInstanceAzureAsyncOperation/);
    expect(initial.headers["location"]).toMatch(/managedInstanceOperationResults/);
    expect(initial.headers["retry-after"]).toBeDefined();
    const inProgress = await armRequest(f.client, initial.headers["azure-asyncoperation"], "GET");
    expect((inProgress.body as { status: string }).status).toBe("InProgress");
    expect((await getLink(f)).properties.databases[0].replicaState).toBe("LinkFailoverInProgress");
    const done = await until(
      () => armRequest(f.client, initial.headers["azure-asyncoperation"], "GET"),
      (response) => (response.body as { status: string }).status !== "InProgress",
    );
    expect((done.body as { status: string }).status).toBe("Succeeded");
    const result = await armRequest(f.client, initial.headers["location"], "GET");
    expect((result.body as LinkJson).properties.instanceLinkRole).toBe("Primary");
    expect((result.body as LinkJson).properties.partnerLinkRole).toBe("Secondary");
  });

  it("refuses a planned failover when the MI is already primary; a forced one goes through", async () => {
    const forced = (await armLongRunning(f.client, actionUrl("failover"), "POST", {
      failoverType: "ForcedAllowDataLoss",
    })) as LinkJson;
    expect(forced.properties.instanceLinkRole).toBe("Primary");
    // Forced: SQL Server was not asked, both sides are primary.
    expect(forced.properties.partnerLinkRole).toBe("Primary");
    synchronize();
    const refused = await armRequest(f.client, actionUrl("failover"), "POST", { failoverType: "Planned" });
    expect(refused.statusCode).toBe(400);
    expect((refused.body as { error: { code: string } }).error.code).toBe(
      "InvalidDistributedAvailabilityGroupFailoverInstanceRole",
    );
  });

  it("refuses changes to the link while its role is changing with 409 AnotherOperationInProgress", async () => {
    // Long enough that the operation is still running when the next requests arrive on a busy machine.
    f.emulator.setLroDelayMs(400);
    const initial = await armRequest(f.client, actionUrl("failover"), "POST", {
      failoverType: "ForcedAllowDataLoss",
    });
    expect(initial.statusCode).toBe(202);
    const patch = await armRequest(f.client, f.linkUrl(), "PATCH", {
      properties: { replicationMode: "Sync" },
    });
    expect(patch.statusCode).toBe(409);
    expect((patch.body as { error: { code: string } }).error.code).toBe("AnotherOperationInProgress");
    const drop = await armRequest(f.client, f.linkUrl(), "DELETE");
    expect(drop.statusCode).toBe(409);
    await until(
      () => getLink(f),
      (link) => link.properties.databases[0].replicaState !== "LinkFailoverInProgress",
    );
    const retried = await armRequest(f.client, f.linkUrl(), "PATCH", {
      properties: { replicationMode: "Sync" },
    });
    expect(retried.statusCode).toBe(202);
  });

  it("refuses an unknown failoverType", async () => {
    const response = await armRequest(f.client, actionUrl("failover"), "POST", { failoverType: "Now" });
    expect(response.statusCode).toBe(400);
  });

  it("setRole changes the MI role, refuses the current role and a concurrent change", async () => {
    // Long enough that the operation is still running when the next requests arrive on a busy machine.
    f.emulator.setLroDelayMs(400);
    const same = await armRequest(f.client, actionUrl("setRole"), "POST", {
      instanceRole: "Secondary",
      roleChangeType: "Forced",
    });
    expect(same.statusCode).toBe(409);
    expect((same.body as { error: { code: string } }).error.code).toBe(
      "DistributedAvailabilityGroupSetRoleInstanceAlreadyInRequestedRole",
    );
    const first = await armRequest(f.client, actionUrl("setRole"), "POST", {
      instanceRole: "Primary",
      roleChangeType: "Forced",
    });
    expect(first.statusCode).toBe(202);
    const second = await armRequest(f.client, actionUrl("setRole"), "POST", {
      instanceRole: "Primary",
      roleChangeType: "Forced",
    });
    expect(second.statusCode).toBe(409);
    expect((second.body as { error: { code: string } }).error.code).toBe(
      "DistributedAvailabilityGroupSetRoleChangeRoleAlreadyInProgress",
    );
    await until(
      () => getLink(f),
      (link) => link.properties.instanceLinkRole === "Primary",
    );
    expect(f.partner.calls.find((call) => call.method === "remoteSetRole")?.args).toEqual([
      DEFAULT_TOPOLOGY.dagName,
      "PRIMARY",
    ]);
  });

  it("reports a failed operation with its ARM error", async () => {
    f.partner.remoteSetRole = () => {
      throw new Error("The availability group is not ready for a role change.");
    };
    await expect(
      armLongRunning(f.client, actionUrl("setRole"), "POST", {
        instanceRole: "Primary",
        roleChangeType: "Forced",
      }),
    ).rejects.toThrow(/not ready for a role change/);
  });
});

describe("faults", () => {
  let f: Fixture;
  beforeEach(async () => (f = await startFixture()));
  afterEach(() => f.emulator.stop());

  it("429 with Retry-After is retried by the SDK", async () => {
    f.emulator.addFault({
      match: { method: "GET", pathRegex: "/managedInstances/sqlmi1$" },
      status: 429,
      times: 2,
      retryAfterSeconds: 0.02,
    });
    f.emulator.resetCounters();
    const managedInstance = await f.client.managedInstances.get(rg, mi);
    expect(managedInstance.name).toBe(mi);
    expect(f.emulator.counters().byOperation["GET managedInstances"]).toBe(3);
    expect(f.emulator.requestLog().map((entry) => entry.status)).toEqual([429, 429, 200]);
  });

  it("500 is retried by the SDK", async () => {
    f.emulator.addFault({ match: { pathRegex: "endpointCertificates" }, status: 500, times: 1 });
    f.emulator.resetCounters();
    await f.client.endpointCertificates.get(rg, mi, "DATABASE_MIRRORING");
    expect(f.emulator.counters().requests).toBe(2);
  });

  it("409 AnotherOperationInProgress reaches the caller with its code (arm-sql does not retry 409)", async () => {
    f.emulator.addFault({ match: { method: "PUT" }, status: 409, times: 1 });
    f.emulator.resetCounters();
    await expect(
      f.client.serverTrustCertificates.beginCreateOrUpdateAndWait(
        rg,
        mi,
        "c1",
        { publicBlob: f.sqlCertificateHex },
        fast,
      ),
    ).rejects.toMatchObject({ statusCode: 409, code: "AnotherOperationInProgress" });
    expect(f.emulator.counters().byOperation["PUT serverTrustCertificates"]).toBe(1);
    await f.client.serverTrustCertificates.beginCreateOrUpdateAndWait(
      rg,
      mi,
      "c1",
      { publicBlob: f.sqlCertificateHex },
      fast,
    );
    expect(f.emulator.counters().byOperation["PUT serverTrustCertificates"]).toBe(2);
  });
});

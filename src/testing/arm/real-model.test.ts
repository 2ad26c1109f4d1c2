import { SqlManagementClient } from "@azure/arm-sql";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AZURE_ROOT_CERTIFICATES, AZURE_TRUSTED_ISSUER_DNS_NAME } from "../../tsql/root-certificates";
import { createInstanceModel, type SqlServerInstance } from "../sqlserver/model";
import { execContext, MI_FQDN, rows, setUpLink } from "../sqlserver/model/test-support";
import { StaticTokenCredential } from "./credential";
import { ArmEmulator } from "./server";
import { armLongRunning, armRequest } from "./test-support";

const rg = "rg-mi-link";
const mi = "sqlmi1";
const fast = { updateIntervalInMs: 10 };

type LinkJson = {
  properties: {
    instanceLinkRole: string;
    partnerLinkRole: string;
    databases: Array<Record<string, unknown>>;
  };
};

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 4000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The runbook end to end against the SQL Server instance model, the way the product drives it. */
describe("ARM emulator with the SQL Server instance model", () => {
  let model: SqlServerInstance;
  let emulator: ArmEmulator;
  let client: SqlManagementClient;
  let linkUrl: string;
  let dag: string;
  const ctx = execContext();

  beforeEach(async () => {
    model = createInstanceModel({
      serverName: "SQLHOST01",
      timings: { connectMs: 20, seedingMs: 60, syncMs: 20, lsnTickMs: 20 },
    });
    ({ dag } = setUpLink(model));
    emulator = new ArmEmulator({
      lroDelayMs: 10,
      trustPollMs: 20,
      linkInitWindowMs: 200,
      sqlServer: model.partner,
    });
    const { endpoint, tlsCaPem } = await emulator.start();
    expect(emulator.managedInstance().fqdn).toBe(MI_FQDN);
    client = new SqlManagementClient(new StaticTokenCredential(), emulator.subscriptionId, {
      endpoint,
      credentialScopes: ["https://management.azure.com/.default"],
      tlsOptions: { ca: tlsCaPem },
    });
    linkUrl = `${endpoint}${emulator.managedInstance().resourceId}/distributedAvailabilityGroups/${dag}?api-version=2023-08-01`;
  });
  afterEach(async () => {
    await emulator.stop();
    model.dispose();
  });

  async function uploadSqlServerCertificate(sql = model) {
    const name = `Cert_${sql.serverName()}_endpoint`;
    const der = sql.certificateEncoded(sql.certificateId(name)!)!;
    await client.serverTrustCertificates.beginCreateOrUpdateAndWait(
      rg,
      mi,
      name,
      { publicBlob: "0x" + der.toString("hex") },
      fast,
    );
  }

  async function importManagedInstanceCertificate(sql = model) {
    const { publicBlob } = await client.endpointCertificates.get(rg, mi, "DATABASE_MIRRORING");
    sql.createCertificate(ctx, { name: MI_FQDN, fromBinary: Buffer.from(publicBlob!, "hex") });
  }

  function importRootCertificates(sql = model) {
    for (const root of AZURE_ROOT_CERTIFICATES) {
      sql.createCertificate(ctx, { name: root.name, fromBinary: Buffer.from(root.blob.slice(2), "hex") });
      sql.executeProcedure(ctx, "sp_certificate_add_issuer", [
        { name: "", value: sql.certificateId(root.name)! },
        { name: "", value: AZURE_TRUSTED_ISSUER_DNS_NAME },
      ]);
    }
  }

  const createLink = () =>
    armLongRunning(client, linkUrl, "PUT", {
      properties: {
        partnerAvailabilityGroupName: "AG_sales",
        instanceAvailabilityGroupName: "AG_sales_MI",
        partnerEndpoint: "TCP://10.0.0.4:5022",
        instanceLinkRole: "Secondary",
        databases: [{ databaseName: "sales" }],
        failoverMode: "Manual",
        replicationMode: "Async",
        seedingMode: "Automatic",
      },
    });

  const getLink = async () => (await armRequest(client, linkUrl, "GET")).body as LinkJson;

  it("the MI certificate passes sp_validate_certificate_ca_chain once the runbook's roots are imported", async () => {
    await importManagedInstanceCertificate();
    const validate = () =>
      model.executeProcedure(ctx, "sp_validate_certificate_ca_chain", [
        { name: "", value: model.certificateId(MI_FQDN)! },
      ]);
    expect(validate).toThrow();
    importRootCertificates();
    expect(validate().returnStatus).toBe(0);
  });

  it("connects, seeds and synchronizes when the trust is right", async () => {
    await uploadSqlServerCertificate();
    await importManagedInstanceCertificate();
    importRootCertificates();
    await createLink();
    const link = await until(getLink, (l) => l.properties.databases[0].replicaState === "LinkSynchronizing");
    expect(link.properties.databases[0]).toMatchObject({
      connectedState: "Connected",
      seedingProgress: "100%",
      partnerAuthCertValidity: { certificateName: "Cert_SQLHOST01_endpoint" },
    });
    const replicas = rows(model, "sys.dm_hadr_availability_replica_states");
    expect(replicas.some((r) => r.connected_state_desc === "CONNECTED" && r.is_local === false)).toBe(true);
  });

  it("without the root CAs the link fails with 41974 and SQL Server shows the error; importing them converges", async () => {
    await uploadSqlServerCertificate();
    await importManagedInstanceCertificate();
    await createLink();
    const broken = await getLink();
    expect(broken.properties.databases[0].mostRecentLinkError).toContain("41974");
    expect(model.partner.linkStatus(dag)).toMatchObject({
      connected: false,
      lastConnectError: { number: 41974 },
    });
    importRootCertificates();
    const fixed = await until(getLink, (l) => l.properties.databases[0].connectedState === "Connected");
    expect(fixed.properties.databases[0].connectedState).toBe("Connected");
  });

  it("without the SQL Server certificate on the MI the link fails with 41973", async () => {
    await importManagedInstanceCertificate();
    importRootCertificates();
    await createLink();
    expect((await getLink()).properties.databases[0].mostRecentLinkError).toContain("41973");
    expect(model.partner.linkStatus(dag)?.lastConnectError?.number).toBe(41973);
  });

  it("forced failover makes the MI primary; setRole hands the role back; delete disconnects", async () => {
    await uploadSqlServerCertificate();
    await importManagedInstanceCertificate();
    importRootCertificates();
    await createLink();
    await until(getLink, (l) => l.properties.databases[0].replicaState === "LinkSynchronizing");
    const planned = await armRequest(client, linkUrl.replace("?", "/failover?"), "POST", {
      failoverType: "Planned",
    });
    expect(planned.statusCode).toBe(409);
    const failedOver = (await armLongRunning(client, linkUrl.replace("?", "/failover?"), "POST", {
      failoverType: "ForcedAllowDataLoss",
    })) as LinkJson;
    expect(failedOver.properties.instanceLinkRole).toBe("Primary");
    await armLongRunning(client, linkUrl.replace("?", "/setRole?"), "POST", {
      instanceRole: "Secondary",
      roleChangeType: "Forced",
    });
    expect(model.partner.linkStatus(dag)?.managedInstanceRole).toBe("SECONDARY");
    await armLongRunning(client, linkUrl, "DELETE", undefined);
    expect(model.partner.linkStatus(dag)?.connected).toBe(false);
  });

  it("joins as primary when the MI is the initial primary (SQL Server AG without databases)", async () => {
    const mirrored = createInstanceModel({
      serverName: "SQLHOST02",
      timings: { connectMs: 20, seedingMs: 60, syncMs: 20, lsnTickMs: 20 },
    });
    try {
      const certName = "Cert_SQLHOST02_endpoint";
      mirrored.createMasterKey(ctx, "Str0ng!Passw0rd");
      mirrored.createCertificate(ctx, {
        name: certName,
        subject: "SQLHOST02 endpoint",
        expiryDate: "20991231",
      });
      mirrored.createEndpoint(ctx, {
        name: "database_mirroring_endpoint",
        state: "STARTED",
        port: 5022,
        role: "ALL",
        authentication: { certificate: certName, certificateFirst: true },
        encryption: { mode: "REQUIRED", algorithms: ["AES"] },
      });
      mirrored.createAvailabilityGroup(ctx, {
        name: "AG_inventory",
        clusterType: "NONE",
        options: {},
        databases: [],
        replicas: [
          {
            serverName: "SQLHOST02",
            endpointUrl: "TCP://10.0.0.5:5022",
            availabilityMode: "SYNCHRONOUS_COMMIT",
            failoverMode: "MANUAL",
            seedingMode: "AUTOMATIC",
          },
        ],
      });
      mirrored.createDistributedAvailabilityGroup(ctx, {
        name: "DAG_inventory",
        members: [
          {
            agName: "AG_inventory_MI",
            listenerUrl: `tcp://${MI_FQDN}:5022;Server=[sqlmi1];Database=[inventory]`,
            availabilityMode: "ASYNCHRONOUS_COMMIT",
            failoverMode: "MANUAL",
            seedingMode: "AUTOMATIC",
          },
          {
            agName: "AG_inventory",
            listenerUrl: "TCP://10.0.0.5:5022",
            availabilityMode: "ASYNCHRONOUS_COMMIT",
            failoverMode: "MANUAL",
            seedingMode: "AUTOMATIC",
          },
        ],
      });
      emulator.attachSqlServer(mirrored.partner);
      await uploadSqlServerCertificate(mirrored);
      await importManagedInstanceCertificate(mirrored);
      importRootCertificates(mirrored);
      const url = linkUrl.replace(dag, "DAG_inventory");
      await armLongRunning(client, url, "PUT", {
        properties: {
          partnerAvailabilityGroupName: "AG_inventory",
          instanceAvailabilityGroupName: "AG_inventory_MI",
          partnerEndpoint: "TCP://10.0.0.5:5022",
          instanceLinkRole: "Primary",
          databases: [{ databaseName: "inventory" }],
          failoverMode: "Manual",
          replicationMode: "Async",
          seedingMode: "Automatic",
        },
      });
      const link = await until(
        async () => (await armRequest(client, url, "GET")).body as LinkJson,
        (l) => l.properties.databases[0].connectedState === "Connected",
      );
      expect(link.properties.instanceLinkRole).toBe("Primary");
      expect(link.properties.partnerLinkRole).toBe("Secondary");
      expect(mirrored.partner.linkStatus("DAG_inventory")).toMatchObject({
        connected: true,
        managedInstanceRole: "PRIMARY",
        sqlServerRole: "SECONDARY",
      });
    } finally {
      mirrored.dispose();
    }
  });
});

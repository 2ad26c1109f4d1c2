/**
 * A certificate rotation at the providers, through Pulumi's real dynamic-provider host against the
 * SQL Server emulator: two endpoint certificate generations coexist, the old one cannot be dropped
 * while the endpoint uses it, the endpoint switches in place (a created one to CERTIFICATE, an
 * adopted Windows one to WINDOWS NEGOTIATE CERTIFICATE), then the old one drops; the link check
 * refuses, with what it saw, while the endpoint does not use the certificate it verifies.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  linkCertificateCheckOperations,
  type LinkCertificateCheckInputs,
} from "../../src/dynamic/certificates/link-certificate-check";
import { toConnectionArgs } from "../../src/dynamic/common/connection";
import { closeAllPools, POOL_LANES, runQuery, withConnection } from "../../src/sql";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { destroy, up } from "../support/engine-steps";
import { urnFor, type ProviderHost } from "../support/provider-host";
import { serializeProvider } from "../support/serialize";
import { dayFromNow } from "./support/certificates";
import { adminBatch, catalogRows, connectionInputs } from "./support/emulator";
import { startProviderTestBed } from "./support/test-bed";

const OLD = "Cert_SQL1_endpoint";
const NEW = `Cert_SQL1_endpoint_${dayFromNow(700).replace(/-/g, "")}`;

describe("certificate rotation at the providers", () => {
  let emulator: SqlServerEmulator;
  let host: ProviderHost;
  let certificateProvider: string;
  let endpointProvider: string;
  let checkProvider: string;

  beforeAll(async () => {
    ({
      providerText: certificateProvider,
      emulator,
      host,
    } = await startProviderTestBed("./dist/dynamic/endpoint-certificate.js", "endpointCertificateProvider"));
    endpointProvider = (
      await serializeProvider("./dist/dynamic/mirroring-endpoint.js", "mirroringEndpointProvider")
    ).text;
    checkProvider = (
      await serializeProvider(
        "./dist/dynamic/certificates/link-certificate-check.js",
        "linkCertificateCheckProvider",
      )
    ).text;
    await adminBatch(emulator, "CREATE MASTER KEY ENCRYPTION BY PASSWORD = 'Mk-Secret!4f9a2c'");
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  afterEach(async () => {
    await adminBatch(
      emulator,
      "IF EXISTS (SELECT 1 FROM sys.database_mirroring_endpoints WHERE name = N'Hadr_endpoint') DROP ENDPOINT [Hadr_endpoint];\n" +
        "IF EXISTS (SELECT 1 FROM sys.database_mirroring_endpoints WHERE name = N'database_mirroring_endpoint') DROP ENDPOINT [database_mirroring_endpoint];\n" +
        `IF CERT_ID(N'${OLD}') IS NOT NULL DROP CERTIFICATE [${OLD}];\n` +
        `IF CERT_ID(N'${NEW}') IS NOT NULL DROP CERTIFICATE [${NEW}];`,
    );
  });

  const connection = () => ({
    connection: connectionInputs(emulator),
    password: pulumi.secret(emulator.connectionInfo().password),
  });
  const certificate = (name: string, expiryDate: string) =>
    up(host, urnFor("pulumi-nodejs:dynamic/mi-link:EndpointCertificate", name), {
      __provider: certificateProvider,
      ...connection(),
      name,
      expiryDate,
    });
  const endpointUrn = urnFor("pulumi-nodejs:dynamic/mi-link:MirroringEndpoint", "endpoint");
  const endpointInputs = (certificateName: string) => ({
    __provider: endpointProvider,
    ...connection(),
    certificateName,
  });

  /** The endpoint's authentication and certificate, and the endpoint certificates, as the catalog has them. */
  function catalog() {
    const certificates = catalogRows(emulator, "sys.certificates").filter((c) =>
      String(c.name).startsWith("Cert_SQL1"),
    );
    const [endpoint] = catalogRows(emulator, "sys.database_mirroring_endpoints");
    return {
      auth: endpoint?.connection_auth_desc,
      certificate: certificates.find((c) => c.certificate_id === endpoint?.certificate_id)?.name ?? null,
      certificates: certificates.map((c) => String(c.name)).sort(),
    };
  }

  it("switches a created endpoint to the new generation in place, and only then drops the old one", async () => {
    const old = await certificate(OLD, dayFromNow(20));
    const endpoint = await up(host, endpointUrn, endpointInputs(OLD));
    expect(catalog()).toMatchObject({ auth: "CERTIFICATE", certificate: OLD });

    const next = await certificate(NEW, dayFromNow(700));
    expect(catalog().certificates).toEqual([OLD, NEW].sort());
    // The old one stays while the endpoint authenticates with it.
    await expect(destroy(host, old.state)).rejects.toThrow(
      new RegExp(
        `Cannot drop certificate \\[${OLD}\\]: the database mirroring endpoint \\[database_mirroring_endpoint\\] still authenticates with it`,
      ),
    );
    expect(catalog().certificates).toEqual([OLD, NEW].sort());

    const switched = await up(host, endpointUrn, endpointInputs(NEW), endpoint.state);
    expect(switched.op).toBe("update");
    expect(catalog()).toMatchObject({ auth: "CERTIFICATE", certificate: NEW });

    await destroy(host, old.state);
    expect(catalog()).toMatchObject({ certificate: NEW, certificates: [NEW] });
    // The new one is now the guarded one.
    await expect(destroy(host, next.state)).rejects.toThrow(/still authenticates with it/);
    await destroy(host, switched.state);
    await destroy(host, next.state);
    expect(catalog().certificates).toEqual([]);
  });

  it("keeps Windows authentication of an adopted endpoint: WINDOWS NEGOTIATE CERTIFICATE [new]", async () => {
    await adminBatch(
      emulator,
      "CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022) " +
        "FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES)",
    );
    const old = await certificate(OLD, dayFromNow(20));
    const adopted = await up(host, endpointUrn, endpointInputs(OLD));
    expect(catalog()).toMatchObject({ auth: "NEGOTIATE, CERTIFICATE", certificate: OLD });
    const next = await certificate(NEW, dayFromNow(700));
    emulator.tds.resetCounters();
    const switched = await up(host, endpointUrn, endpointInputs(NEW), adopted.state);
    const alters = emulator.tds
      .requestLog()
      .map((entry) => entry.text)
      .filter((text) => /ALTER ENDPOINT/.test(text));
    expect(alters).toHaveLength(1);
    expect(alters[0]).toContain(`AUTHENTICATION = WINDOWS NEGOTIATE CERTIFICATE [${NEW}]`);
    expect(catalog()).toMatchObject({ auth: "NEGOTIATE, CERTIFICATE", certificate: NEW });
    await destroy(host, old.state);
    expect(catalog().certificates).toEqual([NEW]);
    // Delete puts the adopted endpoint back as it was found: Windows only; then the certificate can go.
    await destroy(host, switched.state);
    expect(catalog()).toMatchObject({ auth: "NEGOTIATE", certificate: null });
    await destroy(host, next.state);
  });

  it("the link check fails with what it saw while the endpoint uses another certificate", async () => {
    await certificate(OLD, dayFromNow(20));
    await up(host, endpointUrn, endpointInputs(OLD));
    const urn = urnFor("pulumi-nodejs:dynamic/mi-link:LinkCertificateCheck", "check");
    await expect(
      up(host, urn, {
        __provider: checkProvider,
        ...connection(),
        links: [{ dagName: "DAG_Sales", database: "Sales" }],
        certificateName: NEW,
        timeoutSeconds: 1,
      }),
    ).rejects.toThrow(
      new RegExp(
        `The links were not CONNECTED with the endpoint certificate \\[${NEW}\\] within 1s: the mirroring ` +
          `endpoint authenticates with \\[${OLD}\\]; link \\[DAG_Sales\\] \\(database \\[Sales\\]\\): the managed ` +
          "instance is not a member\\. The previous certificate was kept on both sides",
      ),
    );
  });

  it("the link check reads in the server lane: it does not queue behind the databases' statements", async () => {
    // In this process (the host's pools are out of reach): every connection of the databases' lane
    // busy for 3 s, as at the end of an up of many links, while the check makes its first read.
    await certificate(NEW, dayFromNow(400));
    await up(host, endpointUrn, endpointInputs(NEW));
    const { host: sqlHost, port, user, password } = emulator.connectionInfo();
    const inputs: LinkCertificateCheckInputs = {
      connection: { host: sqlHost, port, user, trustServerCertificate: true },
      password,
      links: [{ dagName: "DAG_Sales", database: "Sales" }],
      certificateName: NEW,
      timeoutSeconds: 1,
    };
    let finished = 0;
    try {
      const busy = Array.from({ length: POOL_LANES.databases }, () =>
        withConnection(toConnectionArgs(inputs), (pool) =>
          runQuery(pool, "WAITFOR DELAY '00:00:03'; SELECT 1 AS n"),
        ).then(() => finished++),
      );
      const waiting = () =>
        emulator.tds.requestLog().filter((entry) => entry.text.startsWith("WAITFOR")).length;
      await expect.poll(waiting, { timeout: 5_000 }).toBe(POOL_LANES.databases);
      await expect(linkCertificateCheckOperations.create!(inputs)).rejects.toThrow(
        /link \[DAG_Sales\] \(database \[Sales\]\): the managed instance is not a member/,
      );
      // It observed the links and gave up at its 1 s deadline, before any database request finished.
      expect(finished).toBe(0);
      await Promise.all(busy);
    } finally {
      await closeAllPools();
    }
  });

  it("the link check refuses an empty or invalid list of links before anything runs", async () => {
    const urn = urnFor("pulumi-nodejs:dynamic/mi-link:LinkCertificateCheck", "check-input");
    const base = { __provider: checkProvider, ...connection(), certificateName: NEW };
    const empty = await host.check(urn, {}, { ...base, links: [] });
    expect(empty.failures.map((f) => f.property)).toEqual(["links"]);
    const invalid = await host.check(
      urn,
      {},
      {
        ...base,
        links: [
          { dagName: "DAG_Sales", database: "Sales" },
          { dagName: "DAG x]", database: "master" },
        ],
      },
    );
    expect(invalid.failures.map((f) => f.property)).toEqual(["links[1].dagName", "links[1].database"]);
  });

  it("the link check of several links names each link that is not connected", async () => {
    await certificate(NEW, dayFromNow(400));
    await up(host, endpointUrn, endpointInputs(NEW));
    const urn = urnFor("pulumi-nodejs:dynamic/mi-link:LinkCertificateCheck", "check-several");
    await expect(
      up(host, urn, {
        __provider: checkProvider,
        ...connection(),
        links: [
          { dagName: "DAG_Sales", database: "Sales" },
          { dagName: "DAG_Orders", database: "Orders" },
        ],
        certificateName: NEW,
        timeoutSeconds: 1,
      }),
    ).rejects.toThrow(
      /the mirroring endpoint authenticates with \[[^\]]+\]; link \[DAG_Sales\] \(database \[Sales\]\): the managed instance is not a member; link \[DAG_Orders\] \(database \[Orders\]\): the managed instance is not a member\./,
    );
  });

  it("the link check proves again only for a new certificate: links added or removed are not a change", async () => {
    const urn = urnFor("pulumi-nodejs:dynamic/mi-link:LinkCertificateCheck", "check-diff");
    const sales = { dagName: "DAG_Sales", database: "Sales" };
    const orders = { dagName: "DAG_Orders", database: "Orders" };
    const inputs = { __provider: checkProvider, ...connection(), links: [sales], certificateName: NEW };
    const proven = { ...inputs, connectedState: "CONNECTED", verifiedAt: "2026-11-01T00:00:00.000Z" };
    const diff = (news: Record<string, unknown>) => host.diff("id", urn, proven, news);
    expect((await diff({ ...inputs, links: [sales, orders] })).changes).toBe("none");
    expect((await diff({ ...inputs, links: [orders] })).changes).toBe("none");
    expect((await diff({ ...inputs, certificateName: OLD })).changes).toBe("some");
    // A setting changed: recorded, the proof kept, no SQL sent.
    expect((await diff({ ...inputs, timeoutSeconds: 5 })).changes).toBe("some");
    emulator.tds.resetCounters();
    const updated = await host.update("id", urn, proven, { ...inputs, timeoutSeconds: 5 });
    expect(updated.state).toMatchObject({ timeoutSeconds: 5, verifiedAt: "2026-11-01T00:00:00.000Z" });
    expect(emulator.tds.requestLog()).toEqual([]);
  });
});

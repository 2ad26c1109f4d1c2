import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArmEmulator } from "./server";

const miPath =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-mi-link/providers/Microsoft.Sql/managedInstances/sqlmi1";

describe("ArmEmulator over plain http: ARM error shapes", () => {
  const emulator = new ArmEmulator({ tls: false });
  let endpoint: string;
  const auth = { Authorization: "Bearer anything" };

  beforeAll(async () => {
    endpoint = (await emulator.start()).endpoint;
  });
  afterAll(() => emulator.stop());

  async function call(path: string, init: RequestInit = {}) {
    const response = await fetch(`${endpoint}${path}`, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  it("starts on a free loopback port", () => {
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("refuses a request without a bearer token with 401 AuthenticationFailed", async () => {
    const response = await call(`${miPath}?api-version=2023-08-01`);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("AuthenticationFailed");
    expect(response.body.error.message).toMatch(/Authorization/);
  });

  it("accepts any bearer token", async () => {
    const response = await call(`${miPath}?api-version=2023-08-01`, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.body.properties.fullyQualifiedDomainName).toBe(
      "sqlmi1.0a1b2c3d4e5f.database.windows.net",
    );
    expect(response.body.properties.databaseFormat).toBe("SQLServer2022");
    expect(response.body.properties.hybridSecondaryUsage).toBe("Active");
  });

  it("lists links in pages: an empty list has no nextLink, a bad $skiptoken is refused", async () => {
    const list = await call(`${miPath}/distributedAvailabilityGroups?api-version=2023-08-01`, {
      headers: auth,
    });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ value: [] });
    const bad = await call(`${miPath}/distributedAvailabilityGroups?api-version=2023-08-01&$skiptoken=x`, {
      headers: auth,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("InvalidSkipToken");
  });

  it("requires a known api-version", async () => {
    const missing = await call(miPath, { headers: auth });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe("MissingApiVersionParameter");
    const unknown = await call(`${miPath}?api-version=2019-01-01`, { headers: auth });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("InvalidApiVersionParameter");
  });

  it("answers 404 with an ARM body for unknown paths and missing resources", async () => {
    const path = await call(`${miPath}/frobnicators/x?api-version=2023-08-01`, { headers: auth });
    expect(path.status).toBe(404);
    expect(path.body.error.code).toBe("NotFound");
    const link = await call(`${miPath}/distributedAvailabilityGroups/DAG_none?api-version=2023-08-01`, {
      headers: auth,
    });
    expect(link.status).toBe(404);
    expect(link.body.error.code).toBe("ResourceNotFound");
    const trust = await call(`${miPath}/serverTrustCertificates/none?api-version=2023-08-01`, {
      headers: auth,
    });
    expect(trust.body.error.code).toBe("ResourceNotFound");
  });

  it("validates link and managed instance names", async () => {
    const badLink = await call(`${miPath}/distributedAvailabilityGroups/1bad-name?api-version=2023-08-01`, {
      headers: auth,
    });
    expect(badLink.status).toBe(400);
    expect(badLink.body.error.code).toBe("InvalidResourceName");
    expect(() => emulator.addManagedInstance({ name: "Bad_Name" })).toThrow(/invalid/);
  });

  it("refuses a publicBlob that is not hex or not a certificate", async () => {
    const put = (publicBlob: string) =>
      call(`${miPath}/serverTrustCertificates/c1?api-version=2023-08-01`, {
        method: "PUT",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify({ properties: { publicBlob } }),
      });
    const notHex = await put("0xZZ");
    expect(notHex.status).toBe(400);
    expect(notHex.body.error.code).toBe("InvalidPublicBlob");
    const notCertificate = await put("0x3082DEADBEEF");
    expect(notCertificate.status).toBe(400);
    expect(notCertificate.body.error.message).toMatch(/X\.509/);
  });

  it("refuses a request body that is not JSON", async () => {
    const response = await call(`${miPath}/serverTrustCertificates/c1?api-version=2023-08-01`, {
      method: "PUT",
      headers: { ...auth, "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("InvalidRequestContent");
  });

  it("counts requests by operation and logs them", async () => {
    emulator.resetCounters();
    await call(`${miPath}?api-version=2023-08-01`, { headers: auth });
    await call(`${miPath}/endpointCertificates/DATABASE_MIRRORING?api-version=2023-08-01`, { headers: auth });
    await call(`${miPath}?api-version=2023-08-01`);
    expect(emulator.counters()).toEqual({
      requests: 3,
      byOperation: { "GET managedInstances": 2, "GET endpointCertificates": 1 },
    });
    expect(emulator.requestLog().map((entry) => entry.status)).toEqual([200, 200, 401]);
  });

  it("injects latency", async () => {
    emulator.setLatencyMs(60);
    const started = Date.now();
    await call(`${miPath}?api-version=2023-08-01`, { headers: auth });
    emulator.setLatencyMs(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });
});

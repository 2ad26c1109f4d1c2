/**
 * The managed instance endpoint certificate provider through Pulumi's real
 * dynamic-provider host, against the ARM emulator: lifecycle, drift when Azure
 * rotates the certificate, a vanished instance, diff, check, retries and secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ArmEmulator } from "../../src/testing/arm";
import { managedInstanceCertificateFor } from "../../src/testing/arm/mi-certificate";
import { buildIfStale } from "../support/build";
import { destroy, preview, refresh, up, type ResourceState } from "../support/engine-steps";
import { startProviderHost, urnFor, type ProviderHost } from "../support/provider-host";
import { serializeProvider } from "../support/serialize";
import { plaintextPaths } from "../support/wire";

const ACCESS_TOKEN = "arm-token-5b1f9e0c7d2a";
const SECRET_OUTPUTS = ["accessToken"];

describe("ManagedInstanceEndpointCertificate provider", () => {
  let emulator: ArmEmulator;
  let host: ProviderHost;
  let providerText: string;
  let endpoint: string;
  let tlsCaPem: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:ManagedInstanceEndpointCertificate", "mi-cert");

  beforeAll(async () => {
    await buildIfStale();
    providerText = (
      await serializeProvider(
        "./dist/dynamic/mi-endpoint-certificate.js",
        "managedInstanceEndpointCertificateProvider",
      )
    ).text;
    emulator = new ArmEmulator();
    ({ endpoint, tlsCaPem } = (await emulator.start()) as { endpoint: string; tlsCaPem: string });
    host = await startProviderHost();
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  beforeEach(() => {
    emulator.clearFaults();
    emulator.resetCounters();
  });

  const inputs = (extra: Record<string, unknown> = {}) => ({
    __provider: providerText,
    subscriptionId: emulator.subscriptionId,
    resourceGroupName: emulator.resourceGroupName,
    managedInstanceName: "sqlmi1",
    armEndpoint: endpoint,
    tlsCaPem,
    accessToken: pulumi.secret(ACCESS_TOKEN),
    ...extra,
  });
  const options = { additionalSecretOutputs: SECRET_OUTPUTS };
  const certificateOf = (name = "sqlmi1") =>
    emulator.managedInstance(name).endpointCertificate("DATABASE_MIRRORING");

  it("creates from Azure, reads without drift, previews clean, updates without calls, deletes nothing", async () => {
    const created = await up(host, urn, inputs(), undefined, options);
    expect(created.op).toBe("create");
    const der = certificateOf().der;
    const x509 = new X509Certificate(der);
    expect(created.state.outputs).toMatchObject({
      publicKey: "0x" + der.toString("hex").toUpperCase(),
      thumbprint: x509.fingerprint.replace(/:/g, ""),
      subject: `CN=${emulator.managedInstance().fqdn}`,
      expiryDate: new Date(x509.validTo).toISOString(),
      fqdn: emulator.managedInstance().fqdn,
    });
    expect(created.state.id).toMatch(/\/managedInstances\/sqlmi1\/endpointCertificates\/DATABASE_MIRRORING$/);
    expect(emulator.counters().byOperation).toEqual({
      "GET managedInstances": 1,
      "GET endpointCertificates": 1,
    });

    expect((await refresh(host, created.state))?.changed).toBe(false);
    expect((await preview(host, urn, inputs(), created.state)).op).toBe("same");

    // How Azure is reached changes; the certificate does not: update in place, no ARM call.
    emulator.resetCounters();
    let state = created.state;
    for (const change of [
      { accessToken: pulumi.secret("another-token-77") },
      { operationTimeoutSeconds: 60 },
      { tlsCaPem: tlsCaPem + "\n" },
      { __provider: providerText + "\n" },
    ]) {
      const updated = await up(host, urn, inputs(change), state);
      expect(updated.op).toBe("update");
      expect(updated.state.outputs.publicKey).toBe(created.state.outputs.publicKey);
      state = updated.state;
    }
    expect(emulator.counters().requests).toBe(0);

    await destroy(host, state);
    expect(emulator.counters().requests).toBe(0);
  });

  it("reports a rotated certificate as drift", async () => {
    const created = await up(host, urn, inputs(), undefined, options);
    const mi = emulator.managedInstance();
    const original = mi.endpointCertificate.bind(mi);
    const rotated = managedInstanceCertificateFor(mi.fqdn, "ROTATED");
    mi.endpointCertificate = () => rotated;
    try {
      const refreshed = await refresh(host, created.state);
      expect(refreshed?.changed).toBe(true);
      expect(refreshed?.state.outputs.publicKey).toBe("0x" + rotated.der.toString("hex").toUpperCase());
      expect(refreshed?.state.outputs.thumbprint).not.toBe(created.state.outputs.thumbprint);
    } finally {
      mi.endpointCertificate = original;
    }
  });

  it("refresh reports a deleted managed instance as gone; create works again when it is back", async () => {
    emulator.addManagedInstance({ name: "sqlmi2" });
    const second = inputs({ managedInstanceName: "sqlmi2" });
    const created = await up(host, urn, second, undefined, options);
    expect(created.state.outputs.fqdn).toBe(emulator.managedInstance("sqlmi2").fqdn);
    // The emulator has no API to delete an instance: remove it from its registry, as a portal deletion would.
    (Reflect.get(emulator, "managedInstances") as Map<string, unknown>).delete("sqlmi2");
    expect(await refresh(host, created.state)).toBeUndefined();
    const failure = await up(host, urn, second, undefined, options).catch((error: unknown) => error);
    expect(String(failure)).toMatch(
      /Could not read the managed instance \(managed instance sqlmi2 in resource group rg-mi-link\): Azure answered HTTP 404 ResourceNotFound.*Fix: check subscriptionId, resourceGroupName and managedInstanceName/,
    );
    emulator.addManagedInstance({ name: "sqlmi2" });
    const again = await up(host, urn, second, undefined, options);
    expect(again.state.outputs.publicKey).toBe(created.state.outputs.publicKey);
  });

  it("replaces for another managed instance, resource group or subscription", async () => {
    const created = await up(host, urn, inputs(), undefined, options);
    for (const change of [
      { managedInstanceName: "sqlmi9" },
      { resourceGroupName: "rg-other" },
      { subscriptionId: "00000000-0000-0000-0000-000000000009" },
    ]) {
      const plan = await preview(host, urn, inputs(change), created.state);
      expect(plan.op).toBe("replace");
      expect(plan.diff?.replaces).toEqual(Object.keys(change));
      expect(plan.diff?.deleteBeforeReplace).toBe(false);
    }
    expect(emulator.counters().requests).toBe(1 + 1);
  });

  it("refuses bad and hostile input in check without a request", async () => {
    const bad = await host.check(
      urn,
      {},
      inputs({
        subscriptionId: "a]; DROP DATABASE x--",
        resourceGroupName: "rg/../../providers",
        managedInstanceName: "SqlMi1.database.windows.net",
        armEndpoint: "http://127.0.0.1:1/path",
        tlsCaPem: "not a pem",
        accessToken: pulumi.secret("two words"),
        operationTimeoutSeconds: -1,
      }),
    );
    expect(bad.failures.map((f) => f.property).sort()).toEqual([
      "accessToken",
      "armEndpoint",
      "managedInstanceName",
      "operationTimeoutSeconds",
      "resourceGroupName",
      "subscriptionId",
      "tlsCaPem",
    ]);
    expect(bad.failures.find((f) => f.property === "managedInstanceName")?.reason).toMatch(/not its FQDN/);
    expect(JSON.stringify(bad.failures)).not.toContain("two words");
    const missing = await host.check(urn, {}, { __provider: providerText });
    expect(missing.failures.map((f) => f.property).sort()).toEqual([
      "managedInstanceName",
      "resourceGroupName",
      "subscriptionId",
    ]);
    expect(emulator.counters().requests).toBe(0);
  });

  it("retries busy and throttled answers, and fails clearly at the deadline; a re-run converges", async () => {
    emulator.addFault({ match: { method: "GET" }, status: 409, times: 2, retryAfterSeconds: 0.02 });
    emulator.addFault({ match: { method: "GET" }, status: 429, times: 2, retryAfterSeconds: 0.02 });
    const retried = await up(host, urn, inputs(), undefined, options);
    expect(retried.state.outputs.publicKey).toBe("0x" + certificateOf().der.toString("hex").toUpperCase());
    expect(emulator.requestLog().map((entry) => entry.status)).toEqual([409, 409, 429, 429, 200, 200]);

    emulator.resetCounters();
    emulator.addFault({ match: { method: "GET" }, status: 409, times: 1000, retryAfterSeconds: 0.05 });
    const failure = await up(host, urn, inputs({ operationTimeoutSeconds: 0.3 }), undefined, options).catch(
      (error: unknown) => error,
    );
    const message = String((failure as Error).message);
    expect(message).toMatch(
      /Could not read the managed instance \(managed instance sqlmi1 in resource group rg-mi-link\): Azure answered HTTP 409 AnotherOperationInProgress.*retried \d+ times.*the deadline is 0.3 s.*Fix: another operation/,
    );
    expect(message).not.toContain(ACCESS_TOKEN);
    emulator.clearFaults();
    const rerun = await up(host, urn, inputs(), undefined, options);
    expect(rerun.state.outputs).toEqual(retried.state.outputs);
  });

  it("a create that fails at either request converges when run again", async () => {
    const clean = await up(host, urn, inputs(), undefined, options);
    emulator.resetCounters();
    await up(host, urn, inputs(), undefined, options);
    const requests = emulator.requestLog().map((entry) => entry.path);
    expect(requests).toHaveLength(2);
    for (const path of requests) {
      emulator.clearFaults();
      // Retry-After keeps the three transient retries short.
      emulator.addFault({
        match: { method: "GET", pathRegex: `${path}$` },
        status: 500,
        times: 100,
        retryAfterSeconds: 0.01,
      });
      const failure = await up(host, urn, inputs(), undefined, options).catch((error: unknown) => error);
      expect(String(failure)).toMatch(
        /Could not read .*Azure answered HTTP 500 InternalServerError.*Fix: Azure had an internal error/,
      );
      emulator.clearFaults();
      const rerun = await up(host, urn, inputs(), undefined, options);
      expect(rerun.state.outputs).toEqual(clean.state.outputs);
    }
  });

  it("keeps the access token secret in state, and out of __provider and the host's logs", async () => {
    const created: { state: ResourceState; plan: { check: { state: Record<string, unknown> } } } = await up(
      host,
      urn,
      inputs(),
      undefined,
      options,
    );
    expect(plaintextPaths(created.plan.check.state as never, [ACCESS_TOKEN])).toEqual([]);
    expect(plaintextPaths(created.state.outputs, [ACCESS_TOKEN])).toEqual([]);
    expect(providerText).not.toContain(ACCESS_TOKEN);
    expect(host.logs().filter((entry) => entry.message.includes(ACCESS_TOKEN))).toEqual([]);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ArmEmulator } from "../testing/arm/server";
import type { AzureTarget } from "./client";
import { emulatorTarget } from "./emulator-target";
import { readManagedInstanceEndpointCertificate } from "./endpoint-certificate";
import { AzureOperationError } from "./errors";
import { deleteLink } from "./links";
import { readManagedInstance } from "./managed-instance";

describe("retries of throttled and busy ARM answers", () => {
  let emulator: ArmEmulator;
  let target: AzureTarget;

  beforeAll(async () => {
    emulator = new ArmEmulator();
    const { endpoint, tlsCaPem } = await emulator.start();
    target = emulatorTarget(emulator, { endpoint, tlsCaPem }, { operationTimeoutSeconds: 5 });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.clearFaults();
    emulator.resetCounters();
  });

  const statuses = () => emulator.requestLog().map((entry) => entry.status);

  it("retries 429 after Retry-After (SDK call) until it succeeds", async () => {
    emulator.addFault({
      match: { pathRegex: "/endpointCertificates/" },
      status: 429,
      times: 4,
      retryAfterSeconds: 0.02,
    });
    const started = Date.now();
    await readManagedInstanceEndpointCertificate(target);
    expect(statuses()).toEqual([429, 429, 429, 429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  });

  it("retries 409 AnotherOperationInProgress (raw call), which the SDK's own policy does not", async () => {
    emulator.addFault({
      match: { method: "GET", pathRegex: "/managedInstances/sqlmi1$" },
      status: 409,
      times: 3,
    });
    expect((await readManagedInstance(target)).fqdn).toContain("sqlmi1.");
    expect(statuses()).toEqual([409, 409, 409, 200]);
  });

  it("retries busy answers on long-running calls too (DELETE of a missing link is a no-op)", async () => {
    emulator.addFault({
      match: { method: "GET", pathRegex: "distributedAvailabilityGroups" },
      status: 409,
      times: 2,
    });
    expect(await deleteLink(target, "DAG_sales")).toBe(false);
    expect(statuses()).toEqual([409, 409, 404]);
  });

  it("does not retry other conflicts", async () => {
    emulator.addFault({
      match: { method: "GET" },
      status: 409,
      times: 5,
      code: "ConflictingServerOperation",
    });
    const failure = await readManagedInstance(target).catch((error: unknown) => error);
    expect((failure as AzureOperationError).code).toBe("ConflictingServerOperation");
    expect(statuses()).toEqual([409]);
  });

  it("gives up at the deadline with the operation, resource, status, code, retries and fix", async () => {
    emulator.addFault({ match: { method: "GET" }, status: 409, times: 1000, retryAfterSeconds: 0.05 });
    const started = Date.now();
    const failure = await readManagedInstance({ ...target, operationTimeoutSeconds: 0.4 }).catch(
      (error: unknown) => error,
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(2000);
    expect(failure).toBeInstanceOf(AzureOperationError);
    expect((failure as AzureOperationError).code).toBe("AnotherOperationInProgress");
    expect((failure as Error).message).toMatch(
      /^Could not read the managed instance \(managed instance sqlmi1 in resource group rg-mi-link\): Azure answered HTTP 409 AnotherOperationInProgress: .*\(retried \d+ times over 0\.\d s; the deadline is 0.4 s\)\. Fix: another operation on the managed instance is still running/,
    );
    expect(emulator.counters().requests).toBeGreaterThan(3);
  });

  it("gives up on 429 at the deadline through the SDK too", async () => {
    emulator.addFault({ match: { method: "GET" }, status: 429, times: 1000, retryAfterSeconds: 0.05 });
    const failure = await readManagedInstanceEndpointCertificate({
      ...target,
      operationTimeoutSeconds: 0.3,
    }).catch((error: unknown) => error);
    expect((failure as AzureOperationError).statusCode).toBe(429);
    expect((failure as Error).message).toMatch(
      /HTTP 429 TooManyRequests.*retried \d+ times.*Fix: Azure Resource Manager throttled/,
    );
    expect((failure as Error).message).not.toContain("test-token");
  });

  it("retries a 500 a few times, then reports it", async () => {
    emulator.addFault({ match: { method: "GET" }, status: 500, times: 100 });
    const failure = await readManagedInstance(target).catch((error: unknown) => error);
    expect((failure as AzureOperationError).statusCode).toBe(500);
    expect(statuses()).toEqual([500, 500, 500, 500]);
  });
});

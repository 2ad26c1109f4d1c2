import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ArmEmulator } from "../testing/arm/server";
import type { AzureTarget } from "./client";
import { emulatorTarget } from "./emulator-target";
import { parseEndpointCertificateBlob, readManagedInstanceEndpointCertificate } from "./endpoint-certificate";
import { AzureOperationError } from "./errors";
import { readManagedInstance } from "./managed-instance";

describe("managed instance reads against the ARM emulator", () => {
  let emulator: ArmEmulator;
  let target: AzureTarget;

  beforeAll(async () => {
    emulator = new ArmEmulator({
      databaseFormat: "SQLServer2022",
      hybridSecondaryUsage: "Passive",
      collation: "Latin1_General_100_CI_AS",
    });
    const { endpoint, tlsCaPem } = await emulator.start();
    target = emulatorTarget(emulator, { endpoint, tlsCaPem });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.resetCounters());

  it("reads the endpoint certificate with 0x, thumbprint, subject and expiry", async () => {
    const certificate = await readManagedInstanceEndpointCertificate(target);
    const mi = emulator.managedInstance();
    const der = mi.endpointCertificate("DATABASE_MIRRORING").der;
    expect(certificate.publicKey).toBe("0x" + der.toString("hex").toUpperCase());
    const x509 = new X509Certificate(der);
    expect(certificate.thumbprint).toBe(x509.fingerprint.replace(/:/g, ""));
    expect(certificate.subject).toContain(`CN=${mi.fqdn}`);
    expect(certificate.expiryDate).toBe(new Date(x509.validTo).toISOString());
    expect(emulator.requestLog()).toMatchObject([
      { method: "GET", operation: "GET endpointCertificates", status: 200 },
    ]);
  });

  it("reads the managed instance's FQDN, update policy, hybrid usage and collation (2023-08-01)", async () => {
    expect(await readManagedInstance(target)).toMatchObject({
      fqdn: emulator.managedInstance().fqdn,
      databaseFormat: "SQLServer2022",
      hybridSecondaryUsage: "Passive",
      collation: "Latin1_General_100_CI_AS",
      state: "Ready",
    });
  });

  it("names the resource, status, code and fix for a missing instance or resource group", async () => {
    const missing = await readManagedInstance({ ...target, managedInstanceName: "nosuchmi" }).catch(
      (error: unknown) => error,
    );
    expect(missing).toBeInstanceOf(AzureOperationError);
    expect((missing as Error).message).toMatch(
      /Could not read the managed instance \(managed instance nosuchmi in resource group rg-mi-link\): Azure answered HTTP 404 ResourceNotFound.*Fix: check subscriptionId, resourceGroupName and managedInstanceName/,
    );
    const noGroup = await readManagedInstanceEndpointCertificate({
      ...target,
      resourceGroupName: "rg-none",
    }).catch((error: unknown) => error);
    expect((noGroup as AzureOperationError).code).toBe("ResourceGroupNotFound");
    expect((noGroup as Error).message).toMatch(
      /read the database mirroring endpoint certificate.*Fix: check resourceGroupName/,
    );
  });

  it("refuses the token over a TLS connection it cannot verify, with a clear error", async () => {
    const failure = await readManagedInstance({ ...target, tlsCaPem: undefined }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AzureOperationError);
    expect((failure as Error).message).toMatch(/Could not read the managed instance.*reachable/);
    expect((failure as Error).message).not.toContain("test-token");
  });

  it("refuses hostile target values before any request", async () => {
    await expect(
      readManagedInstance({ ...target, managedInstanceName: "a]; DROP DATABASE x--" }),
    ).rejects.toMatchObject({
      field: "managedInstanceName",
    });
    await expect(readManagedInstance({ ...target, resourceGroupName: "rg/../../x" })).rejects.toMatchObject({
      field: "resourceGroupName",
    });
    await expect(readManagedInstance({ ...target, subscriptionId: "not-a-guid" })).rejects.toMatchObject({
      field: "subscriptionId",
    });
    await expect(readManagedInstance({ ...target, armEndpoint: "http://127.0.0.1:1" })).rejects.toMatchObject(
      {
        field: "armEndpoint",
      },
    );
    expect(emulator.counters().requests).toBe(0);
  });

  it("parses a blob with or without 0x and refuses one that is not hex DER", () => {
    const der = emulator.managedInstance().endpointCertificate("DATABASE_MIRRORING").der;
    const lower = parseEndpointCertificateBlob(der.toString("hex"));
    expect(parseEndpointCertificateBlob("0x" + der.toString("hex").toUpperCase())).toEqual(lower);
    expect(() => parseEndpointCertificateBlob("0xZZ")).toThrow(/not hexadecimal/);
  });
});

/**
 * Rotating SQL Server's endpoint certificate, rehearsed against the emulators: changing
 * `certificateExpiry` and an `up` inside `rotateCertificateBefore` each create the next
 * certificate, upload it to the managed instance, switch the endpoint and remove the old one from
 * both sides, with the link CONNECTED before, during (polled while the up runs) and after.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { exampleRehearsal, exampleConfig, readLinkHealth, waitHealthy } from "../../src/testing/demo";
import { type RunReport } from "../../src/testing/rehearsal";
import { startLocalWorld, type LocalWorld } from "../../src/testing/world";
import { buildIfStale } from "../support/build";
import { repoRoot } from "../support/provider-host";

const DAY_MS = 24 * 60 * 60 * 1000;
const CTX = { login: "sa", database: "master", inTransaction: false, info: () => undefined };

function dayFromNow(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
}

function rows(world: LocalWorld, view: string): Array<Record<string, unknown>> {
  const table = world.sql.model.catalogTable(view, CTX)!;
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.name, row[i]])));
}

/** The endpoint's certificate and every endpoint certificate generation, as SQL Server's catalog has them. */
function sqlServerSide(world: LocalWorld) {
  const certificates = rows(world, "sys.certificates").filter((c) => String(c.name).startsWith("Cert_"));
  const endpoint = rows(world, "sys.database_mirroring_endpoints")[0];
  const inUse = certificates.find((c) => c.certificate_id === endpoint?.certificate_id);
  return {
    endpointCertificate: inUse ? String(inUse.name) : null,
    endpointAuthentication: endpoint ? String(endpoint.connection_auth_desc) : null,
    certificates: certificates.map((c) => String(c.name)).sort(),
    expiryOf: (name: string) =>
      new Date(certificates.find((c) => c.name === name)!.expiry_date as Date).toISOString().slice(0, 10),
  };
}

function trustCertificatesOnMi(world: LocalWorld): string[] {
  return world.arm
    .managedInstance()
    .trustCertificates.list()
    .map((t) => t.name)
    .sort();
}

/**
 * Runs `work` while sampling the link's state: from SQL Server's DMVs over TDS, and from the
 * emulated managed instance's view of the link. Returns every sample.
 */
async function pollDuring<T>(
  world: LocalWorld,
  dagName: string,
  work: () => Promise<T>,
): Promise<{ result: T; samples: string[] }> {
  const samples: string[] = [];
  let running = true;
  const poller = (async () => {
    while (running) {
      const health = await readLinkHealth(world, { Sales: dagName });
      samples.push(`sql:${health.Sales.connectedState}`);
      const mi = world.sql.model.partner.linkStatus(dagName);
      samples.push(`mi:${mi?.connected ? "CONNECTED" : "DISCONNECTED"}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    return { result: await work(), samples };
  } finally {
    running = false;
    await poller;
  }
}

function warnings(report: RunReport): string[] {
  return report.logs.filter((l) => l.severity === "warning").map((l) => l.message);
}

function customSteps(report: RunReport): string[] {
  return report.steps.filter((s) => s.custom && s.op !== "same").map((s) => `${s.op} ${s.name}`);
}

function rehearsalIn(world: LocalWorld, stateFile: string, lines: string[]) {
  return (certificate: Record<string, string>) =>
    exampleRehearsal(world, {
      program: path.join(repoRoot, "test", "components", "fixtures", "rotation-program.ts"),
      stateFile,
      project: "milink-rotation",
      config: { ...exampleConfig(world, ["Sales"]), ...certificate },
      print: (line) => lines.push(line),
    });
}

describe("MiLink certificate rotation", () => {
  beforeAll(async () => {
    await buildIfStale();
  }, 180_000);

  it("rotates on a new certificateExpiry and inside rotateCertificateBefore, the link connected throughout", async () => {
    const world = await startLocalWorld({ databases: ["Sales"], armOperationMs: 20, seedingSeconds: 0.2 });
    const lines: string[] = [];
    try {
      const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "milink-rotation-")), "stack.json");
      const rehearsal = rehearsalIn(world, stateFile, lines);

      // First up: the first generation keeps the runbook's name. The managed instance's own
      // certificate (valid one year) is within a 365-day window: up warns about it.
      const firstExpiry = dayFromNow(400);
      const first = await rehearsal({ certificateExpiry: firstExpiry, rotateCertificateBefore: "365d" }).up();
      expect(first.errors, lines.join("\n")).toEqual([]);
      const dagName = (first.outputs.links as Record<string, { dagName: string }>).Sales.dagName;
      await waitHealthy(world, { Sales: dagName }, 20_000);
      const before = sqlServerSide(world);
      const original = before.endpointCertificate!;
      expect(original).toMatch(/^Cert_.+_endpoint$/);
      expect(trustCertificatesOnMi(world)).toEqual([original]);
      expect(
        warnings(first).some((w) => /managed instance's endpoint certificate .* expires on/.test(w)),
      ).toBe(true);
      expect(warnings(first).some((w) => w.startsWith("SQL Server's endpoint certificate"))).toBe(false);
      expect(first.outputs.managedInstanceCertificate).toMatchObject({ expiryDate: expect.any(String) });

      // A new certificateExpiry: the next generation, polled while the up runs.
      const rotatedExpiry = dayFromNow(20);
      const rotated = await pollDuring(world, dagName, () =>
        rehearsal({ certificateExpiry: rotatedExpiry }).up(),
      );
      expect(rotated.result.errors, lines.join("\n")).toEqual([]);
      expect(rotated.samples.length).toBeGreaterThan(4);
      expect(rotated.samples.filter((s) => !s.endsWith(":CONNECTED"))).toEqual([]);
      const second = `${original}_${rotatedExpiry.replace(/-/g, "")}`;
      const after = sqlServerSide(world);
      expect(after.endpointCertificate).toBe(second);
      expect(after.endpointAuthentication).toBe("CERTIFICATE");
      expect(after.certificates).toEqual([second]);
      expect(after.expiryOf(second)).toBe(rotatedExpiry);
      expect(trustCertificatesOnMi(world)).toEqual([second]);
      // The managed instance re-checks the trust at every endpoint or certificate statement: no
      // connection error was ever recorded (41973 had the endpoint switched before the upload).
      expect(world.sql.model.partner.linkStatus(dagName)).toMatchObject({ connected: true });
      expect(world.sql.model.partner.linkStatus(dagName)?.lastConnectError).toBeUndefined();
      expect(rotated.result.outputs.sqlServerCertificate).toMatchObject({ name: second });
      // Order: new certificate, its upload, the endpoint switch, the check, then the old ones go.
      const steps = customSteps(rotated.result);
      const at = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s));
      expect(at(/^create .*-trust-endpoint-cert-\d{8}$/)).toBeGreaterThanOrEqual(0);
      expect(at(/^create .*-trust-sql-cert-on-mi-\d{8}$/)).toBeGreaterThan(
        at(/^create .*endpoint-cert-\d{8}$/),
      );
      expect(at(/^update .*-trust-endpoint$/)).toBeGreaterThan(at(/^create .*sql-cert-on-mi-\d{8}$/));
      expect(at(/^update .*-link-certificate$/)).toBeGreaterThan(at(/^update .*-trust-endpoint$/));
      expect(steps.slice(-2)).toEqual([
        expect.stringMatching(/^delete .*-trust-sql-cert-on-mi$/),
        expect.stringMatching(/^delete .*-trust-endpoint-cert$/),
      ]);
      // The new certificate expires within the default 30-day window: up says so.
      expect(
        warnings(rotated.result).some((w) => w.includes(`[${second}] expires on ${rotatedExpiry}`)),
      ).toBe(true);

      // The same settings again: nothing changes.
      const again = await rehearsal({ certificateExpiry: rotatedExpiry }).up();
      expect(again.errors, lines.join("\n")).toEqual([]);
      expect(again.changes).toBe(0);

      // Without certificateExpiry, an up inside rotateCertificateBefore (default 30 days) rotates
      // to a certificate valid two years.
      const windowed = await pollDuring(world, dagName, () => rehearsal({}).up());
      expect(windowed.result.errors, lines.join("\n")).toEqual([]);
      expect(windowed.samples.filter((s) => !s.endsWith(":CONNECTED"))).toEqual([]);
      const renewed = sqlServerSide(world);
      const third = renewed.endpointCertificate!;
      expect(third).toMatch(new RegExp(`^${original}_\\d{8}$`));
      expect(third).not.toBe(second);
      expect(renewed.expiryOf(third) > dayFromNow(700)).toBe(true);
      expect(renewed.certificates).toEqual([third]);
      expect(trustCertificatesOnMi(world)).toEqual([third]);
      expect(world.sql.model.partner.linkStatus(dagName)?.lastConnectError).toBeUndefined();
      expect(warnings(windowed.result).some((w) => w.includes(`[${second}]`) && w.includes("rotating"))).toBe(
        true,
      );

      // A second up in the same conditions changes nothing: the new certificate is kept.
      const stable = await rehearsal({}).up();
      expect(stable.errors, lines.join("\n")).toEqual([]);
      expect(stable.changes).toBe(0);
      expect(sqlServerSide(world).endpointCertificate).toBe(third);

      const gone = await rehearsal({}).destroy();
      expect(gone.errors, lines.join("\n")).toEqual([]);
      expect(sqlServerSide(world).certificates).toEqual([]);
      expect(trustCertificatesOnMi(world)).toEqual([]);
    } finally {
      await world.stop();
    }
  }, 300_000);

  it("a rotation interrupted before the endpoint switch keeps the old certificate in use; the next up completes it", async () => {
    const world = await startLocalWorld({ databases: ["Sales"], armOperationMs: 20, seedingSeconds: 0.2 });
    const lines: string[] = [];
    try {
      const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "milink-rotation-")), "stack.json");
      const rehearsal = rehearsalIn(world, stateFile, lines);
      const first = await rehearsal({ certificateExpiry: dayFromNow(400) }).up();
      expect(first.errors, lines.join("\n")).toEqual([]);
      const dagName = (first.outputs.links as Record<string, { dagName: string }>).Sales.dagName;
      await waitHealthy(world, { Sales: dagName }, 20_000);
      const original = sqlServerSide(world).endpointCertificate!;

      // Azure refuses the upload of the new certificate once.
      const rotatedExpiry = dayFromNow(500);
      const next = `${original}_${rotatedExpiry.replace(/-/g, "")}`;
      world.arm.addFault({
        match: { method: "PUT", pathRegex: new RegExp(`serverTrustCertificates/${next}`) },
        status: 500,
        times: 1,
      });
      const failed = await rehearsal({ certificateExpiry: rotatedExpiry }).up();
      expect(failed.ok).toBe(false);
      // The endpoint still uses the old certificate, which the managed instance still trusts.
      const during = sqlServerSide(world);
      expect(during.endpointCertificate).toBe(original);
      expect(during.certificates).toEqual([original, next].sort());
      expect(trustCertificatesOnMi(world)).toEqual([original]);
      expect(world.sql.model.partner.linkStatus(dagName)).toMatchObject({ connected: true });
      expect(customSteps(failed).filter((s) => s.startsWith("delete"))).toEqual([]);

      const resumed = await rehearsal({ certificateExpiry: rotatedExpiry }).up();
      expect(resumed.errors, lines.join("\n")).toEqual([]);
      const after = sqlServerSide(world);
      expect(after.endpointCertificate).toBe(next);
      expect(after.certificates).toEqual([next]);
      expect(trustCertificatesOnMi(world)).toEqual([next]);
      expect(world.sql.model.partner.linkStatus(dagName)).toMatchObject({ connected: true });
      expect(world.sql.model.partner.linkStatus(dagName)?.lastConnectError).toBeUndefined();

      const gone = await rehearsal({ certificateExpiry: rotatedExpiry }).destroy();
      expect(gone.errors, lines.join("\n")).toEqual([]);
    } finally {
      await world.stop();
    }
  }, 300_000);
});

/**
 * The rehearsal replaces as the Pulumi engine does (create before delete by default): the original of a
 * replaced resource is deleted only after every other step of the up, dependents first; originals an up
 * left behind when it failed are deleted before the next up registers anything.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_SECRET_CONFIG, exampleConfig } from "../../src/testing/demo";
import { Rehearsal } from "../../src/testing/rehearsal";
import { loadState, saveState } from "../../src/testing/rehearsal/state";
import { startLocalWorld, type LocalWorld } from "../../src/testing/world";
import { buildIfStale } from "../support/build";
import { repoRoot } from "../support/provider-host";

const program = path.join(repoRoot, "test", "rehearsal", "fixtures", "trust-program.ts");

function certificatesOnSqlServer(world: LocalWorld): string[] {
  const ctx = { login: "sa", database: "master", inTransaction: false, info: () => undefined };
  const table = world.sql.model.catalogTable("sys.certificates", ctx)!;
  const name = table.columns.findIndex((c) => c.name === "name");
  return table.rows.map((row) => String(row[name])).filter((n) => n.startsWith("LinkCert"));
}

describe("rehearsal replacements", () => {
  beforeAll(async () => {
    await buildIfStale();
  }, 180_000);

  it("deletes a replaced original after every other step, and retires a failed up's originals first", async () => {
    const world = await startLocalWorld({ armOperationMs: 10 });
    const lines: string[] = [];
    try {
      const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rehearsal-replace-")), "stack.json");
      const rehearsal = (certificateName: string) =>
        new Rehearsal({
          program,
          stateFile,
          project: "rehearsal-replace",
          config: {
            ...exampleConfig(world, []),
            certificateName,
            trustCertificateName: `SqlServer${certificateName}`,
          },
          secretConfig: EXAMPLE_SECRET_CONFIG,
          arm: {
            endpoint: world.info.arm.endpoint,
            subscriptionId: world.info.arm.subscriptionId,
            tlsCaPem: world.info.arm.tlsCaPem,
          },
          hostCwd: repoRoot,
          print: (line) => lines.push(line),
        });

      expect((await rehearsal("LinkCert").up()).errors, lines.join("\n")).toEqual([]);

      // A new name replaces the certificate; the trust certificate on the MI follows its public key.
      const renamed = await rehearsal("LinkCert2").up();
      expect(renamed.errors, lines.join("\n")).toEqual([]);
      const steps = renamed.steps.filter((s) => s.custom).map((s) => `${s.op} ${s.name}`);
      expect(steps).toContain("replace sales-endpoint-cert");
      expect(steps).toContain("replace sales-trust");
      // The originals go last, dependents first: the MI's copy of the old certificate, then the old one.
      expect(steps.slice(-2)).toEqual(["delete-replaced sales-trust", "delete-replaced sales-endpoint-cert"]);
      expect(world.arm.managedInstance().trustCertificates.find("SqlServerLinkCert")).toBeUndefined();
      expect(world.arm.managedInstance().trustCertificates.find("SqlServerLinkCert2")).toBeDefined();
      expect(renamed.counts.replace).toBe(2);
      expect(renamed.changes).toBe(2);
      expect(certificatesOnSqlServer(world)).toEqual(["LinkCert2"]);
      expect(loadState(stateFile).pendingDeletes).toBeUndefined();

      // An up that failed after replacing LinkCert2 would leave its original in state as pending:
      // the next up deletes it before it registers anything.
      const state = loadState(stateFile);
      const original = state.resources.find((r) => r.name === "sales-endpoint-cert")!;
      saveState(stateFile, { ...state, pendingDeletes: [original] });
      const retired = await rehearsal("LinkCert3").up();
      expect(retired.errors, lines.join("\n")).toEqual([]);
      const retiredSteps = retired.steps.filter((s) => s.custom).map((s) => `${s.op} ${s.name}`);
      expect(retiredSteps[0]).toBe("delete-replaced sales-endpoint-cert");
      expect(certificatesOnSqlServer(world)).toEqual(["LinkCert3"]);
      expect(loadState(stateFile).pendingDeletes).toBeUndefined();

      const gone = await rehearsal("LinkCert3").destroy();
      expect(gone.errors, lines.join("\n")).toEqual([]);
      expect(certificatesOnSqlServer(world)).toEqual([]);
    } finally {
      await world.stop();
    }
  }, 180_000);
});

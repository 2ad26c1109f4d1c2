/**
 * MiLink with a managed primary, rehearsed against the emulators: up, fail over to the managed
 * instance by changing `primary`, fail back, destroy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_SECRET_CONFIG, exampleConfig, waitHealthy } from "../../src/testing/demo";
import { Rehearsal } from "../../src/testing/rehearsal";
import { startLocalWorld } from "../../src/testing/world";
import { buildIfStale } from "../support/build";
import { repoRoot } from "../support/provider-host";

interface LinkOutput {
  dagName: string;
  sqlServerRole: string | null;
  managedInstanceRole: string | null;
}

describe("MiLink with primary", () => {
  beforeAll(async () => {
    await buildIfStale();
  }, 180_000);

  it("fails over to the managed instance and back by changing primary", async () => {
    const world = await startLocalWorld({ databases: ["Sales"], armOperationMs: 20, seedingSeconds: 0.2 });
    const lines: string[] = [];
    try {
      const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "milink-failover-")), "stack.json");
      const rehearsal = (primary: string) =>
        new Rehearsal({
          program: path.join(repoRoot, "test", "components", "fixtures", "failover-program.ts"),
          stateFile,
          project: "milink-failover",
          config: { ...exampleConfig(world, ["Sales"]), primary },
          secretConfig: EXAMPLE_SECRET_CONFIG,
          arm: {
            endpoint: world.info.arm.endpoint,
            subscriptionId: world.info.arm.subscriptionId,
            tlsCaPem: world.info.arm.tlsCaPem,
          },
          hostCwd: repoRoot,
          print: (line) => lines.push(line),
        });

      const first = await rehearsal("SqlServer").up();
      expect(first.errors, lines.join("\n")).toEqual([]);
      const created = (first.outputs.links as Record<string, LinkOutput>).Sales;
      expect(created).toMatchObject({ sqlServerRole: "PRIMARY", managedInstanceRole: "SECONDARY" });
      await waitHealthy(world, { Sales: created.dagName }, 20_000);

      // A planned failover waits for the LSNs to stop moving: the application stops writing first.
      world.sql.model.setWorkload("Sales", false);
      const over = await rehearsal("ManagedInstance").up();
      expect(over.errors, lines.join("\n")).toEqual([]);
      expect(over.counts.update).toBe(1);
      expect((over.outputs.links as Record<string, LinkOutput>).Sales).toMatchObject({
        sqlServerRole: "SECONDARY",
        managedInstanceRole: "PRIMARY",
      });

      const back = await rehearsal("SqlServer").up();
      expect(back.errors, lines.join("\n")).toEqual([]);
      expect((back.outputs.links as Record<string, LinkOutput>).Sales).toMatchObject({
        sqlServerRole: "PRIMARY",
        managedInstanceRole: "SECONDARY",
      });

      const gone = await rehearsal("SqlServer").destroy();
      expect(gone.errors, lines.join("\n")).toEqual([]);
    } finally {
      await world.stop();
    }
  }, 240_000);
});

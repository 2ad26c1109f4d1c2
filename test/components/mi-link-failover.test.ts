/**
 * MiLink with a managed primary, rehearsed against the emulators: up, fail over to the managed
 * instance by changing `primary`, fail back, destroy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { exampleRehearsal, exampleConfig, waitHealthy } from "../../src/testing/demo";

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
        exampleRehearsal(world, {
          program: path.join(repoRoot, "test", "components", "fixtures", "failover-program.ts"),
          stateFile,
          project: "milink-failover",
          config: { ...exampleConfig(world, ["Sales"]), primary },
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

  it("changes the replication mode in place on both sides", async () => {
    const world = await startLocalWorld({ databases: ["Sales"], armOperationMs: 20, seedingSeconds: 0.2 });
    const lines: string[] = [];
    try {
      const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "milink-mode-")), "stack.json");
      const rehearsal = (replicationMode: string) =>
        exampleRehearsal(world, {
          program: path.join(repoRoot, "test", "components", "fixtures", "failover-program.ts"),
          stateFile,
          project: "milink-mode",
          config: { ...exampleConfig(world, ["Sales"]), replicationMode },
          print: (line) => lines.push(line),
        });

      const first = await rehearsal("Async").up();
      expect(first.errors, lines.join("\n")).toEqual([]);
      const dagName = (first.outputs.links as Record<string, LinkOutput>).Sales.dagName;
      await waitHealthy(world, { Sales: dagName }, 20_000);
      expect(world.sql.model.partner.linkStatus(dagName)?.availabilityMode).toBe("ASYNCHRONOUS_COMMIT");

      const sync = await rehearsal("Sync").up();
      expect(sync.errors, lines.join("\n")).toEqual([]);
      expect(sync.counts.replace ?? 0).toBe(0);
      expect(sync.counts.update).toBeGreaterThanOrEqual(2);
      // SQL Server's DAG members and the managed instance's side both commit synchronously now.
      const ctx = { login: "sa", database: "master", inTransaction: false, info: () => undefined };
      const replicas = world.sql.model.catalogTable("sys.availability_replicas", ctx)!;
      const mode = replicas.columns.findIndex((c) => c.name === "availability_mode_desc");
      const server = replicas.columns.findIndex((c) => c.name === "replica_server_name");
      const dagMembers = replicas.rows.filter((row) => String(row[server]).startsWith("AG_Sales"));
      expect(dagMembers.map((row) => row[mode])).toEqual(["SYNCHRONOUS_COMMIT", "SYNCHRONOUS_COMMIT"]);
      expect(world.sql.model.partner.linkStatus(dagName)?.availabilityMode).toBe("SYNCHRONOUS_COMMIT");

      const gone = await rehearsal("Sync").destroy();
      expect(gone.errors, lines.join("\n")).toEqual([]);
    } finally {
      await world.stop();
    }
  }, 240_000);
});

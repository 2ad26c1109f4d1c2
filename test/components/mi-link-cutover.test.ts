/**
 * The end of a migration, rehearsed against the emulators (SQL Server 2022 CU13): each link takes
 * its first log backup after seeding and gets a log backup Agent job; removing one database of two
 * drops only its link and job; `cutover: true` fails the other over, waits for the managed
 * instance's first full backup, and leaves no link object (nor job) on either side while the
 * database stays on SQL Server; the next up changes nothing and destroy leaves nothing behind. A
 * cutover interrupted half-way completes on the next up.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_SECRET_CONFIG, exampleRehearsal, exampleConfig, waitHealthy } from "../../src/testing/demo";

import { loadState } from "../../src/testing/rehearsal/state";
import { startLocalWorld, type LocalWorld } from "../../src/testing/world";
import { buildIfStale } from "../support/build";
import { plaintextPaths, type WireValue } from "../support/wire";
import { repoRoot } from "../support/provider-host";

interface LinkOutput {
  dagName: string;
  cutoverCompletedAt: string | null;
  managedInstanceFirstBackupAt: string | null;
}

/** Rows of a catalog view of the SQL Server emulator, as objects. */
function catalog(world: LocalWorld, view: string): Array<Record<string, unknown>> {
  const ctx = { login: "sa", database: "master", inTransaction: false, info: () => undefined };
  const table = world.sql.model.catalogTable(view, ctx)!;
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.name, row[i]])));
}

const agNames = (world: LocalWorld) => catalog(world, "sys.availability_groups").map((r) => String(r.name));
const armLinks = (world: LocalWorld) => world.arm.managedInstance().links.list();

describe("MiLink cutover", () => {
  beforeAll(async () => {
    await buildIfStale();
  }, 180_000);

  it("drops a removed database's link, then cuts over and leaves no link object on either side", async () => {
    const world = await startLocalWorld({
      databases: ["Sales", "Orders"],
      armOperationMs: 20,
      seedingSeconds: 0.2,
      firstFullBackupSeconds: 0.3,
    });
    const lines: string[] = [];
    try {
      const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "milink-cutover-")), "stack.json");
      const rehearsal = (databases: string[], cutover: boolean) =>
        exampleRehearsal(world, {
          program: path.join(repoRoot, "test", "components", "fixtures", "cutover-program.ts"),
          stateFile,
          project: "milink-cutover",
          config: { ...exampleConfig(world, databases), cutover: String(cutover) },
          print: (line) => lines.push(line),
        });

      const first = await rehearsal(["Sales", "Orders"], false).up();
      expect(first.errors, lines.join("\n")).toEqual([]);
      await waitHealthy(world, { Sales: "DAG_Sales", Orders: "DAG_Orders" }, 20_000);
      // Each link took its first log backup once seeding had completed.
      const logBackups = () =>
        catalog(world, "msdb.dbo.backupset")
          .filter((b) => b.type === "L")
          .map((b) => String(b.database_name))
          .sort();
      expect(logBackups()).toEqual(["Orders", "Sales"]);
      const jobs = () =>
        catalog(world, "msdb.dbo.sysjobs")
          .map((j) => String(j.name))
          .sort();
      expect(jobs()).toEqual(["LogBackup_Orders", "LogBackup_Sales"]);

      // Removing a database from `databases` drops only its link, in order, on both sides.
      const removed = await rehearsal(["Sales"], false).up();
      expect(removed.errors, lines.join("\n")).toEqual([]);
      expect(removed.counts.create + removed.counts.update + removed.counts.replace).toBe(0);
      expect(
        removed.steps.filter((s) => s.op === "delete").every((s) => s.urn.includes("sales-orders")),
      ).toBe(true);
      expect(agNames(world).sort()).toEqual(["AG_Sales", "DAG_Sales"]);
      expect(armLinks(world)).toEqual(["DAG_Sales"]);
      expect(jobs()).toEqual(["LogBackup_Sales"]);
      expect(catalog(world, "sys.databases").find((d) => d.name === "Orders")?.state_desc).toBe("ONLINE");

      // The cutover: the application stops writing, then one up ends the migration.
      world.sql.model.setWorkload("Sales", false);
      const cut = await rehearsal(["Sales"], true).up();
      expect(cut.errors, lines.join("\n")).toEqual([]);
      expect(
        cut.logs.some((l) => l.severity === "warning" && /cutover \(ends the link\)/.test(l.message)),
      ).toBe(true);
      const status = (cut.outputs.links as Record<string, LinkOutput>).Sales;
      expect(status.cutoverCompletedAt).toEqual(expect.any(String));
      expect(status.managedInstanceFirstBackupAt).toEqual(expect.any(String));
      // Credentials stay marked secret in the state, LinkCutover's ARM token included.
      const config = exampleConfig(world, ["Sales"]);
      const secrets = EXAMPLE_SECRET_CONFIG.map((key) => config[key]);
      expect(plaintextPaths(loadState(stateFile) as unknown as WireValue, secrets)).toEqual([]);
      expect(lines.join("\n")).not.toContain(config.sqlPassword);
      expect(agNames(world)).toEqual([]);
      expect(armLinks(world)).toEqual([]);
      expect(jobs()).toEqual([]);
      expect(world.arm.managedInstance().managedDatabase("Sales")?.earliestRestorePoint).toBeDefined();
      expect(catalog(world, "sys.databases").find((d) => d.name === "Sales")?.state_desc).toBe("ONLINE");

      // Nothing is created again, and nothing else changes.
      const again = await rehearsal(["Sales"], true).up();
      expect(again.errors, lines.join("\n")).toEqual([]);
      expect(again.changes).toBe(0);
      expect(logBackups()).toEqual(["Orders", "Sales"]);
      expect(agNames(world)).toEqual([]);
      expect(armLinks(world)).toEqual([]);

      const gone = await rehearsal(["Sales"], true).destroy();
      expect(gone.errors, lines.join("\n")).toEqual([]);
      expect(JSON.parse(fs.readFileSync(stateFile, "utf8")).resources).toEqual([]);
      expect(agNames(world)).toEqual([]);
      expect(armLinks(world)).toEqual([]);
      expect(catalog(world, "sys.databases").map((d) => d.name)).toEqual(
        expect.arrayContaining(["Sales", "Orders"]),
      );
    } finally {
      await world.stop();
    }
  }, 240_000);

  it("a cutover interrupted after the Azure link was deleted completes on the next up", async () => {
    const world = await startLocalWorld({
      databases: ["Sales"],
      armOperationMs: 20,
      seedingSeconds: 0.2,
      firstFullBackupSeconds: 0.3,
    });
    const lines: string[] = [];
    try {
      const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "milink-cutover-")), "stack.json");
      const rehearsal = (cutover: boolean) =>
        exampleRehearsal(world, {
          program: path.join(repoRoot, "test", "components", "fixtures", "cutover-program.ts"),
          stateFile,
          project: "milink-cutover",
          config: { ...exampleConfig(world, ["Sales"]), cutover: String(cutover) },
          print: (line) => lines.push(line),
        });
      const first = await rehearsal(false).up();
      expect(first.errors, lines.join("\n")).toEqual([]);
      await waitHealthy(world, { Sales: "DAG_Sales" }, 20_000);
      world.sql.model.setWorkload("Sales", false);

      // SQL Server fails the DAG's drop once: the failover and the link's deletion are done by then.
      world.sql.tds.addFault({ on: { match: /^DROP AVAILABILITY GROUP \[DAG_Sales\]/ }, action: "error" });
      const interrupted = await rehearsal(true).up();
      expect(interrupted.errors.join("\n")).toMatch(/DAG_Sales/);
      expect(armLinks(world)).toEqual([]);
      expect(agNames(world).sort()).toEqual(["AG_Sales", "DAG_Sales"]);

      const completed = await rehearsal(true).up();
      expect(completed.errors, lines.join("\n")).toEqual([]);
      expect(agNames(world)).toEqual([]);
      expect(armLinks(world)).toEqual([]);
      expect(catalog(world, "sys.databases").find((d) => d.name === "Sales")?.state_desc).toBe("ONLINE");
      expect((completed.outputs.links as Record<string, LinkOutput>).Sales.cutoverCompletedAt).toEqual(
        expect.any(String),
      );

      const again = await rehearsal(true).up();
      expect(again.errors, lines.join("\n")).toEqual([]);
      expect(again.changes).toBe(0);
    } finally {
      await world.stop();
    }
  }, 240_000);
});

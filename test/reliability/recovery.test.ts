/**
 * Recovery of a two-link stack from what happens around it: SQL Server restarted between two runs, Azure
 * answering 429 (with Retry-After) and 409 AnotherOperationInProgress, objects dropped out of band, states
 * recorded by the versions before the link's id and the database's group_database_id were inputs, and (on a one-link stack) a forced
 * failover while SQL Server still writes.
 * Each case ends with the fault-free objects on both sides and a clean destroy.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../src/testing/rehearsal";
import { loadState, saveState } from "../../src/testing/rehearsal/state";
import { waitHealthy } from "../../src/testing/demo";
import { buildIfStale } from "../support/build";
import { adminBatch, catalogRows } from "../dynamic/support/emulator";
import {
  type TestStack,
  FAILOVER_DATABASE,
  MI_PRIMARY,
  SQL_SERVER_PRIMARY,
  destroyedClean,
  expectNoSecretsInClear,
  linkRoles,
  startFailoverStack,
  objects,
  startStack,
  visibleText,
  withStack,
  DDL,
} from "./support/stack";

/** Runs `work` against a fresh stack, then checks destroy leaves nothing behind. */
function withDestroyedStack(work: (stack: TestStack) => Promise<void>): Promise<void> {
  return withStack(startStack(), async (stack) => {
    await work(stack);
    await destroyedClean(stack, []);
  });
}

describe.concurrent("recovery", () => {
  beforeAll(async () => {
    await buildIfStale();
  }, 180_000);

  it("SQL Server restarted after an interrupted setup: the next up resumes and completes", async () => {
    await withDestroyedStack(async (stack) => {
      stack.world.sql.tds.addFault({ on: { match: /^CREATE ENDPOINT/ }, action: "error" });
      const interrupted = await stack.rehearsal.up();
      expect(interrupted.ok).toBe(false);
      await stack.world.sql.restart();
      const resumed = await stack.rehearsal.up();
      expect(resumed.errors, stack.lines.join("\n")).toEqual([]);
      expect(objects(stack)).toContain("sql endpoint database_mirroring_endpoint");
      expect(objects(stack).filter((o) => o.startsWith("azure link "))).toEqual([
        "azure link DAG_Orders",
        "azure link DAG_Sales",
      ]);
    });
  }, 180_000);

  it("Azure 429 with Retry-After and 409 AnotherOperationInProgress on the package's own call (the MI endpoint certificate): retried", async () => {
    await withDestroyedStack(async (stack) => {
      const arm = stack.world.arm;
      arm.addFault({
        match: { pathRegex: /endpointCertificates/ },
        status: 429,
        times: 2,
        retryAfterSeconds: 1,
      });
      arm.addFault({
        match: { pathRegex: /endpointCertificates/ },
        status: 409,
        code: "AnotherOperationInProgress",
        times: 1,
        retryAfterSeconds: 1,
      });
      const up = await stack.rehearsal.up();
      expect(up.errors, stack.lines.join("\n")).toEqual([]);
      const failed = arm.requestLog().filter((entry) => entry.status === 429 || entry.status === 409);
      expect(failed.map((entry) => entry.status).sort()).toEqual([409, 429, 429]);
    });
  }, 180_000);

  it("objects dropped out of band: refresh reports them gone, the next up re-creates exactly them", async () => {
    await withDestroyedStack(async (stack) => {
      expect((await stack.rehearsal.up()).errors, stack.lines.join("\n")).toEqual([]);
      const expected = objects(stack);
      await adminBatch(stack.world.sql, "DROP CERTIFICATE [MicrosoftPKI];");
      stack.world.arm.managedInstance().trustCertificates.delete("Cert_SQL1_endpoint");
      const refreshed = await stack.rehearsal.refresh();
      expect(refreshed.counts.gone).toBe(2);
      const repaired = await stack.rehearsal.up();
      expect(repaired.errors, stack.lines.join("\n")).toEqual([]);
      expect(repaired.counts.create).toBe(2);
      expect(objects(stack)).toEqual(expected);
    });
  }, 180_000);

  it("a stack made before the linkId input: its first up replaces each readiness and first log backup once, taking no second log backup", async () => {
    await withDestroyedStack(async (stack) => {
      expect((await stack.rehearsal.up()).errors, stack.lines.join("\n")).toEqual([]);
      const expected = objects(stack);
      const logBackups = () =>
        catalogRows(stack.world.sql, "msdb.dbo.backupset").filter((b) => b.type === "L");
      const taken = logBackups().length;
      // The state as the version before recorded it: no linkId in the inputs, nor in the outputs.
      const state = loadState(stack.stateFile);
      for (const resource of state.resources) {
        delete resource.inputs.linkId;
        delete resource.outputs.linkId;
      }
      saveState(stack.stateFile, state);

      const upgraded = await stack.rehearsal.up();
      expect(upgraded.errors, stack.lines.join("\n")).toEqual([]);
      const replaced = upgraded.steps
        .filter((step) => step.custom && step.op !== "same")
        .map((s) => s.op + " " + s.name);
      expect(replaced.sort()).toEqual(
        ["replace", "delete-replaced"]
          .flatMap((op) =>
            [
              "erp-orders-link-readiness",
              "erp-orders-log-backup",
              "erp-sales-link-readiness",
              "erp-sales-log-backup",
            ].map((name) => `${op} ${name}`),
          )
          .sort(),
      );
      expect(logBackups()).toHaveLength(taken);
      expect(objects(stack)).toEqual(expected);
      expect((await stack.rehearsal.up()).changes).toBe(0);
    });
  }, 180_000);

  it("a stack made before the groupDatabaseId input: a refresh records each group's, the next up records it in each readiness and first log backup without a statement or a wait", async () => {
    await withDestroyedStack(async (stack) => {
      expect((await stack.rehearsal.up()).errors, stack.lines.join("\n")).toEqual([]);
      const expected = objects(stack);
      // The state as the version before recorded it: no groupDatabaseId anywhere.
      const state = loadState(stack.stateFile);
      for (const resource of state.resources) {
        delete resource.inputs.groupDatabaseId;
        delete resource.outputs.groupDatabaseId;
      }
      saveState(stack.stateFile, state);
      expect((await stack.rehearsal.up()).changes, stack.lines.join("\n")).toBe(0);

      const refreshed = await stack.rehearsal.refresh();
      const groups = refreshed.steps.filter((step) => step.custom && /-ag$/.test(step.name));
      expect(groups.map((step) => `${step.op} ${step.name}`).sort()).toEqual([
        "drift erp-orders-ag",
        "drift erp-sales-ag",
      ]);

      stack.world.sql.tds.resetCounters();
      const recorded = await stack.rehearsal.up();
      expect(recorded.errors, stack.lines.join("\n")).toEqual([]);
      const changed = recorded.steps
        .filter((step) => step.custom && step.op !== "same")
        .map((step) => `${step.op} ${step.name}`);
      expect(changed.sort()).toEqual([
        "update erp-orders-link-readiness",
        "update erp-orders-log-backup",
        "update erp-sales-link-readiness",
        "update erp-sales-log-backup",
      ]);
      const readinessQueries = stack.world.sql.tds
        .requestLog()
        .filter((entry) => DDL.test(entry.text) || /dm_hadr_database_replica_states/.test(entry.text));
      expect(readinessQueries).toEqual([]);
      expect(objects(stack)).toEqual(expected);
      expect((await stack.rehearsal.up()).changes).toBe(0);
    });
  }, 180_000);

  it("a forced failover to the managed instance while SQL Server still writes: a refresh and an up after it change nothing, then it fails back", async () => {
    await withStack(startFailoverStack("recovery-forced"), async (stack) => {
      const reports: RunReport[] = [];
      const run = async (report: Promise<RunReport>) => {
        const done = await report;
        reports.push(done);
        expect(done.errors, stack.lines.join("\n")).toEqual([]);
        return done;
      };
      const first = await run(stack.withPrimary("SqlServer").up());
      expect(linkRoles(stack, first)).toEqual(SQL_SERVER_PRIMARY);
      await waitHealthy(stack.world, { [FAILOVER_DATABASE]: `DAG_${FAILOVER_DATABASE}` }, 20_000);

      // No wait for the log to settle: the application is still writing on SQL Server.
      const forced = await run(stack.withPrimary("ManagedInstance", { forced: true }).up());
      expect(linkRoles(stack, forced)).toEqual(MI_PRIMARY);
      expect(stack.lines.join("\n")).toMatch(/forced failover to the managed instance allowing data loss/);

      // What the forced failover left is what the state says: nothing to repair, nothing to wait for.
      await run(stack.withPrimary("ManagedInstance", { forced: true }).refresh());
      const steady = await run(stack.withPrimary("ManagedInstance", { forced: true }).up());
      expect(steady.changes, stack.lines.join("\n")).toBe(0);
      expect(linkRoles(stack, steady)).toEqual(MI_PRIMARY);

      stack.world.sql.model.setWorkload(FAILOVER_DATABASE, false);
      const back = await run(stack.withPrimary("SqlServer").up());
      expect(linkRoles(stack, back)).toEqual(SQL_SERVER_PRIMARY);
      expectNoSecretsInClear(stack, reports);
      await destroyedClean(stack, reports);
    });
  }, 240_000);

  it("credential rotation: password changed on SQL Server and in the config; up sends no DDL, destroy succeeds", async () => {
    await withDestroyedStack(async (stack) => {
      expect((await stack.rehearsal.up()).errors, stack.lines.join("\n")).toEqual([]);
      const expected = objects(stack);
      const rotated = "Rotated-Passw0rd!2";
      stack.world.sql.model.setLoginPassword("sa", rotated);
      stack.config.sqlPassword = rotated;
      stack.world.sql.tds.resetCounters();
      const up = await stack.rehearsal.up();
      expect(up.errors, stack.lines.join("\n")).toEqual([]);
      expect(up.counts.create + up.counts.replace + up.counts.delete).toBe(0);
      const ddl = stack.world.sql.tds.requestLog().filter((entry) => DDL.test(entry.text));
      expect(ddl.map((entry) => entry.text)).toEqual([]);
      expect(objects(stack)).toEqual(expected);
      expect(visibleText(stack, [up])).not.toContain(rotated);
    });
  }, 180_000);
});

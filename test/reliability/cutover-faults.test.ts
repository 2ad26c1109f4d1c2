/**
 * Azure faults on the ARM calls the migration cutover makes itself, in a rehearsed stack that ends the
 * migration (`cutover: true` after a healthy up): the GET of the managed database (the wait for its first
 * full backup) and the DELETE of the link; and on the preflight's list of the managed instance's links.
 * Throttling (429 with Retry-After) and AnotherOperationInProgress (409) are retried within the deadline and
 * the cutover completes; a busy answer that outlasts the deadline ends the run with an error naming the
 * operation, and the next run completes the cutover.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { FaultSpec } from "../../src/testing/arm/faults";
import type { RunReport } from "../../src/testing/rehearsal";
import { waitHealthy } from "../../src/testing/demo";
import type { LocalWorld } from "../../src/testing/world";
import { buildIfStale } from "../support/build";
import {
  type CutoverStack,
  CUTOVER_DATABASE,
  startCutoverStack,
  destroyedClean,
  withStack,
  armAnswers,
  expectNoSecretsInClear,
} from "./support/stack";

const LINK = `DAG_${CUTOVER_DATABASE}`;

/** The package's own calls, as the ARM emulator sees them (method, path). */
const CALLS = {
  listLinks: { method: "GET", pathRegex: /\/distributedAvailabilityGroups$/ },
  readManagedDatabase: { method: "GET", pathRegex: new RegExp(`/databases/${CUTOVER_DATABASE}$`) },
  deleteLink: { method: "DELETE", pathRegex: new RegExp(`/distributedAvailabilityGroups/${LINK}$`) },
} satisfies Record<string, FaultSpec["match"]>;
type Call = keyof typeof CALLS;

/** Answers of the emulator to `call`, in order: e.g. [429, 409, 202]. */
function answers(stack: CutoverStack, call: Call): number[] {
  return armAnswers(stack, CALLS[call]);
}

/** One 429 with Retry-After, then one 409 AnotherOperationInProgress, on `call`. */
function busyTwice(stack: CutoverStack, call: Call): void {
  stack.world.arm.addFault({ match: CALLS[call], status: 429, times: 1, retryAfterSeconds: 1 });
  stack.world.arm.addFault({
    match: CALLS[call],
    status: 409,
    code: "AnotherOperationInProgress",
    times: 1,
    retryAfterSeconds: 1,
  });
}

/** One 409 retried, then 409s asking to come back in an hour: past the deadline, so the call gives up. */
function busyPastDeadline(stack: CutoverStack, call: Call): void {
  const busy = { match: CALLS[call], status: 409 as const, code: "AnotherOperationInProgress" };
  stack.world.arm.addFault({ ...busy, times: 1, retryAfterSeconds: 1 });
  stack.world.arm.addFault({ ...busy, times: 1000, retryAfterSeconds: 3600 });
}

/** A cutover up that failed with the LinkCutover's error for `operation`, the link still on both sides. */
async function cutoverFailed(stack: CutoverStack, reports: RunReport[], operation: string): Promise<string> {
  const failed = await stack.withCutover(true).up();
  reports.push(failed);
  expect(failed.ok).toBe(false);
  expect(failed.errors[0]).toMatch(/^pulumi-nodejs:dynamic\/mi-link:LinkCutover /);
  expect(failed.errors[0]).toContain(operation);
  expect(failed.errors[0]).toContain("AnotherOperationInProgress");
  expect(armLinks(stack.world)).toEqual([LINK]);
  expect(agNames(stack.world)).toContain(LINK);
  expectNoSecretsInClear(stack, reports);
  return failed.errors[0];
}

/** With the faults gone, the next up completes the cutover and destroy leaves nothing behind. */
async function cutoverCompletes(stack: CutoverStack, reports: RunReport[]): Promise<void> {
  stack.world.arm.clearFaults();
  const completed = await stack.withCutover(true).up();
  reports.push(completed);
  expect(completed.errors, stack.lines.join("\n")).toEqual([]);
  expectCutOver(stack);
  await destroyedClean(stack, reports);
  expectCutOver(stack);
  expectNoSecretsInClear(stack, reports);
}

/** Rows of a catalog view of the SQL Server emulator, as objects. */
function catalog(world: LocalWorld, view: string): Array<Record<string, unknown>> {
  const ctx = { login: "sa", database: "master", inTransaction: false, info: () => undefined };
  const table = world.sql.model.catalogTable(view, ctx)!;
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.name, row[i]])));
}

const agNames = (world: LocalWorld) => catalog(world, "sys.availability_groups").map((r) => String(r.name));
const armLinks = (world: LocalWorld) => world.arm.managedInstance().links.list();

/** The migration ended: no link on either side, the database still on both. */
function expectCutOver(stack: CutoverStack): void {
  const { world } = stack;
  expect(agNames(world)).toEqual([]);
  expect(armLinks(world)).toEqual([]);
  expect(world.arm.managedInstance().managedDatabase(CUTOVER_DATABASE)?.earliestRestorePoint).toBeDefined();
  expect(catalog(world, "sys.databases").find((d) => d.name === CUTOVER_DATABASE)?.state_desc).toBe("ONLINE");
}

/** A created link, healthy, with the application stopped so that the cutover's failover can start. */
async function createdAndQuiet(stack: CutoverStack, reports: RunReport[]): Promise<RunReport> {
  const up = await stack.withCutover(false).up();
  reports.push(up);
  expect(up.errors, stack.lines.join("\n")).toEqual([]);
  expect(armLinks(stack.world)).toEqual([LINK]);
  await waitHealthy(stack.world, { [CUTOVER_DATABASE]: LINK }, 20_000);
  stack.world.sql.model.setWorkload(CUTOVER_DATABASE, false);
  return up;
}

describe.concurrent("Azure faults on the cutover's own ARM calls", () => {
  beforeAll(async () => {
    await buildIfStale();
  }, 180_000);

  it("429 with Retry-After and 409 AnotherOperationInProgress on the link list, the managed database GET and the link DELETE: retried, the cutover completes", async () => {
    await withStack(startCutoverStack("cutover-faults-retried"), async (stack) => {
      const reports: RunReport[] = [];
      // The preflight's link count: retried, so the up neither fails nor warns that it could not count.
      busyTwice(stack, "listLinks");
      const created = await createdAndQuiet(stack, reports);
      const listed = answers(stack, "listLinks");
      expect(listed.slice(0, 2)).toEqual([429, 409]);
      expect(listed.slice(2).every((s) => s === 200)).toBe(true);
      expect(listed.length).toBeGreaterThan(2);
      expect(created.logs.filter((l) => /Could not count the links/.test(l.message))).toEqual([]);

      busyTwice(stack, "readManagedDatabase");
      busyTwice(stack, "deleteLink");
      stack.world.arm.resetCounters();
      const cut = await stack.withCutover(true).up();
      reports.push(cut);
      expect(cut.errors, stack.lines.join("\n")).toEqual([]);
      expectCutOver(stack);
      expectNoSecretsInClear(stack, reports);

      // Each call was answered busy twice, then went through.
      for (const call of ["readManagedDatabase", "deleteLink"] as const) {
        const statuses = answers(stack, call);
        expect(statuses.slice(0, 2), call).toEqual([429, 409]);
        expect(statuses.length, call).toBeGreaterThan(2);
        expect(
          statuses.slice(2).every((s) => s < 300),
          call,
        ).toBe(true);
      }
      expect(answers(stack, "deleteLink")).toHaveLength(3);

      const again = await stack.withCutover(true).up();
      reports.push(again);
      expect(again.errors, stack.lines.join("\n")).toEqual([]);
      expect(again.changes).toBe(0);
      await destroyedClean(stack, reports);
      expectCutOver(stack);
      expectNoSecretsInClear(stack, reports);
    });
  }, 240_000);

  it("the link DELETE answered busy past the deadline: an error naming the operation, and the next up completes the cutover", async () => {
    await withStack(startCutoverStack("cutover-faults-persistent-delete"), async (stack) => {
      const reports: RunReport[] = [];
      await createdAndQuiet(stack, reports);
      busyPastDeadline(stack, "deleteLink");
      // The failover happened and the first full backup exists; the link is still there on both sides.
      const error = await cutoverFailed(stack, reports, `Could not delete the link (link ${LINK} of`);
      expect(error).toMatch(/retried 1 times/);
      expect(answers(stack, "deleteLink")).toEqual([409, 409]);
      await cutoverCompletes(stack, reports);
    });
  }, 240_000);

  it("the managed database GET answered busy past the deadline: an error naming the operation, the link kept, and the next up completes the cutover", async () => {
    await withStack(startCutoverStack("cutover-faults-persistent-database"), async (stack) => {
      const reports: RunReport[] = [];
      await createdAndQuiet(stack, reports);
      busyPastDeadline(stack, "readManagedDatabase");
      await cutoverFailed(
        stack,
        reports,
        `Could not read the managed database (database [${CUTOVER_DATABASE}] of`,
      );
      // Without the first full backup known, no DELETE was sent.
      expect(answers(stack, "deleteLink")).toEqual([]);
      await cutoverCompletes(stack, reports);
    });
  }, 240_000);

  it("the link list answered busy past its deadline: the up warns, naming the operation, and proceeds", async () => {
    await withStack(startCutoverStack("cutover-faults-persistent-list"), async (stack) => {
      const reports: RunReport[] = [];
      busyPastDeadline(stack, "listLinks");

      const created = await createdAndQuiet(stack, reports);
      const warnings = created.logs
        .filter((l) => l.severity === "warning" && /Could not count the links/.test(l.message))
        .map((l) => l.message);
      expect(warnings.length).toBeGreaterThan(0);
      for (const warning of warnings) {
        expect(warning).toContain("Could not list the links");
        expect(warning).toContain("AnotherOperationInProgress");
      }
      expect(answers(stack, "listLinks").every((s) => s === 409)).toBe(true);
      expectNoSecretsInClear(stack, reports);

      stack.world.arm.clearFaults();
      await destroyedClean(stack, reports);
      expectNoSecretsInClear(stack, reports);
    });
  }, 240_000);
});

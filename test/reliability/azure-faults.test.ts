/**
 * Azure faults on the ARM calls the package makes itself, in a rehearsed stack that fails over: the
 * replication mode change (PATCH of the link), the planned failover (POST .../failover) and the fail back
 * (POST .../setRole). Throttling (429 with Retry-After) and AnotherOperationInProgress (409) are retried
 * within the deadline and the runs converge; a busy answer that outlasts the deadline ends the run with an
 * error naming the operation, and the next run finishes what it started.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { FaultSpec } from "../../src/testing/arm/faults";
import type { RunReport } from "../../src/testing/rehearsal";
import { waitHealthy } from "../../src/testing/demo";
import { buildIfStale } from "../support/build";
import {
  type FailoverStack,
  FAILOVER_DATABASE,
  startFailoverStack,
  destroyedClean,
  withStack,
  armAnswers,
  expectNoSecretsInClear,
  linkRoles,
  MI_PRIMARY,
  SQL_SERVER_PRIMARY,
} from "./support/stack";

const LINK = `DAG_${FAILOVER_DATABASE}`;

/** The package's own calls on the link, as the ARM emulator sees them (method, path). */
const CALLS = {
  patch: { method: "PATCH", pathRegex: new RegExp(`/distributedAvailabilityGroups/${LINK}$`) },
  failover: { method: "POST", pathRegex: new RegExp(`/distributedAvailabilityGroups/${LINK}/failover$`) },
  setRole: { method: "POST", pathRegex: new RegExp(`/distributedAvailabilityGroups/${LINK}/setRole$`) },
} satisfies Record<string, FaultSpec["match"]>;
type Call = keyof typeof CALLS;

/** Answers of the emulator to `call`, in order: e.g. [429, 409, 202]. */
function answers(stack: FailoverStack, call: Call): number[] {
  return armAnswers(stack, CALLS[call]);
}

/** The operation each call is named by in errors. */
const OPERATION: Record<Call, string> = {
  patch: "set the link's replication mode to Sync",
  failover: "fail over the link (Planned)",
  setRole: "set the managed instance's role in the link to Secondary (Planned)",
};

/** A created link, healthy, with the application stopped so that a planned failover can start. */
async function createdAndQuiet(stack: FailoverStack, reports: RunReport[]): Promise<void> {
  const up = await stack.withPrimary("SqlServer").up();
  reports.push(up);
  expect(up.errors, stack.lines.join("\n")).toEqual([]);
  expect(linkRoles(stack, up)).toEqual(SQL_SERVER_PRIMARY);
  await waitHealthy(stack.world, { [FAILOVER_DATABASE]: LINK }, 20_000);
  stack.world.sql.model.setWorkload(FAILOVER_DATABASE, false);
}

describe.concurrent("Azure faults on the package's own link calls", () => {
  beforeAll(async () => {
    await buildIfStale();
  }, 180_000);

  it("429 with Retry-After and 409 AnotherOperationInProgress on PATCH, failover and setRole: retried, failover and fail back converge", async () => {
    await withStack(startFailoverStack("arm-faults-retried"), async (stack) => {
      const reports: RunReport[] = [];
      await createdAndQuiet(stack, reports);
      for (const call of Object.keys(CALLS) as Call[]) {
        stack.world.arm.addFault({ match: CALLS[call], status: 429, times: 1, retryAfterSeconds: 1 });
        stack.world.arm.addFault({
          match: CALLS[call],
          status: 409,
          code: "AnotherOperationInProgress",
          times: 1,
          retryAfterSeconds: 1,
        });
      }
      stack.world.arm.resetCounters();

      const over = await stack.withPrimary("ManagedInstance").up();
      reports.push(over);
      expect(over.errors, stack.lines.join("\n")).toEqual([]);
      expect(linkRoles(stack, over)).toEqual(MI_PRIMARY);
      expectNoSecretsInClear(stack, reports);
      // The failover kept the link in Azure (its id): a refresh, then an up, replace and wait for nothing.
      const refreshed = await stack.withPrimary("ManagedInstance").refresh();
      const steady = await stack.withPrimary("ManagedInstance").up();
      reports.push(refreshed, steady);
      expect([...refreshed.errors, ...steady.errors], stack.lines.join("\n")).toEqual([]);
      expect(steady.changes).toBe(0);
      const back = await stack.withPrimary("SqlServer").up();
      reports.push(back);
      expect(back.errors, stack.lines.join("\n")).toEqual([]);
      expect(linkRoles(stack, back)).toEqual(SQL_SERVER_PRIMARY);

      expectNoSecretsInClear(stack, reports);

      // Each call was answered busy twice, then went through (PATCH: to Sync, then back to Async, each way).
      for (const call of Object.keys(CALLS) as Call[]) {
        const statuses = answers(stack, call);
        expect(statuses.slice(0, 3), call).toEqual([429, 409, statuses[2]]);
        expect(statuses[2], call).toBeLessThan(300);
        expect(
          statuses.slice(3).every((s) => s < 300),
          call,
        ).toBe(true);
      }
      await destroyedClean(stack, reports);
      expectNoSecretsInClear(stack, reports);
    });
  }, 240_000);

  it.each(Object.keys(CALLS) as Call[])(
    "%s answered busy past the deadline: an error naming the operation, and the next up finishes",
    async (call) => {
      await withStack(startFailoverStack(`arm-faults-persistent-${call}`), async (stack) => {
        const reports: RunReport[] = [];
        await createdAndQuiet(stack, reports);
        // setRole is the fail back's: fail over first, without faults.
        const to = call === "setRole" ? "SqlServer" : "ManagedInstance";
        if (call === "setRole") {
          const over = await stack.withPrimary("ManagedInstance").up();
          reports.push(over);
          expect(over.errors, stack.lines.join("\n")).toEqual([]);
        }
        // Retried once, then Azure asks to come back in an hour: past the deadline, so the call gives up.
        const busy = { match: CALLS[call], status: 409 as const, code: "AnotherOperationInProgress" };
        stack.world.arm.addFault({ ...busy, times: 1, retryAfterSeconds: 1 });
        stack.world.arm.addFault({ ...busy, times: 1000, retryAfterSeconds: 3600 });

        const failed = await stack.withPrimary(to).up();
        reports.push(failed);
        expect(failed.ok).toBe(false);
        // The LinkRole step's error, then the program's (the stack outputs depend on the role): both say why.
        expect(failed.errors[0]).toMatch(/^pulumi-nodejs:dynamic\/mi-link:LinkRole /);
        for (const error of failed.errors) expect(error).toContain(OPERATION[call]);
        expect(failed.errors[0]).toContain("AnotherOperationInProgress");
        expect(failed.errors[0]).toMatch(/retried 1 times/);
        expect(answers(stack, call).slice(-2)).toEqual([409, 409]);
        expectNoSecretsInClear(stack, reports);

        stack.world.arm.clearFaults();
        const again = await stack.withPrimary(to).up();
        reports.push(again);
        expect(again.errors, stack.lines.join("\n")).toEqual([]);
        expect(linkRoles(stack, again)).toEqual(to === "SqlServer" ? SQL_SERVER_PRIMARY : MI_PRIMARY);
        expect(again.counts.create + again.counts.replace + again.counts.delete).toBe(0);
        await destroyedClean(stack, reports);
        expectNoSecretsInClear(stack, reports);
      });
    },
    240_000,
  );
});

/**
 * Crash anywhere, converge: a full create of two links (and its destroy) is interrupted at one SQL Server
 * statement — the emulator answers it with an error, or drops the connection unanswered — and then run
 * again without faults. Both sides must end exactly as after a fault-free run: the same objects on SQL
 * Server and on the managed instance, the same resources in the state, nothing duplicated or orphaned.
 *
 * The fault-free run also serves the secrets scan: no password, master key password or token in clear in
 * the state (inputs, outputs, serialized providers), the progress lines, the logs or the errors.
 *
 * Which statements are interrupted:
 * - by text, every statement of create and of destroy that changes SQL Server, each once with an error and
 *   once with a dropped connection (CREATE_FAULTS / DESTROY_FAULTS, listed in docs/reliability.md); the
 *   coverage case fails when the fault-free run sends one that is not listed;
 * - by number, every request k of create and of destroy (reads, the driver's session batches and changes
 *   alike), once each, an error at odd k and a dropped connection at even k. The links are created in
 *   parallel, so request k is not always the same statement from one run to the next: these cases prove
 *   that an interruption at any point converges, the cases by text that every change was interrupted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../src/testing/rehearsal";
import { buildIfStale } from "../support/build";
import { plaintextPaths, type WireValue } from "../support/wire";
import { loadState } from "../../src/testing/rehearsal/state";
import {
  type TestStack,
  leftoversAfterDestroy,
  objects,
  retained,
  startStack,
  stateResources,
  visibleText,
} from "./support/stack";

type FaultAction = "error" | "drop";

interface FaultCase {
  /** The statement, as it appears in the fault-free run's request log. */
  statement: RegExp;
  action: FaultAction;
}

/** Every DDL statement of the fault-free create (the statements that change SQL Server). */
const CREATE_STATEMENTS: RegExp[] = [
  /^CREATE MASTER KEY/,
  /^CREATE CERTIFICATE \[DigiCertPKI\]/,
  /^CREATE CERTIFICATE \[MicrosoftPKI\]/,
  /CERT_ID\(N'DigiCertPKI'\);\s*EXEC sp_certificate_add_issuer/,
  /CERT_ID\(N'MicrosoftPKI'\);\s*EXEC sp_certificate_add_issuer/,
  /^BACKUP DATABASE \[Sales\]/,
  /^BACKUP DATABASE \[Orders\]/,
  /^CREATE CERTIFICATE \[Cert_/,
  /^CREATE CERTIFICATE \[sqlmi1\./,
  /^CREATE ENDPOINT/,
  /^CREATE AVAILABILITY GROUP \[AG_Sales\]/,
  /^CREATE AVAILABILITY GROUP \[AG_Orders\]/,
  /^CREATE AVAILABILITY GROUP \[DAG_Sales\]/,
  /^CREATE AVAILABILITY GROUP \[DAG_Orders\]/,
  // The first log backup: BACKUP LOG inside the batch that checks its preconditions (seeding done).
  /^DECLARE @seeded_at[^]*BACKUP LOG \[Sales\]/,
  /^DECLARE @seeded_at[^]*BACKUP LOG \[Orders\]/,
];

/** A request that changes SQL Server (every other request of create and destroy only reads). */
const CHANGE =
  /^\s*(CREATE|DROP|ALTER|BACKUP|GRANT|REVOKE)\b|\bBACKUP (LOG|DATABASE)\b|sp_certificate_add_issuer|sp_(add|update|delete)_job/i;

const CREATE_FAULTS: FaultCase[] = [
  ...CREATE_STATEMENTS.map((statement) => ({ statement, action: "error" as const })),
  ...CREATE_STATEMENTS.map((statement) => ({ statement, action: "drop" as const })),
];

/** Every DDL statement of the fault-free destroy. */
const DESTROY_STATEMENTS: RegExp[] = [
  /^DROP AVAILABILITY GROUP \[DAG_Sales\]/,
  /^DROP AVAILABILITY GROUP \[DAG_Orders\]/,
  /^DROP AVAILABILITY GROUP \[AG_Sales\]/,
  /^DROP AVAILABILITY GROUP \[AG_Orders\]/,
  /^DROP ENDPOINT/,
  /^DROP CERTIFICATE \[Cert_/,
  /^DROP CERTIFICATE \[sqlmi1\./,
  /^DROP CERTIFICATE \[MicrosoftPKI\]/,
  /^DROP CERTIFICATE \[DigiCertPKI\]/,
  /^DROP MASTER KEY/,
];

const DESTROY_FAULTS: FaultCase[] = [
  ...DESTROY_STATEMENTS.map((statement) => ({ statement, action: "error" as const })),
  ...DESTROY_STATEMENTS.map((statement) => ({ statement, action: "drop" as const })),
];

/** The requests of the fault-free create and destroy (session batches included); the coverage case checks them. */
const CREATE_REQUESTS = 46;
const DESTROY_REQUESTS = 29;

interface NumberedFault {
  requestNumber: number;
  action: FaultAction;
}

/** Request 1 to `count`, an error at odd numbers and a dropped connection at even ones. */
function numberedFaults(count: number): NumberedFault[] {
  return Array.from({ length: count }, (_, i) => ({
    requestNumber: i + 1,
    action: i % 2 === 0 ? ("error" as const) : ("drop" as const),
  }));
}

/** What the fault-free run produced. */
interface Baseline {
  objects: string[];
  resources: string[];
  createStatements: string[];
  destroyStatements: string[];
}
let baseline: Baseline;

/**
 * How the interrupted runs ended, for docs/reliability.md: failed, or completed (a retry absorbed the
 * fault); by the cases' kind, faults placed by statement text or by request number.
 */
const outcomes = { text: { failed: 0, completed: 0 }, number: { failed: 0, completed: 0 } };
function tally(run: RunReport, placed: keyof typeof outcomes): void {
  if (run.errors.length > 0) outcomes[placed].failed++;
  else outcomes[placed].completed++;
}

function expectNoSecrets(stack: TestStack, reports: RunReport[]): void {
  const text = visibleText(stack, reports);
  for (const secret of stack.secrets)
    expect(text.includes(secret), "a secret in clear in run output").toBe(false);
}

function armFault(stack: TestStack, fault: FaultCase): void {
  stack.world.sql.tds.addFault({ on: { match: fault.statement }, action: fault.action });
}

function hit(stack: TestStack, statement: RegExp): boolean {
  return stack.world.sql.tds.requestLog().some((entry) => statement.test(entry.text));
}

/** Arms a fault at request `requestNumber` counted from now. */
function armNumberedFault(stack: TestStack, fault: NumberedFault): void {
  stack.world.sql.tds.resetCounters();
  stack.world.sql.tds.addFault({ on: { requestNumber: fault.requestNumber }, action: fault.action });
}

/** The run reached the faulted request (so the fault fired). */
function reached(stack: TestStack, fault: NumberedFault): boolean {
  return stack.world.sql.tds.counters().requests >= fault.requestNumber;
}

describe("crash anywhere, converge", () => {
  beforeAll(async () => {
    await buildIfStale();
    const stack = await startStack();
    try {
      const up = await stack.rehearsal.up();
      expect(up.errors, stack.lines.join("\n")).toEqual([]);
      const createStatements = stack.world.sql.tds.requestLog().map((e) => e.text);
      baseline = {
        objects: objects(stack),
        resources: stateResources(stack),
        createStatements,
        destroyStatements: [],
      };

      // Secrets scan of the fault-free create: state (inputs, outputs, __provider; the rehearsal keeps a
      // secret as a marked value where Pulumi would encrypt it, so "in clear" means outside that mark)
      // and everything printed.
      const state = loadState(stack.stateFile);
      expect(plaintextPaths(state as unknown as WireValue, stack.secrets)).toEqual([]);
      expectNoSecrets(stack, [up]);

      const keep = retained(stack);
      stack.world.sql.tds.resetCounters();
      const destroyed = await stack.rehearsal.destroy();
      expect(destroyed.errors).toEqual([]);
      baseline.destroyStatements = stack.world.sql.tds.requestLog().map((e) => e.text);
      expect(leftoversAfterDestroy(stack, keep)).toEqual([]);
      expect(loadState(stack.stateFile).resources).toEqual([]);
      expectNoSecrets(stack, [up, destroyed]);
    } finally {
      await stack.world.stop();
    }
  }, 180_000);

  it("the fault-free run issues every statement the cases interrupt", () => {
    for (const { statement } of CREATE_FAULTS) {
      expect(
        baseline.createStatements.some((t) => statement.test(t)),
        String(statement),
      ).toBe(true);
    }
    for (const { statement } of DESTROY_FAULTS) {
      expect(
        baseline.destroyStatements.some((t) => statement.test(t)),
        String(statement),
      ).toBe(true);
    }
    // Every statement that changes SQL Server is interrupted by some case, both ways.
    const changes = (texts: string[]) => texts.filter((t) => CHANGE.test(t));
    const uncovered = (texts: string[], cases: FaultCase[], action: FaultAction) =>
      changes(texts).filter((t) => !cases.some((c) => c.action === action && c.statement.test(t)));
    for (const action of ["error", "drop"] as const) {
      expect(uncovered(baseline.createStatements, CREATE_FAULTS, action), `create, ${action}`).toEqual([]);
      expect(uncovered(baseline.destroyStatements, DESTROY_FAULTS, action), `destroy, ${action}`).toEqual([]);
    }
    expect(baseline.objects.length).toBeGreaterThan(10);
    // The cases by number interrupt every request of the fault-free runs. A slow run may poll once more
    // or open one more connection: a request past the count must repeat one the cases interrupt.
    const beyond = (texts: string[], count: number) =>
      texts.slice(count).filter((text) => !texts.slice(0, count).includes(text));
    expect(baseline.createStatements.length, "update CREATE_REQUESTS").toBeGreaterThanOrEqual(
      CREATE_REQUESTS,
    );
    expect(beyond(baseline.createStatements, CREATE_REQUESTS), "update CREATE_REQUESTS").toEqual([]);
    expect(baseline.destroyStatements.length, "update DESTROY_REQUESTS").toBeGreaterThanOrEqual(
      DESTROY_REQUESTS,
    );
    expect(beyond(baseline.destroyStatements, DESTROY_REQUESTS), "update DESTROY_REQUESTS").toEqual([]);
  });

  describe.concurrent("create interrupted, then run again", () => {
    it.each(interruptions(CREATE_FAULTS, CREATE_REQUESTS).map((c) => [c.label, c] as const))(
      "%s",
      (_label, interruption) => createInterruptedThenAgain(interruption),
      180_000,
    );
  });

  describe.concurrent("destroy interrupted, then run again", () => {
    it.each(interruptions(DESTROY_FAULTS, DESTROY_REQUESTS).map((c) => [c.label, c] as const))(
      "%s",
      (_label, interruption) => destroyInterruptedThenAgain(interruption),
      180_000,
    );
  });
});

/** One case: where its fault goes (`arm`) and whether the interrupted run reached it (`fired`). */
interface Interruption {
  label: string;
  placed: keyof typeof outcomes;
  arm(stack: TestStack): void;
  fired(stack: TestStack): boolean;
}

/** The cases of one operation: each statement by its text, then each request by its number. */
function interruptions(statements: FaultCase[], requests: number): Interruption[] {
  return [
    ...statements.map((fault) => ({
      label: `${fault.action} at ${fault.statement.source}`,
      placed: "text" as const,
      arm: (stack: TestStack) => armFault(stack, fault),
      fired: (stack: TestStack) => hit(stack, fault.statement),
    })),
    ...numberedFaults(requests).map((fault) => ({
      label: `${fault.action} at request ${fault.requestNumber}`,
      placed: "number" as const,
      arm: (stack: TestStack) => armNumberedFault(stack, fault),
      fired: (stack: TestStack) => reached(stack, fault),
    })),
  ];
}

/**
 * A create with the case's fault, which must fire, then a create without faults: both
 * sides and the state end as after the fault-free run, and destroy then leaves nothing behind.
 */
async function createInterruptedThenAgain({ placed, arm, fired }: Interruption): Promise<void> {
  const stack = await startStack();
  try {
    arm(stack);
    const interrupted = await stack.rehearsal.up();
    expect(fired(stack), stack.lines.join("\n")).toBe(true);
    tally(interrupted, placed);
    const again = await stack.rehearsal.up();
    expect(again.errors, stack.lines.join("\n")).toEqual([]);
    expect(objects(stack)).toEqual(baseline.objects);
    expect(stateResources(stack)).toEqual(baseline.resources);
    expectNoSecrets(stack, [interrupted, again]);

    const keep = retained(stack);
    expect((await stack.rehearsal.destroy()).errors).toEqual([]);
    expect(leftoversAfterDestroy(stack, keep)).toEqual([]);
  } finally {
    await stack.world.stop();
  }
}

/** A destroy with the case's fault (it must fire), then a destroy without faults: nothing is left. */
async function destroyInterruptedThenAgain({ placed, arm, fired }: Interruption): Promise<void> {
  const stack = await startStack();
  try {
    expect((await stack.rehearsal.up()).errors, stack.lines.join("\n")).toEqual([]);
    const keep = retained(stack);
    arm(stack);
    const interrupted = await stack.rehearsal.destroy();
    expect(fired(stack), stack.lines.join("\n")).toBe(true);
    tally(interrupted, placed);
    const again = await stack.rehearsal.destroy();
    expect(again.errors, stack.lines.join("\n")).toEqual([]);
    expect(loadState(stack.stateFile).resources).toEqual([]);
    expect(leftoversAfterDestroy(stack, keep)).toEqual([]);
    expectNoSecrets(stack, [interrupted, again]);
  } finally {
    await stack.world.stop();
  }
}

afterAll(() => {
  // Figures for docs/reliability.md.
  console.log(
    `crash-converge: ${CREATE_FAULTS.length} + ${CREATE_REQUESTS} create faults, ` +
      `${DESTROY_FAULTS.length} + ${DESTROY_REQUESTS} destroy faults; ` +
      `create issues ${baseline?.createStatements.length} requests, destroy ${baseline?.destroyStatements.length}; ` +
      `interrupted runs failed / completed: by text ${outcomes.text.failed} / ${outcomes.text.completed}, ` +
      `by number ${outcomes.number.failed} / ${outcomes.number.completed}`,
  );
});

/**
 * A CREATE whose reply is lost during a MiLink up: SQL Server runs the statement, then the connection
 * drops before it answers. The up fails with the resource recorded as partially created and owned by
 * the stack; the next up finishes it (the object counts as created, not adopted), and destroy then
 * leaves nothing behind: no object of the stack is orphaned on SQL Server. No secret is left in clear in
 * the state of the partially created resource.
 */
import { describe, expect, it } from "vitest";
import { loadState } from "../../src/testing/rehearsal/state";
import { buildIfStale } from "../support/build";
import { plaintextPaths, type WireValue } from "../support/wire";
import { leftoversAfterDestroy, retained, startStack } from "./support/stack";

/** The statement whose reply is lost, and the dynamic resource type that sends it. */
const CASES = [
  { statement: /^CREATE MASTER KEY/, type: ":MasterKey" },
  { statement: /^CREATE ENDPOINT/, type: ":MirroringEndpoint" },
  { statement: /^CREATE AVAILABILITY GROUP \[DAG_Sales\]/, type: ":DistributedAvailabilityGroup" },
];

describe("a CREATE whose reply is lost during up", () => {
  it.each(CASES.map((c) => [c.statement.source, c] as const))(
    "%s: the re-run finishes it as the stack's, destroy leaves no leftover",
    async (_label, { statement, type }) => {
      await buildIfStale();
      const stack = await startStack();
      try {
        stack.world.sql.tds.addFault({ on: { match: statement }, action: "run-then-drop" });
        const interrupted = await stack.rehearsal.up();
        expect(interrupted.errors.join("\n")).toContain("reply to CREATE was lost");
        const partial = loadState(stack.stateFile).resources.find(
          (r) => r.kind === "dynamic" && r.type.endsWith(type) && (r.initErrors?.length ?? 0) > 0,
        );
        expect(partial?.outputs, "kept as partially created, owned by the stack").toMatchObject({
          adopted: false,
          createOutcomeUnknown: true,
        });
        // The partial resource's properties hold the inputs: secrets stay marked in the state.
        const state = loadState(stack.stateFile) as unknown as WireValue;
        expect(plaintextPaths(state, stack.secrets)).toEqual([]);

        const again = await stack.rehearsal.up();
        expect(again.errors, stack.lines.join("\n")).toEqual([]);
        const finished = loadState(stack.stateFile).resources.filter(
          (r) => r.kind === "dynamic" && r.type.endsWith(type),
        );
        expect(finished.length).toBeGreaterThan(0);
        for (const record of finished) {
          expect(record.outputs.adopted, record.name).toBe(false);
          expect(record.outputs.createOutcomeUnknown ?? false, record.name).toBe(false);
          expect(record.initErrors, record.name).toBeUndefined();
        }

        const keep = retained(stack);
        expect((await stack.rehearsal.destroy()).errors).toEqual([]);
        expect(leftoversAfterDestroy(stack, keep)).toEqual([]);
      } finally {
        await stack.world.stop();
      }
    },
    180_000,
  );
});

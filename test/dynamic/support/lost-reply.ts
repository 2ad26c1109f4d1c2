/**
 * The lifecycle of a resource whose CREATE ran on SQL Server but whose reply was lost: the
 * emulator runs the statement and drops the connection unanswered, the provider's create fails
 * carrying the resource's id (a partially created resource, as the engine records it), the next
 * up updates it, and the outputs say the stack created it, so destroy drops it. With
 * `fault: "run-then-error"`, the reply comes back as an SQL error after the CREATE ran (a later
 * statement of the same request failed): the same outcome is expected.
 */
import { expect } from "vitest";
import type { SqlServerEmulator } from "../../../src/testing/sqlserver";
import { destroy, up, type ResourceState } from "../../support/engine-steps";
import { ProviderHostError, type ProviderHost } from "../../support/provider-host";
import type { WireMap } from "../../support/wire";

export interface LostReplyCase {
  host: ProviderHost;
  emulator: SqlServerEmulator;
  urn: string;
  inputs: () => Record<string, unknown>;
  /** The CREATE statement whose reply is lost. */
  createStatement: RegExp;
  /** Whether the object is in the emulator's catalog. */
  exists: () => boolean | Promise<boolean>;
  additionalSecretOutputs?: string[];
  /** How the reply goes wrong. Default "run-then-drop" (the connection drops unanswered). */
  fault?: "run-then-drop" | "run-then-error";
  /** Further checks once the next up finished the resource (before destroy). */
  whenFinished?: () => void | Promise<void>;
}

export interface LostReplyRun {
  /** The host's error for the create whose reply was lost. */
  createError: ProviderHostError;
  /** The partially created resource as the engine keeps it. */
  partial: ResourceState;
  /** The op of the next up and the state it left. */
  rerun: { op: string; state: ResourceState };
}

/** Runs the lifecycle, asserting each step against the catalog; returns what it saw. */
export async function lostReplyLifecycle(c: LostReplyCase): Promise<LostReplyRun> {
  const options = { additionalSecretOutputs: c.additionalSecretOutputs ?? [] };
  c.emulator.tds.clearFaults();
  const fault = c.fault ?? "run-then-drop";
  c.emulator.tds.addFault({ on: { match: c.createStatement }, action: fault });
  const createError = await up(c.host, c.urn, c.inputs(), undefined, options).then(
    () => undefined,
    (error: unknown) => error,
  );
  c.emulator.tds.clearFaults();
  expect(createError, "create fails when its reply is lost").toBeInstanceOf(ProviderHostError);
  const failure = (createError as ProviderHostError).initFailure;
  expect(failure?.id, "the failure carries the resource's id (partially created)").toBeTruthy();
  expect(failure?.properties).toMatchObject({ adopted: false, createOutcomeUnknown: true });
  expect(failure?.reasons.join(" ")).toContain(
    fault === "run-then-drop" ? "reply to CREATE was lost" : "was created before the request failed",
  );
  expect(await c.exists(), "the lost statement ran").toBe(true);

  const checked = await c.host.check(c.urn, {}, c.inputs());
  const partial: ResourceState = {
    urn: c.urn,
    id: failure!.id,
    inputs: checked.state,
    outputs: failure!.properties as WireMap,
    ...(c.additionalSecretOutputs ? { additionalSecretOutputs: c.additionalSecretOutputs } : {}),
    initErrors: failure!.reasons,
  };
  const rerun = await up(c.host, c.urn, c.inputs(), partial, options);
  expect(rerun.op, "the next up finishes the partially created resource").toBe("update");
  expect(rerun.state.outputs.adopted, "the stack created it: not adopted").toBe(false);
  expect(rerun.state.outputs.createOutcomeUnknown ?? false).toBe(false);
  expect(await c.exists()).toBe(true);
  await c.whenFinished?.();

  const again = await up(c.host, c.urn, c.inputs(), rerun.state, options);
  expect(again.op, "once finished, the resource is stable").toBe("same");

  await destroy(c.host, rerun.state);
  expect(await c.exists(), "destroy drops what the stack created").toBe(false);
  return { createError: createError as ProviderHostError, partial, rerun };
}

/**
 * An exact `diff` for dynamic resources: which input changes replace the SQL
 * Server object, which update it in place, and which (connection settings,
 * credentials, the provider's own code) only refresh what Pulumi stores, so
 * that `update` sends no SQL for them.
 */
import { isUnknown } from "./check";

export interface DiffSpec {
  /** Inputs whose change means a new object (delete + create). */
  replaceOn: readonly string[];
  /**
   * Inputs whose change means a new object too, unless the new value is unknown: another resource's
   * output, unknown in a preview of that resource's update, which may keep it. The preview then plans
   * an update, and the run's own diff, with the value known, decides. Default none.
   */
  replaceOnKnownChange?: readonly string[];
  /**
   * Of `replaceOnKnownChange`, the inputs whose first value, absent from the previous state (a stack
   * made before the input existed), is recorded by an update rather than a replacement. Default none.
   */
  recordedFirst?: readonly string[];
  /** Delete the old object before creating the new one (same name on SQL Server). Default true. */
  deleteBeforeReplace?: boolean;
}

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Every changed input, for `update` to decide what SQL (if any) to send. */
  changed: string[];
}

/**
 * Compares the inputs in `news` with the same keys of the previous state `olds`
 * (which also holds outputs). A key dropped from the inputs counts as changed
 * when it is one of `replaceOn` or `replaceOnKnownChange`.
 */
export function diffInputs(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  spec: DiffSpec,
): DiffOutcome {
  const { isDeepStrictEqual } = require("node:util") as typeof import("node:util");
  const replaceOnKnownChange = spec.replaceOnKnownChange ?? [];
  const replacing = [...spec.replaceOn, ...replaceOnKnownChange];
  const keys = new Set([...Object.keys(news), ...replacing.filter((key) => key in olds)]);
  const changed = [...keys].filter((key) => !isDeepStrictEqual(normalize(olds[key]), normalize(news[key])));
  const recordedFirst = spec.recordedFirst ?? [];
  const replaces = changed.filter(
    (key) =>
      spec.replaceOn.includes(key) ||
      (replaceOnKnownChange.includes(key) &&
        !isUnknown(news[key]) &&
        !(recordedFirst.includes(key) && normalize(olds[key]) === undefined)),
  );
  return {
    changes: changed.length > 0,
    replaces,
    deleteBeforeReplace: spec.deleteBeforeReplace ?? true,
    changed,
  };
}

/** `undefined` and absent are the same input; so are `null` and absent. */
function normalize(value: unknown): unknown {
  return value === null ? undefined : value;
}

/**
 * Readable progress of a rehearsal run: one line per resource step, then a summary.
 *
 *   + create    mi-link:MasterKey                  sales-master-key  (0.2s)
 *   ~ update    azure-native:sql:ServerTrustCertificate  sales-trust  (1.1s)
 *   - delete    mi-link:MasterKey                  sales-master-key  (0.1s)
 *   ✗ create    mi-link:MasterKey                  sales-master-key  (0.1s)  <error>
 */
import type { StepEvent, StepOp } from "./protocol";

const SYMBOLS: Record<StepOp, string> = {
  create: "+",
  update: "~",
  replace: "+-",
  same: "=",
  delete: "-",
  "delete-replaced": "--",
  read: " ",
  drift: "~",
  gone: "-",
};

/** `pulumi-nodejs:dynamic/mi-link:MasterKey` → `mi-link:MasterKey`. */
export function displayType(type: string): string {
  return type.replace(/^pulumi-nodejs:dynamic\//, "").replace(/^pulumi-nodejs:dynamic:/, "dynamic:");
}

export function formatStep(event: StepEvent): string {
  const symbol = event.error ? "✗" : SYMBOLS[event.op];
  const line =
    `${symbol.padEnd(2)} ${event.op.padEnd(8)} ${displayType(event.type).padEnd(44)} ` +
    `${event.name}  (${event.seconds.toFixed(1)}s)`;
  return event.error ? `${line}\n     ${event.error.split("\n").join("\n     ")}` : line;
}

/** Counts of steps by operation, for custom resources (what a provider actually did). */
export type StepCounts = Record<StepOp, number>;

export function countSteps(events: StepEvent[]): StepCounts {
  const counts = Object.fromEntries(Object.keys(SYMBOLS).map((op) => [op, 0])) as StepCounts;
  for (const event of events) if (event.custom && !event.error) counts[event.op] += 1;
  return counts;
}

export function formatSummary(
  operation: string,
  counts: StepCounts,
  seconds: number,
  errors: string[],
): string {
  const parts = (Object.keys(counts) as StepOp[])
    .filter((op) => counts[op] > 0)
    .map((op) => `${counts[op]} ${op === "same" ? "unchanged" : op === "read" ? "in sync" : op}`);
  const status =
    errors.length > 0 ? `failed (${errors.length} error${errors.length > 1 ? "s" : ""})` : "done";
  return `${operation} ${status} in ${seconds.toFixed(1)}s: ${parts.join(", ") || "no resources"}`;
}

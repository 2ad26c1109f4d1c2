/**
 * The rehearsal's stack state: one record per resource URN, kept in a JSON file between runs (written after
 * every step, so an interrupted run leaves what it did). Secrets stay in wire form (`{ "4dabf1…": …, value }`)
 * as in a Pulumi checkpoint, so the file never holds a secret marked as plain.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { WireMap, WireValue } from "./wire";

export type ResourceKind = "dynamic" | "azure-native" | "component" | "provider";

export interface ResourceRecord {
  urn: string;
  type: string;
  name: string;
  kind: ResourceKind;
  /** Provider id ("" for components). */
  id: string;
  /** Checked inputs (secrets marked). */
  inputs: WireMap;
  /** Outputs (secrets marked); for dynamic resources they carry `__provider`. */
  outputs: WireMap;
  parent?: string;
  /** URNs this resource depends on (`dependsOn` and the resources its inputs came from). */
  dependencies: string[];
  additionalSecretOutputs?: string[];
  /** The `replacementTrigger` option's last value: a different one replaces the resource. */
  replacementTrigger?: WireValue;
  /** Set on a partially created resource: why it failed; the next up updates it. */
  initErrors?: string[];
}

export interface StackState {
  version: 1;
  resources: ResourceRecord[];
  /**
   * Originals of replaced resources not deleted yet (the engine's `delete: true` records): an up deletes
   * them after all its other steps; one that failed before leaves them for the next up to delete first.
   */
  pendingDeletes?: ResourceRecord[];
}

export function emptyState(): StackState {
  return { version: 1, resources: [] };
}

export function loadState(file: string): StackState {
  if (!fs.existsSync(file)) return emptyState();
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as StackState;
  if (parsed.version !== 1 || !Array.isArray(parsed.resources)) {
    throw new Error(`${file} is not a rehearsal state file (version 1)`);
  }
  return parsed;
}

/** Writes through a temporary file and a rename, so a crash never leaves half a file. */
export function saveState(file: string, state: StackState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(state, null, 2));
  fs.renameSync(temporary, file);
}

/**
 * The records in an order where every resource comes after its parent and its dependencies (the order
 * they can be created in); reverse it to delete dependents first. Unknown URNs are ignored; cycles (which
 * the engine would refuse) fall back to file order.
 */
export function dependencyOrder(records: ResourceRecord[]): ResourceRecord[] {
  const byUrn = new Map(records.map((r) => [r.urn, r]));
  const ordered: ResourceRecord[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (record: ResourceRecord) => {
    if (state.get(record.urn)) return;
    state.set(record.urn, "visiting");
    for (const urn of [record.parent, ...record.dependencies]) {
      const before = urn ? byUrn.get(urn) : undefined;
      if (before && !state.get(before.urn)) visit(before);
    }
    state.set(record.urn, "done");
    ordered.push(record);
  };
  records.forEach(visit);
  return ordered;
}

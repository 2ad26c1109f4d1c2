/**
 * What a distributed availability group's link looks like right now, derived
 * from the stored state and the clock: connection, seeding, synchronization,
 * roles and LSNs. The catalog views and the partner view both read this, so
 * the SQL Server DMVs and the emulated MI always agree.
 */
import type { SynchronizationState } from "./partner";
import type { ModelContext } from "./context";
import type { AvailabilityGroupState, DatabaseState, DistributedGroupState, GroupState } from "./state";

export interface LinkView {
  connected: boolean;
  seedingState: "PENDING" | "SEEDING" | "COMPLETED" | "FAILED";
  seedingProgressPercent: number;
  /** Both sides commit synchronously: the SQL Server DAG's members and the MI's replication mode. */
  synchronousCommit: boolean;
  splitBrain: boolean;
  /** State of the secondary database (the primary's is derived from it). */
  secondaryState: SynchronizationState;
  sqlServerLsn: bigint;
  managedInstanceLsn: bigint;
  database?: DatabaseState;
}

/** The database the DAG replicates on this instance: the local member AG's database. */
export function localDatabase(m: ModelContext, dag: DistributedGroupState): DatabaseState | undefined {
  const ag = m.availabilityGroup(dag.localAgName);
  const name = ag?.databases[0]?.name;
  return name ? m.database(name) : undefined;
}

/** Finds each DAG's local database (same answer as localDatabase). */
export type LocalDatabaseLookup = (dag: DistributedGroupState) => DatabaseState | undefined;

/**
 * Groups and databases indexed by name for one pass (a clock tick, one catalog view), answering
 * as m.group / m.database would (first match by sameName), instead of a scan per lookup, which
 * made a pass over n links O(n²). Valid only while no group, database or AG membership changes:
 * callers build it after their last such change and drop it when the pass ends.
 */
export class NameIndex {
  private readonly groups: Map<string, GroupState>;
  private readonly databases: Map<string, DatabaseState>;

  constructor(private readonly m: ModelContext) {
    this.groups = firstByName(m, m.state.groups);
    this.databases = firstByName(m, m.state.databases);
  }

  availabilityGroup(name: string): AvailabilityGroupState | undefined {
    const g = this.groups.get(this.m.nameKey(name));
    return g?.kind === "AG" ? g : undefined;
  }

  database(name: string): DatabaseState | undefined {
    return this.databases.get(this.m.nameKey(name));
  }

  /** localDatabase, from the index. */
  readonly localDatabase: LocalDatabaseLookup = (dag) => {
    const name = this.availabilityGroup(dag.localAgName)?.databases[0]?.name;
    return name ? this.database(name) : undefined;
  };
}

/** localDatabase for every DAG of one pass (see NameIndex for when it stays valid). */
export function localDatabaseIndex(m: ModelContext): LocalDatabaseLookup {
  return new NameIndex(m).localDatabase;
}

/** Name → first item with that name, as Array.find with sameName would return. */
function firstByName<T extends { name: string }>(m: ModelContext, items: readonly T[]): Map<string, T> {
  const index = new Map<string, T>();
  for (const item of items) {
    const key = m.nameKey(item.name);
    if (!index.has(key)) index.set(key, item);
  }
  return index;
}

/** `;Database=[name]` in the MI member's LISTENER_URL (MI as initial primary). */
export function databaseFromListenerUrl(url: string): string | undefined {
  const match = /;\s*Database\s*=\s*(?:\[((?:[^\]]|\]\])*)\]|([^;]+))/i.exec(url);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\]\]/g, "]") : match[2].trim();
}

export function synchronousCommit(dag: DistributedGroupState): boolean {
  const localConfig = dag.members.every((mb) => mb.availabilityMode === "SYNCHRONOUS_COMMIT");
  const remote = dag.link.remoteAvailabilityMode;
  return localConfig && (remote === undefined || remote === "SYNCHRONOUS_COMMIT");
}

/** A full log (100% used) on SQL Server as primary stops replication until space is freed (mi-link.md §5). */
export function logFull(
  m: ModelContext,
  dag: DistributedGroupState,
  local: LocalDatabaseLookup = (g) => localDatabase(m, g),
): boolean {
  return dag.localRole === "PRIMARY" && (local(dag)?.logUsePercent ?? 0) >= 100;
}

/** The secondary receives and hardens log. */
export function receiving(
  m: ModelContext,
  dag: DistributedGroupState,
  local: LocalDatabaseLookup = (g) => localDatabase(m, g),
): boolean {
  const l = dag.link;
  return (
    l.connectedAt !== undefined &&
    l.seeding === "COMPLETED" &&
    !l.held &&
    dag.localRole !== dag.remoteRole &&
    !logFull(m, dag, local)
  );
}

export function synchronizedAt(
  m: ModelContext,
  dag: DistributedGroupState,
  local: LocalDatabaseLookup = (g) => localDatabase(m, g),
): number | undefined {
  if (!receiving(m, dag, local) || !synchronousCommit(dag) || dag.link.syncClockStart === undefined)
    return undefined;
  return dag.link.syncClockStart + m.timings.syncMs;
}

export function linkView(
  m: ModelContext,
  dag: DistributedGroupState,
  local: LocalDatabaseLookup = (g) => localDatabase(m, g),
): LinkView {
  const l = dag.link;
  const now = m.now();
  const connected = l.connectedAt !== undefined;
  const seedingState = l.seeding === "NONE" ? "PENDING" : l.seeding;
  let seedingProgressPercent = 0;
  if (l.seeding === "COMPLETED") seedingProgressPercent = 100;
  else if (l.seeding === "SEEDING" && l.seedingStartedAt !== undefined) {
    const p = ((now - l.seedingStartedAt) / Math.max(1, m.timings.seedingMs)) * 100;
    seedingProgressPercent = Math.max(0, Math.min(99, Math.floor(p)));
  }
  const splitBrain = dag.localRole === "PRIMARY" && dag.remoteRole === "PRIMARY";
  const sync = synchronousCommit(dag);
  let secondaryState: SynchronizationState = "NOT SYNCHRONIZING";
  const stalled = l.held || logFull(m, dag, local);
  if (
    receiving(m, dag, local) ||
    (connected && l.seeding === "COMPLETED" && stalled && !splitBrain && dag.localRole !== dag.remoteRole)
  ) {
    const at = synchronizedAt(m, dag, local);
    secondaryState = at !== undefined && now >= at ? "SYNCHRONIZED" : "SYNCHRONIZING";
  }
  const database = local(dag);
  return {
    connected,
    seedingState,
    seedingProgressPercent,
    synchronousCommit: sync,
    splitBrain,
    secondaryState,
    sqlServerLsn: BigInt(database?.lsn ?? "0"),
    managedInstanceLsn: BigInt(l.remoteLsn),
    database,
  };
}

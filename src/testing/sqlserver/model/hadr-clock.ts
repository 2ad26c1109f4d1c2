/**
 * Moves HADR state forward in time: remote connection after connectMs,
 * automatic seeding over seedingMs, the emulated workload writing log every
 * lsnTickMs on each primary, and the secondary hardening it. Called lazily
 * before every read and by the instance's timer, so fake and real clocks
 * both work and a restored state resumes where it stopped.
 */
import type { ModelContext } from "./context";
import { addDatabase } from "./databases";
import { lsnAdd, lsnMax, LSN_STEP } from "./lsn";
import {
  databaseFromListenerUrl,
  localDatabase,
  localDatabaseIndex,
  type LocalDatabaseLookup,
  receiving,
  synchronizedAt,
  synchronousCommit,
} from "./hadr-status";
import type { DistributedGroupState } from "./state";

function startSeeding(m: ModelContext, dag: DistributedGroupState, at: number): void {
  const l = dag.link;
  l.seedingAttempts++;
  l.seedingStartedAt = at;
  l.seeding = "SEEDING";
  l.seedingFailure = undefined;
  if (dag.remoteRole === "PRIMARY" && dag.localRole === "SECONDARY" && !localDatabase(m, dag)) {
    const ag = m.availabilityGroup(dag.localAgName);
    const mi = dag.members.find((mb) => m.sameName(mb.agName, dag.remoteAgName));
    const name = mi ? databaseFromListenerUrl(mi.listenerUrl) : undefined;
    if (!ag || !name || !ag.createAnyDatabase || m.database(name)) {
      l.seeding = "FAILED";
      l.seedingFailure = !name
        ? "The managed instance member's LISTENER_URL names no database (;Database=[...])."
        : m.database(name)
          ? `Database '${name}' already exists on this instance.`
          : `The availability group '${dag.localAgName}' has not been granted CREATE ANY DATABASE.`;
      return;
    }
    // Automatic seeding creates the secondary database, RESTORING until seeding completes.
    const db = addDatabase(m, name, { recoveryModel: "FULL", state: "RESTORING", lsn: "0" });
    db.workload = false;
    ag.databases.push({ name: db.name, groupDatabaseId: m.newGuid() });
  }
}

function completeSeeding(m: ModelContext, dag: DistributedGroupState, at: number): void {
  const l = dag.link;
  l.seeding = "COMPLETED";
  l.seedingCompletedAt = at;
  l.syncClockStart = at;
  const db = localDatabase(m, dag);
  if (dag.localRole === "PRIMARY") {
    l.remoteLsn = db?.lsn ?? l.remoteLsn;
  } else if (db) {
    db.lsn = l.remoteLsn;
    db.state = "ONLINE";
    db.chainFullBackupLsn = db.chainFullBackupLsn ?? l.remoteLsn;
  }
}

/** Number SQL Server logs when a mirroring endpoint stops under a connected replica (reference §2). */
export const ENDPOINT_STOPPED = 35204;

/**
 * The MI reaches SQL Server through its mirroring endpoint: while the endpoint is not STARTED the
 * remote replica is DISCONNECTED; once it is started again the MI reconnects after connectMs.
 */
function followEndpoint(m: ModelContext, dag: DistributedGroupState, now: number): void {
  const l = dag.link;
  if (!l.joined) return;
  const up = m.state.endpoint?.state === "STARTED";
  if (!up && l.connectRequestedAt !== undefined) {
    l.connectRequestedAt = undefined;
    l.connectedAt = undefined;
    if (l.seeding === "SEEDING") l.seeding = "PENDING";
    l.lastConnectError = {
      number: ENDPOINT_STOPPED,
      description: "The database mirroring endpoint on SQL Server is not started or does not exist.",
      timestamp: now,
    };
  } else if (up && l.connectRequestedAt === undefined) {
    l.connectRequestedAt = now;
  }
}

function advancePhases(m: ModelContext, dag: DistributedGroupState, now: number): void {
  const l = dag.link;
  followEndpoint(m, dag, now);
  if (l.joined && l.connectRequestedAt !== undefined && l.connectedAt === undefined) {
    const at = l.connectRequestedAt + m.timings.connectMs;
    if (now >= at) {
      l.connectedAt = at;
      if (l.seeding === "COMPLETED") l.syncClockStart = at;
      else if (l.seeding === "NONE" || l.seeding === "PENDING") startSeeding(m, dag, at);
    }
  }
  if (l.seeding === "SEEDING" && l.connectedAt !== undefined && l.seedingStartedAt !== undefined) {
    const at = l.seedingStartedAt + m.timings.seedingMs;
    if (now >= at) completeSeeding(m, dag, at);
  }
}

/** Names of the databases a link replicates into this instance: the local workload does not write them. */
function linkSecondaries(m: ModelContext, local: LocalDatabaseLookup): Set<string> {
  const names = new Set<string>();
  for (const g of m.state.groups) {
    if (g.kind !== "DAG" || g.localRole !== "SECONDARY") continue;
    const db = local(g);
    if (db) names.add(db.name);
  }
  return names;
}

function advanceLog(m: ModelContext, now: number, local: LocalDatabaseLookup): void {
  const tick = Math.max(1, m.timings.lsnTickMs);
  const ticks = Math.floor((now - m.state.lastTickAt) / tick);
  if (ticks <= 0) return;
  m.state.lastTickAt += ticks * tick;
  const advanced = new Set<string>();
  const secondaries = linkSecondaries(m, local);
  for (const db of m.state.databases) {
    // A full log refuses writes (error 9002): the workload stalls until a log backup frees space.
    if (db.system || db.state !== "ONLINE" || !db.workload || db.logUsePercent >= 100) continue;
    if (secondaries.has(db.name)) continue;
    db.lsn = lsnAdd(db.lsn, ticks);
    advanced.add(db.name);
  }
  for (const g of m.state.groups) {
    if (g.kind !== "DAG") continue;
    const db = local(g);
    let remoteAdvanced = false;
    if (g.remoteRole === "PRIMARY" && g.link.remoteWorkload && g.link.joined) {
      g.link.remoteLsn = lsnAdd(g.link.remoteLsn, ticks);
      remoteAdvanced = true;
    }
    if (!db || !receiving(m, g, local)) continue;
    // Synchronous commit hardens on the secondary before the commit; asynchronous trails one block while writing.
    const sync = synchronousCommit(g);
    if (g.localRole === "PRIMARY") {
      const lag = !sync && advanced.has(db.name) ? LSN_STEP : 0n;
      g.link.remoteLsn = lsnMax(g.link.remoteLsn, (BigInt(db.lsn) - lag).toString());
    } else {
      const lag = !sync && remoteAdvanced ? LSN_STEP : 0n;
      db.lsn = lsnMax(db.lsn, (BigInt(g.link.remoteLsn) - lag).toString());
    }
  }
}

/** A catch-up when nothing is being written: an asynchronous secondary hardens the primary's last block. */
function catchUpIdle(m: ModelContext, local: LocalDatabaseLookup): void {
  for (const g of m.state.groups) {
    if (g.kind !== "DAG" || !receiving(m, g, local)) continue;
    const db = local(g);
    if (!db) continue;
    if (g.localRole === "PRIMARY" && !db.workload) g.link.remoteLsn = lsnMax(g.link.remoteLsn, db.lsn);
    if (g.localRole === "SECONDARY" && !g.link.remoteWorkload) db.lsn = lsnMax(db.lsn, g.link.remoteLsn);
  }
}

export function advance(m: ModelContext): void {
  const now = m.now();
  for (const g of m.state.groups) if (g.kind === "DAG") advancePhases(m, g, now);
  // Seeding (above) may add databases; from here on only LSNs change, so one index serves both passes.
  const local = localDatabaseIndex(m);
  advanceLog(m, now, local);
  catchUpIdle(m, local);
}

/** The next instant a link changes phase on its own (for the change-event timer). */
export function nextDeadline(m: ModelContext): number | undefined {
  const now = m.now();
  const candidates: number[] = [];
  const local = localDatabaseIndex(m);
  for (const g of m.state.groups) {
    if (g.kind !== "DAG") continue;
    const l = g.link;
    if (l.joined && l.connectRequestedAt !== undefined && l.connectedAt === undefined) {
      candidates.push(l.connectRequestedAt + m.timings.connectMs);
    }
    if (l.seeding === "SEEDING" && l.seedingStartedAt !== undefined)
      candidates.push(l.seedingStartedAt + m.timings.seedingMs);
    const at = synchronizedAt(m, g, local);
    if (at !== undefined && at > now) candidates.push(at);
  }
  const future = candidates.filter((c) => c >= now);
  return future.length ? Math.min(...future) : undefined;
}

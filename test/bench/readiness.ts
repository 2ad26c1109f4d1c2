/**
 * Readiness detection: how long after the link reaches the awaited state on the emulator the LinkReadiness
 * provider's create returns. Each trial creates one link by the runbook (AG, DAG, link in Azure), waits a
 * random 0-1 s (so the provider's polls fall at a random phase of the transition), then runs the provider's
 * create (the package's compiled implementation, in this process, as the provider host would) with
 * MiLink's default level, SYNCHRONIZING, while a watcher reads the emulator's model every 5 ms to stamp the
 * moment the state is reached.
 *
 * The emulator's link only reaches SYNCHRONIZED in synchronous commit; MiLink waits for SYNCHRONIZING by
 * default (asynchronous commit), so that is the transition measured. The provider's code path is the same
 * for either level.
 */
import { startLocalWorld, type LocalWorld } from "pulumi-mi-link/testing";
import { linkReadinessOperations } from "pulumi-mi-link/dist/dynamic/link-readiness.js";
import { LINK_STATE_QUERY } from "pulumi-mi-link/dist/tsql/queries/link-state.js";
import { openRunbookSession } from "./baseline";
import { benchDatabaseNames } from "./names";

export interface ReadinessDetection {
  trials: number;
  p50: number;
  p95: number;
  max: number;
  /** The highest rate of link-state queries of one link while it waited (polls after the first / seconds). */
  queriesPerSecond: number;
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

/** Resolves with the time (ms since epoch) the emulator first shows the link CONNECTED and SYNCHRONIZING. */
function watchTransition(world: LocalWorld, dagName: string): { reached: Promise<number>; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const reached = new Promise<number>((resolve) => {
    const look = () => {
      const status = world.sql.model.partner.linkStatus(dagName);
      const state = status?.synchronizationState;
      if (status?.connected && (state === "SYNCHRONIZING" || state === "SYNCHRONIZED")) resolve(Date.now());
      else timer = setTimeout(look, 5);
    };
    look();
  });
  return { reached, stop: () => clearTimeout(timer) };
}

export async function measureReadinessDetection(trials: number): Promise<ReadinessDetection> {
  const databases = benchDatabaseNames(trials);
  const world = await startLocalWorld({ databases, armOperationMs: 20, seedingSeconds: 0.5 });
  const session = await openRunbookSession(world);
  const delays: number[] = [];
  let maxRate = 0;
  try {
    await session.prepareServer();
    const { sql } = world.info;
    for (const database of databases) {
      const dagName = await session.createLink(database);
      const watcher = watchTransition(world, dagName);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
      world.sql.tds.resetCounters();
      const started = Date.now();
      await linkReadinessOperations.create({
        connection: { host: sql.host, port: sql.port, user: sql.user, trustServerCertificate: true },
        password: sql.password,
        dagName,
        database,
      });
      const returned = Date.now();
      const reached = await Promise.race([watcher.reached, Promise.resolve(returned)]);
      watcher.stop();
      delays.push(Math.max(0, returned - reached) / 1000);
      // Polls after the first, over the time waited: at most one per interval.
      const polls = world.sql.tds.requestLog().filter((entry) => entry.text === LINK_STATE_QUERY).length;
      const waited = (returned - started) / 1000;
      if (waited >= 1) maxRate = Math.max(maxRate, (polls - 1) / waited);
    }
  } finally {
    await session.close();
    await world.stop();
  }
  const sorted = [...delays].sort((a, b) => a - b);
  return {
    trials,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1],
    queriesPerSecond: Number(maxRate.toFixed(2)),
  };
}

/**
 * End to end and SQL round trips: the SQL Server → MI example (examples/sqlserver-to-mi) rehearsed against
 * the emulators (`Rehearsal`: dynamic resources through the real provider host, azure-native resources
 * against the ARM emulator), with added latency per round trip and a fixed duration per Azure long-running
 * operation. Every size gets a fresh pair of emulators; the sequential baseline too.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  Rehearsal,
  startLocalWorld,
  type LocalWorld,
  type ProviderHostStart,
  type RunReport,
} from "pulumi-mi-link/testing";
import type { SqlRequestLogEntry } from "pulumi-mi-link/testing";
import { exampleRehearsal, exampleConfig } from "pulumi-mi-link/dist/testing/demo.js";
import { getSqlServerInfo } from "pulumi-mi-link/dist/components/sql-server-info.js";
import { LINK_STATE_QUERY } from "pulumi-mi-link/dist/tsql/queries/link-state.js";
import { ENDPOINT_AND_LINK_CONNECTIONS_QUERY } from "pulumi-mi-link/dist/tsql/queries/endpoint-and-link-connections.js";
import { parseBatch } from "pulumi-mi-link/dist/testing/sqlserver/tsql/parser.js";
import { productStatements } from "../dynamic/support/availability-groups";
import { runSequentialBaseline } from "./baseline";
import { benchDatabaseNames } from "./names";

const packageRoot = path.resolve(__dirname, "..", "..");

export interface WorldTimings {
  /** Added to every SQL and ARM round trip. */
  latencyMs: number;
  /** Duration of each Azure long-running operation. */
  armOperationMs: number;
}

export interface EndToEnd {
  databases: number;
  /** The median of `runs.seconds`. */
  seconds: number;
  /**
   * Of `seconds`, the time until MiLink registers its children: the rehearsal's process start, loading the
   * SDK and the program, and the preflight lookup (the median over the runs).
   */
  startupSeconds: number;
  /** The median of `runs.sequentialBaselineSeconds`. */
  sequentialBaselineSeconds: number;
  /** Every run, in order; MiLink's and the baseline's alternate, each in a fresh world. */
  runs: { seconds: number[]; startupSeconds: number[]; sequentialBaselineSeconds: number[] };
  /**
   * Every size but the smallest: MiLink's create with the dynamic-provider host started when the first dynamic
   * resource needs it, as the Pulumi engine starts a provider plugin (the rehearsal's default starts it
   * with the program). The median, and every run (each alternating with the runs above).
   */
  hostOnFirstUse?: { seconds: number; runs: number[] };
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface RoundTrips {
  /**
   * The lookup's requests (round trips) and the T-SQL statements they carry: one request may be a
   * batch of several SELECTs, so both are reported.
   */
  preflight: {
    connections: number;
    requests: number;
    statements: number;
    requestsWithOneDatabase: number;
    statementsWithOneDatabase: number;
  };
  createPerDatabase: number;
  /** Statements of the second `up` beyond the preflight's. */
  secondUp: number;
  refreshPerResource: number;
  destroyPerDatabase: number;
}

function newWorld(databases: string[], timings: WorldTimings): Promise<LocalWorld> {
  return startLocalWorld({
    databases,
    latencyMs: timings.latencyMs,
    armOperationMs: timings.armOperationMs,
    seedingSeconds: 0.2,
  });
}

function rehearsalFor(
  world: LocalWorld,
  databases: string[],
  stateFile: string,
  onLine: (line: string) => void = () => undefined,
  providerHostStart: ProviderHostStart = "withProgram",
): Rehearsal {
  return exampleRehearsal(world, {
    program: path.join(packageRoot, "examples", "sqlserver-to-mi"),
    stateFile,
    project: "mi-link-bench",
    config: exampleConfig(world, databases),
    print: onLine,
    providerHostStart,
  });
}

function ensureOk(report: RunReport, what: string): RunReport {
  if (!report.ok) throw new Error(`${what} failed: ${report.errors.join("; ")}`);
  return report;
}

/** Statements the product sent (not the driver's session SET batch or pool validation). */
function statements(log: SqlRequestLogEntry[]): SqlRequestLogEntry[] {
  return productStatements(log);
}

/**
 * Statements without the waiting polls: every link-state query (the links' readiness) after each
 * link's first, and every observation of the certificate check (one request for all the component's
 * links) after its first.
 */
function withoutPolls(log: SqlRequestLogEntry[], links: number): number {
  const all = statements(log);
  const count = (text: string) => all.filter((entry) => entry.text === text).length;
  const linkStatePolls = Math.max(0, count(LINK_STATE_QUERY) - links);
  const checkPolls = Math.max(0, count(ENDPOINT_AND_LINK_CONNECTIONS_QUERY) - 1);
  return all.length - linkStatePolls - checkPolls;
}

/** The T-SQL statements of requests, as the SQL Server emulator's parser splits each one. */
function statementsCarried(log: SqlRequestLogEntry[]): number {
  // Batches and sp_executesql log their text; an RPC by procedure name logs the name alone: one call.
  return log.reduce(
    (sum, entry) => sum + (/\s/.test(entry.text.trim()) ? parseBatch(entry.text).length : 1),
    0,
  );
}

/** getSqlServerInfo, what MiLink runs before registering anything: connections, requests, statements. */
async function measurePreflight(world: LocalWorld, databases: string[]): Promise<RoundTrips["preflight"]> {
  const { sql } = world.info;
  const connection = {
    host: sql.host,
    port: sql.port,
    user: sql.user,
    password: sql.password,
    trustServerCertificate: true,
  };
  world.sql.tds.resetCounters();
  await getSqlServerInfo(connection, databases);
  const connections = world.sql.tds.counters().connections;
  const all = statements(world.sql.tds.requestLog());
  world.sql.tds.resetCounters();
  await getSqlServerInfo(connection, databases.slice(0, 1));
  const one = statements(world.sql.tds.requestLog());
  return {
    connections,
    requests: all.length,
    statements: statementsCarried(all),
    requestsWithOneDatabase: one.length,
    statementsWithOneDatabase: statementsCarried(one),
  };
}

/** Counts of a second up, a refresh and a destroy after a create. */
interface Lifecycle {
  preflight: RoundTrips["preflight"];
  secondUp: number;
  refreshPerResource: number;
  /** Every statement of the destroy. */
  destroyStatements: number;
}

interface SizeRun {
  seconds: number;
  startupSeconds: number;
  createStatements: number;
  /** Only for the runs that go on to second up, refresh and destroy. */
  lifecycle?: Lifecycle;
}

/** One timed create of `count` links in a fresh world (and, with `lifecycle`, what follows it). */
async function runSize(
  count: number,
  timings: WorldTimings,
  lifecycle: boolean,
  providerHostStart: ProviderHostStart = "withProgram",
): Promise<SizeRun> {
  const databases = benchDatabaseNames(count);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "mi-link-bench-"));
  const world = await newWorld(databases, timings);
  let result: SizeRun;
  try {
    let firstStepAt = 0;
    const rehearsal = rehearsalFor(
      world,
      databases,
      path.join(stateDir, "stack.json"),
      (line) => {
        // MiLink registers its children once the preflight has passed: the trust comes first.
        if (!firstStepAt && line.includes("mi-link:index:SqlServerTrust")) firstStepAt = Date.now();
      },
      providerHostStart,
    );
    world.sql.tds.resetCounters();
    const upStarted = Date.now();
    const up = ensureOk(await rehearsal.up(), `up of ${count} links`);
    const createStatements = withoutPolls(world.sql.tds.requestLog(), count);
    result = { seconds: up.seconds, startupSeconds: (firstStepAt - upStarted) / 1000, createStatements };
    if (lifecycle) {
      const preflight = await measurePreflight(world, databases);
      world.sql.tds.resetCounters();
      ensureOk(await rehearsal.up(), "second up");
      const secondUp = statements(world.sql.tds.requestLog()).length - preflight.requests;
      world.sql.tds.resetCounters();
      const refreshed = ensureOk(await rehearsal.refresh(), "refresh");
      const sqlResources = refreshed.steps.filter((s) => s.type.startsWith("pulumi-nodejs:dynamic")).length;
      const refreshPerResource = statements(world.sql.tds.requestLog()).length / Math.max(1, sqlResources);
      world.sql.tds.resetCounters();
      ensureOk(await rehearsal.destroy(), "destroy");
      const destroyStatements = statements(world.sql.tds.requestLog()).length;
      result.lifecycle = { preflight, secondUp, refreshPerResource, destroyStatements };
    }
  } finally {
    await world.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  return result;
}

/** The sequential baseline for `count` databases in a fresh world: wall seconds. */
async function runBaseline(count: number, timings: WorldTimings): Promise<number> {
  const databases = benchDatabaseNames(count);
  const world = await newWorld(databases, timings);
  try {
    return await runSequentialBaseline(world, databases);
  } finally {
    await world.stop();
  }
}

/**
 * Creates `sizes` links (e.g. [1, 10]) `repeats` times each, every time in a fresh world, alternating with
 * as many runs of the sequential baseline, and (but the smallest size) with as many runs of MiLink with the
 * provider host started on first use; the medians are reported. The first run of the smallest and
 * the largest sizes also runs a second up, a refresh and a destroy. Per-database counts are the
 * difference between the largest and the smallest size, divided by the difference in databases, so the
 * shared server-level work does not count.
 */
export async function measureRehearsed(
  sizes: number[],
  timings: WorldTimings,
  repeats = 1,
): Promise<{ endToEnd: EndToEnd[]; roundTrips: RoundTrips }> {
  const small = Math.min(...sizes);
  const large = Math.max(...sizes);
  const runs = new Map<number, SizeRun>();
  const endToEnd: EndToEnd[] = [];
  for (const size of sizes) {
    const times: EndToEnd["runs"] = { seconds: [], startupSeconds: [], sequentialBaselineSeconds: [] };
    // The smallest size is the reference for the per-database counts; the others also run in the engine's order.
    const onFirstUse: number[] | undefined = size === small ? undefined : [];
    for (let i = 0; i < repeats; i++) {
      const run = await runSize(size, timings, i === 0 && (size === large || size === small));
      if (i === 0) runs.set(size, run);
      times.seconds.push(run.seconds);
      times.startupSeconds.push(run.startupSeconds);
      times.sequentialBaselineSeconds.push(await runBaseline(size, timings));
      if (onFirstUse) onFirstUse.push((await runSize(size, timings, false, "onFirstUse")).seconds);
    }
    endToEnd.push({
      databases: size,
      seconds: median(times.seconds),
      startupSeconds: median(times.startupSeconds),
      sequentialBaselineSeconds: median(times.sequentialBaselineSeconds),
      runs: times,
      ...(onFirstUse ? { hostOnFirstUse: { seconds: median(onFirstUse), runs: onFirstUse } } : {}),
    });
  }
  const smallRun = runs.get(small)!;
  const largeRun = runs.get(large)!;
  const span = Math.max(1, large - small);
  const lifecycle = largeRun.lifecycle!;
  const roundTrips: RoundTrips = {
    preflight: lifecycle.preflight,
    createPerDatabase: (largeRun.createStatements - smallRun.createStatements) / span,
    secondUp: lifecycle.secondUp,
    refreshPerResource: Number(lifecycle.refreshPerResource.toFixed(2)),
    destroyPerDatabase: (lifecycle.destroyStatements - smallRun.lifecycle!.destroyStatements) / span,
  };
  return { endToEnd, roundTrips };
}

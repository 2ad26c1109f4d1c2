/** The benchmark's JSON document and its table rendering. */
import type { BuildMeasurement } from "./program-scale";
import type { ReadinessDetection } from "./readiness";
import type { EndToEnd, RoundTrips } from "./rehearsed";

export interface BenchReport {
  build: BuildMeasurement[];
  roundTrips: RoundTrips;
  endToEnd: EndToEnd[];
  readinessDetectionSeconds: ReadinessDetection;
  settings: {
    quick: boolean;
    latencyMs: number;
    armOperationMs: number;
    cpus: number;
    /** 1-minute load average before and after the run. */
    loadAverage: [number, number];
  };
}

const fixed = (n: number, digits = 2) => n.toFixed(digits);

export function formatTable(report: BenchReport): string {
  const lines: string[] = [];
  const repeats = report.build[0]?.repeats ?? 1;
  lines.push(`Program scale (MiLink under mocks, one process per run, median of ${repeats})`);
  lines.push("  databases  build s  load s  process s  peak RSS MB  serializations  registrations");
  for (const b of report.build) {
    lines.push(
      `  ${String(b.databases).padStart(9)}  ${fixed(b.seconds).padStart(7)}  ${fixed(b.loadSeconds).padStart(6)}` +
        `  ${fixed(b.processSeconds).padStart(9)}  ${String(b.peakRssMb).padStart(11)}` +
        `  ${String(b.providerSerializations).padStart(14)}  ${String(b.registrations).padStart(13)}`,
    );
  }
  const r = report.roundTrips;
  lines.push("");
  lines.push("SQL round trips (requests, driver session batches excluded)");
  lines.push(
    `  preflight: ${r.preflight.connections} connection(s), ${r.preflight.requests} request(s) carrying ` +
      `${r.preflight.statements} statements (${r.preflight.requestsWithOneDatabase} carrying ` +
      `${r.preflight.statementsWithOneDatabase} with one database)`,
  );
  lines.push(`  create per database (polls excluded): ${fixed(r.createPerDatabase, 1)}`);
  lines.push(`  second up beyond preflight: ${r.secondUp}`);
  lines.push(`  refresh per resource: ${fixed(r.refreshPerResource)}`);
  lines.push(`  destroy per database: ${fixed(r.destroyPerDatabase, 1)}`);
  lines.push("");
  const s = report.settings;
  const repeatsEndToEnd = report.endToEnd[0]?.runs.seconds.length ?? 1;
  lines.push(
    `End to end (${s.latencyMs} ms per round trip, ${s.armOperationMs} ms per Azure operation, ` +
      `median of ${repeatsEndToEnd})`,
  );
  lines.push("  links  MiLink s  (startup s)  sequential runbook s  ratio  runs: MiLink s / runbook s");
  const list = (values: number[]) => values.map((v) => fixed(v, 1)).join(", ");
  for (const e of report.endToEnd) {
    lines.push(
      `  ${String(e.databases).padStart(5)}  ${fixed(e.seconds, 1).padStart(8)}  ` +
        `${("(" + fixed(e.startupSeconds, 1) + ")").padStart(11)}  ` +
        `${fixed(e.sequentialBaselineSeconds, 1).padStart(20)}  ${fixed(e.sequentialBaselineSeconds / e.seconds).padStart(5)}` +
        `  ${list(e.runs.seconds)} / ${list(e.runs.sequentialBaselineSeconds)}`,
    );
    const onFirstUse = e.hostOnFirstUse;
    if (onFirstUse)
      lines.push(
        `  ${e.databases} links with the provider host started on first use, as the engine does: ` +
          `${fixed(onFirstUse.seconds, 1)} s, ratio ${fixed(e.sequentialBaselineSeconds / onFirstUse.seconds)} ` +
          `(runs ${list(onFirstUse.runs)})`,
      );
  }
  const d = report.readinessDetectionSeconds;
  lines.push("");
  lines.push(
    `Readiness detection (${d.trials} trials): p50 ${fixed(d.p50)} s, p95 ${fixed(d.p95)} s, ` +
      `max ${fixed(d.max)} s, at most ${d.queriesPerSecond} link-state queries/s per link`,
  );
  lines.push("");
  lines.push(`${s.cpus} CPUs, load average ${s.loadAverage[0]} before, ${s.loadAverage[1]} after`);
  return lines.join("\n");
}

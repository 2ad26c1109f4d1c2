/**
 * `npm run bench`: program scale, SQL round trips, end to end against a sequential baseline, and readiness
 * detection, measured against the local emulators (see docs/benchmarks.md). Prints a table, or with
 * `--json` one JSON document. `--quick` runs small sizes only (a smoke run: shape, not goals).
 * `--repeats N` takes the end to end's median over N alternated runs per size instead of 3;
 * `--links 1,10,12` sets the end to end's sizes (default 1 and 10).
 */
import * as os from "node:os";
import { parseBenchArgs } from "./args";
import { measureProgramScale } from "./program-scale";
import { measureReadinessDetection } from "./readiness";
import { measureRehearsed } from "./rehearsed";
import { formatTable, type BenchReport } from "./report";

async function main(): Promise<void> {
  // tedious warns about TLS to an IP address (the emulators listen on 127.0.0.1): noise here.
  process.noDeprecation = true;
  const { json, quick, repeats: endToEndRepeats, links } = parseBenchArgs(process.argv.slice(2));
  const loadBefore = os.loadavg()[0];
  const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
  // The provider run in this process logs through the console (no engine here): keep stdout for the report.
  const toStderr = (...args: unknown[]) => process.stderr.write(args.map(String).join(" ") + "\n");
  console.log = console.info = console.warn = console.debug = toStderr;

  progress(`program scale (${quick ? "1, 2 databases" : "1, 10, 100 databases, median of 3"})`);
  const build = await measureProgramScale(quick ? [1, 2] : [1, 10, 100], quick ? 1 : 3);
  const timings = quick ? { latencyMs: 0, armOperationMs: 50 } : { latencyMs: 20, armOperationMs: 2000 };
  progress(`end to end and round trips (${links.join(", ")} links, median of ${endToEndRepeats})`);
  const rehearsed = await measureRehearsed(links, timings, endToEndRepeats);
  progress("readiness detection");
  const readiness = await measureReadinessDetection(quick ? 2 : 20);

  const report: BenchReport = {
    build,
    roundTrips: rehearsed.roundTrips,
    endToEnd: rehearsed.endToEnd,
    readinessDetectionSeconds: readiness,
    settings: {
      quick,
      ...timings,
      cpus: os.cpus().length,
      // Other work on the machine skews wall times: the 1-minute load average before and after.
      loadAverage: [Number(loadBefore.toFixed(2)), Number(os.loadavg()[0].toFixed(2))],
    },
  };
  const text = json ? JSON.stringify(report) + "\n" : formatTable(report) + "\n";
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
}

main().then(
  // Pools of the in-process provider keep the event loop alive for their idle timeout. The report
  // is written (flushed to a pipe too) before this runs.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);

/* global require, process */
/**
 * A preload that writes a CPU profile of every Node process it is loaded into, the rehearsal's program and
 * the dynamic-provider host included (NODE_OPTIONS reaches them; `--cpu-prof` is not allowed there). The
 * path must be absolute: the children start in other folders.
 *
 *   MI_LINK_CPU_PROFILE_DIR=/tmp/prof NODE_OPTIONS="--require $PWD/test/bench/cpu-profile.js" \
 *     node test/bench/bench.js timeline.ts 10 --host-on-first-use
 *
 * One `<pid>-<script>.cpuprofile` per process (Chrome DevTools opens them), sampled every 0.5 ms from the
 * preload to the process's exit. What "The floor" in docs/benchmarks.md §3 was measured with.
 */
"use strict";
const fs = require("node:fs");
const inspector = require("node:inspector");
const path = require("node:path");

const dir = process.env.MI_LINK_CPU_PROFILE_DIR;
if (dir) {
  fs.mkdirSync(dir, { recursive: true });
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.start");
  const script = path.basename(process.argv[1] ?? "node").replace(/[^\w.-]/g, "_");
  const write = () =>
    session.post("Profiler.stop", (error, result) => {
      if (!error)
        fs.writeFileSync(
          path.join(dir, `${process.pid}-${script}.cpuprofile`),
          JSON.stringify(result.profile),
        );
    });
  process.on("exit", write);
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      write();
      process.exit(0);
    });
  }
}

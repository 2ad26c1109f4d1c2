/**
 * `node test/bench/bench.js timeline.ts [links]`: one rehearsed create of the example with the benchmark's
 * latencies, printing when each step started and ended (seconds from the fork of the rehearsal's process).
 * What the end-to-end figure is made of: the critical path reads off the table. With `--requests`, every
 * request that reached the SQL Server emulator is a row too (arrival time, login, first line of its text).
 * With `--host-on-first-use`, the dynamic-provider host starts when the first dynamic resource needs it
 * (as the Pulumi engine starts a provider plugin) instead of with the program.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startLocalWorld } from "pulumi-mi-link/testing";
import { exampleRehearsal, exampleConfig } from "pulumi-mi-link/dist/testing/demo.js";
import { benchDatabaseNames } from "./names";

const packageRoot = path.resolve(__dirname, "..", "..");

async function main(): Promise<void> {
  process.noDeprecation = true;
  const showRequests = process.argv.includes("--requests");
  const providerHostStart = process.argv.includes("--host-on-first-use") ? "onFirstUse" : "withProgram";
  const count = Number(process.argv.slice(2).find((arg) => !arg.startsWith("--")) ?? "10");
  const databases = benchDatabaseNames(count);
  const world = await startLocalWorld({
    databases,
    latencyMs: 20,
    armOperationMs: 2000,
    seedingSeconds: 0.2,
  });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "mi-link-timeline-"));
  const rows: { start: number; end: number; what: string }[] = [];
  let started = 0;
  try {
    const rehearsal = exampleRehearsal(world, {
      program: path.join(packageRoot, "examples", "sqlserver-to-mi"),
      stateFile: path.join(stateDir, "stack.json"),
      project: "mi-link-bench",
      config: exampleConfig(world, databases),
      print: (line) => {
        const at = (Date.now() - started) / 1000;
        const seconds = /\((\d+(?:\.\d+)?)s\)/.exec(line);
        rows.push({ start: seconds ? at - Number(seconds[1]) : at, end: at, what: line.trim() });
      },
      providerHostStart,
    });
    started = Date.now();
    if (showRequests) process.stdout.write(`started at ${started}\n`);
    const up = await rehearsal.up();
    if (!up.ok) throw new Error(up.errors.join("; "));
    if (up.providerHost) {
      const at = up.providerHost.atSeconds;
      rows.push({ start: at, end: at, what: "provider host spawned" });
    }
    if (showRequests) {
      for (const request of world.sql.tds.requestLog()) {
        const at = (request.at.getTime() - started) / 1000;
        const text = request.text.replace(/\s+/g, " ").slice(0, 90);
        rows.push({ start: at, end: at, what: `   sql #${request.n} ${request.login}: ${text}` });
      }
      for (const request of world.arm.requestLog()) {
        const at = ((request.at?.getTime() ?? started) - started) / 1000;
        rows.push({ start: at, end: at, what: `   arm ${request.status} ${request.operation}` });
      }
    }
  } finally {
    await world.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  const table = rows
    .sort((a, b) => a.start - b.start)
    .map((row) => `${row.start.toFixed(2).padStart(6)} ${row.end.toFixed(2).padStart(6)}  ${row.what}\n`)
    .join("");
  // Exit once the table is written: a pipe takes it in chunks, and exiting earlier cuts it short.
  process.stdout.write(table, () => process.exit(0));
}

void main();

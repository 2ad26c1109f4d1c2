/**
 * `npm run bench -- --quick --json` runs and prints one JSON document of the documented shape. A smoke
 * test only: no timing is asserted (the numbers depend on the machine), only counts the product controls.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildIfStale } from "../support/build";

function runQuickBench(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(__dirname, "bench.js"), "--quick", "--json"],
      { cwd: path.resolve(__dirname, "..", ".."), maxBuffer: 16 * 1024 * 1024, timeout: 400_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

describe("npm run bench --quick --json", () => {
  let report: Record<string, unknown>;

  beforeAll(async () => {
    await buildIfStale();
    const stdout = await runQuickBench();
    // stdout is the report alone: one JSON document.
    report = JSON.parse(stdout) as Record<string, unknown>;
  }, 420_000);

  it("reports every section in the documented shape", () => {
    const number = expect.any(Number);
    expect(report).toMatchObject({
      build: [
        { databases: 1, seconds: number, peakRssMb: number, providerSerializations: number },
        { databases: 2, seconds: number, peakRssMb: number, providerSerializations: number },
      ],
      roundTrips: {
        preflight: { connections: number, requests: number, statements: number },
        createPerDatabase: number,
        secondUp: number,
        refreshPerResource: number,
        destroyPerDatabase: number,
      },
      endToEnd: [
        {
          databases: 1,
          seconds: number,
          startupSeconds: number,
          sequentialBaselineSeconds: number,
          runs: { seconds: [number], startupSeconds: [number], sequentialBaselineSeconds: [number] },
        },
        {
          databases: 2,
          seconds: number,
          sequentialBaselineSeconds: number,
          hostOnFirstUse: { seconds: number, runs: [number] },
        },
      ],
      readinessDetectionSeconds: { p50: number, p95: number },
    });
  });

  it("serializes each provider class once, whatever the number of databases", () => {
    const build = report.build as { providerSerializations: number }[];
    expect(build[1].providerSerializations).toBe(build[0].providerSerializations);
  });

  it("the preflight lookup is one connection and one request of four SELECTs, whatever the number of databases", () => {
    const { preflight } = report.roundTrips as { preflight: Record<string, number> };
    expect(preflight).toEqual({
      connections: 1,
      requests: 1,
      statements: 4,
      requestsWithOneDatabase: 1,
      statementsWithOneDatabase: 4,
    });
  });

  it("a second up with no change sends no statement beyond the lookup", () => {
    expect((report.roundTrips as { secondUp: number }).secondUp).toBe(0);
  });
});

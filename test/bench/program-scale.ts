/**
 * Program scale: a MiLink with 1, 10 and 100 databases under mocks, each size in its own child process
 * (./program-scale-child.ts) so that peak RSS is that size's alone. One SQL Server emulator, holding
 * every database backed up in FULL recovery, serves the read-only lookup; an ARM emulator serves the
 * preflight's list of the managed instance's links, as Azure would.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { ArmEmulator, SqlServerEmulator } from "pulumi-mi-link/testing";
import { benchDatabaseNames } from "./names";

export interface BuildMeasurement {
  databases: number;
  /** Building: from the package loaded to every registration answered. */
  seconds: number;
  /** Loading @pulumi/pulumi and the package. */
  loadSeconds: number;
  /** The whole child process, Node's start included. */
  processSeconds: number;
  peakRssMb: number;
  providerSerializations: number;
  registrations: number;
  distinctProviderTexts: number;
  /** Runs of this size; the one reported is the median by build time. */
  repeats?: number;
}

function measureOne(databases: number, connection: unknown, arm: unknown): Promise<BuildMeasurement> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        path.join(__dirname, "bench.js"),
        "program-scale-child.ts",
        String(databases),
        JSON.stringify(connection),
        JSON.stringify(arm),
      ],
      { env: { ...process.env, NODE_NO_WARNINGS: "1" }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          return reject(
            new Error(`program scale with ${databases} databases failed: ${stderr || error.message}`),
          );
        const line = stdout.trim().split("\n").pop() ?? "";
        resolve(JSON.parse(line) as BuildMeasurement);
      },
    );
  });
}

/**
 * Measures each size `repeats` times (a fresh process each time) and keeps the run of median build time:
 * single runs on a shared 2-CPU machine vary by a second.
 */
export async function measureProgramScale(sizes: number[], repeats = 1): Promise<BuildMeasurement[]> {
  const emulator = new SqlServerEmulator({
    databases: benchDatabaseNames(Math.max(...sizes)).map((name) => ({
      name,
      recoveryModel: "FULL" as const,
      fullBackup: true,
    })),
  });
  const info = await emulator.start();
  const armEmulator = new ArmEmulator({
    subscriptionId: "00000000-0000-0000-0000-0000000000aa",
    resourceGroupName: "rg",
  });
  const arm = await armEmulator.start();
  try {
    const results: BuildMeasurement[] = [];
    for (const size of sizes) {
      const runs: BuildMeasurement[] = [];
      for (let i = 0; i < repeats; i++) runs.push(await measureOne(size, info, arm));
      runs.sort((a, b) => a.seconds - b.seconds);
      results.push({ ...runs[Math.floor(runs.length / 2)], repeats });
    }
    return results;
  } finally {
    await emulator.stop();
    await armEmulator.stop();
  }
}

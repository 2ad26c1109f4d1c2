/**
 * Running commands and keeping dist/ current for tests that need the tsc output (serialization, packing).
 *
 *   await buildIfStale();                  // `npm run build` when dist/ is missing or older than src/
 *   const { code, stdout, stderr } = await run("npm", ["pack"], dir);
 *   await runNode(dir, "console.log(require('x'))", [arg]);   // plain node, no vitest transform
 *
 * Test files run in parallel processes: builds take a lock (a directory next to dist/) so only one tsc writes
 * dist/ at a time, and whoever waited re-checks instead of building again.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./provider-host";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs = 120_000,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr || (error && code !== 0 ? error.message : "") });
      },
    );
  });
}

/** Runs a CommonJS script with plain node (no vitest transform) in `cwd`; extra args land in `process.argv[1..]`. */
export function runNode(
  cwd: string,
  script: string,
  args: string[] = [],
  timeoutMs = 60_000,
): Promise<CommandResult> {
  return run(process.execPath, ["-e", script, ...args], cwd, timeoutMs);
}

function newestMtime(dir: string, accept: (file: string) => boolean): number {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && accept(file)) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

export interface BuildOutcome {
  built: boolean;
  /** tsc's exit code (non-zero with type errors, though it still emits). */
  code: number;
  output: string;
}

function isStale(root: string): boolean {
  const sources = newestMtime(path.join(root, "src"), (f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  const built = newestMtime(path.join(root, "dist"), (f) => f.endsWith(".js"));
  return built === 0 || built < sources;
}

/** A lock older than this was left by a killed process. */
const staleLockMs = 10 * 60_000;

async function withBuildLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(root, ".tmp", "build.lock");
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > staleLockMs) fs.rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds dist/ with `npm run build` unless it is newer than every source file. */
export async function buildIfStale(root = repoRoot): Promise<BuildOutcome> {
  if (!isStale(root)) return { built: false, code: 0, output: "" };
  return withBuildLock(root, async () => {
    if (!isStale(root)) return { built: false, code: 0, output: "" };
    const result = await run("npm", ["run", "build", "--silent"], root, 300_000);
    return { built: true, code: result.code, output: result.stdout + result.stderr };
  });
}

/**
 * One scratch folder per test run: the vitest configs point the workers' TMPDIR at it, so every
 * `os.tmpdir()` of a test, an emulator state file or a rehearsal's stack lands inside, and the global
 * setup removes it when the run ends (a run that is killed leaves this one folder behind).
 */
import * as os from "node:os";
import * as path from "node:path";

/** The run's scratch folder, named after the vitest process that owns it. */
export function testScratchDir(): string {
  return path.join(os.tmpdir(), `pulumi-mi-link-tests-${process.pid}`);
}

/**
 * What every vitest config of the project sets: tests in forked workers, the global setup (the package
 * linked under its own name, the scratch folder made and removed), and TMPDIR pointed at that folder.
 */
export function sharedTestOptions() {
  return {
    pool: "forks" as const,
    globalSetup: ["test/support/global-setup.ts"],
    env: { TMPDIR: testScratchDir() },
  };
}

import { defineConfig } from "vitest/config";
import { testScratchDir } from "./test/support/scratch";

/**
 * The reliability suite (npm run test:reliability, docs/reliability.md): faults, restarts, drift and
 * hostile inputs against the emulators. Kept out of the default run because it rehearses whole stacks.
 */
export default defineConfig({
  test: {
    include: ["test/reliability/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    globalSetup: ["test/support/global-setup.ts"],
    // Temporary files of the run go to its scratch folder, removed at the end.
    env: { TMPDIR: testScratchDir() },
  },
});

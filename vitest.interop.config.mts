import { defineConfig } from "vitest/config";
import { testScratchDir } from "./test/support/scratch";

export default defineConfig({
  test: {
    include: ["test/interop/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["test/support/global-setup.ts"],
    // Temporary files of the run go to its scratch folder, removed at the end.
    env: { TMPDIR: testScratchDir() },
  },
});

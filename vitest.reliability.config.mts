import { defineConfig } from "vitest/config";
import { sharedTestOptions } from "./test/support/scratch";

/**
 * The reliability suite (npm run test:reliability, docs/reliability.md): faults, restarts, drift and
 * hostile inputs against the emulators. Kept out of the default run because it rehearses whole stacks.
 */
export default defineConfig({
  test: {
    ...sharedTestOptions(),
    include: ["test/reliability/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});

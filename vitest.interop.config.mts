import { defineConfig } from "vitest/config";
import { sharedTestOptions } from "./test/support/scratch";

export default defineConfig({
  test: {
    ...sharedTestOptions(),
    include: ["test/interop/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

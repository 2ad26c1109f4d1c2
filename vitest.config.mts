import { defineConfig } from "vitest/config";
import { sharedTestOptions } from "./test/support/scratch";

export default defineConfig({
  test: {
    ...sharedTestOptions(),
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // FreeTDS interop runs separately (npm run test:interop): it needs the tsql binary. The reliability
    // suite too (npm run test:reliability): it rehearses whole stacks.
    exclude: ["test/interop/**", "test/reliability/**", "node_modules/**", "dist/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

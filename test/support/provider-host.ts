/**
 * The dynamic-provider host driver (product code in `src/testing/rehearsal/provider-host.ts`), with the
 * repository root as the host's default working directory so `pulumi-mi-link/dist/...` resolves in tests.
 */
import * as path from "node:path";
import {
  startProviderHost as startHost,
  type ProviderHost,
  type ProviderHostOptions,
} from "../../src/testing/rehearsal/provider-host";

export * from "../../src/testing/rehearsal/provider-host";

export const repoRoot = path.resolve(__dirname, "..", "..");

export function startProviderHost(options: ProviderHostOptions = {}): Promise<ProviderHost> {
  return startHost({ cwd: repoRoot, ...options });
}

/**
 * An {@link AzureTarget} for a managed instance of the local ARM emulator: its endpoint, its TLS
 * certificate, a static token, and short retry and poll intervals so tests run fast.
 */
import type { AzureTarget } from "./client";
import { StaticTokenCredential } from "./credential";

export interface StartedArmEmulator {
  subscriptionId: string;
  resourceGroupName: string;
}

export function emulatorTarget(
  emulator: StartedArmEmulator,
  started: { endpoint: string; tlsCaPem?: string },
  overrides: Partial<AzureTarget> = {},
): AzureTarget {
  return {
    subscriptionId: emulator.subscriptionId,
    resourceGroupName: emulator.resourceGroupName,
    managedInstanceName: "sqlmi1",
    armEndpoint: started.endpoint,
    tlsCaPem: started.tlsCaPem,
    credential: new StaticTokenCredential("test-token"),
    retryDelayMs: 10,
    pollIntervalMs: 10,
    ...overrides,
  };
}

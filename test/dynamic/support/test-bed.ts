/**
 * What a provider test file starts once (`beforeAll`): the package built, the provider
 * serialized from `dist/` as a program would, a SQL Server emulator and Pulumi's dynamic-provider
 * host.
 */
import { SqlServerEmulator, type SqlServerEmulatorOptions } from "../../../src/testing/sqlserver";
import { buildIfStale } from "../../support/build";
import { startProviderHost, type ProviderHost } from "../../support/provider-host";
import { serializeProvider } from "../../support/serialize";

export interface ProviderTestBed {
  /** The serialized provider: the `__provider` input. */
  providerText: string;
  emulator: SqlServerEmulator;
  host: ProviderHost;
}

/**
 * Builds `dist/` when stale, serializes `exportName` of `modulePath` (e.g.
 * `./dist/dynamic/master-key.js`), starts an emulator with `options`, then the host. The caller
 * stops the host and the emulator (`afterAll`); if the host does not start, the emulator is
 * stopped here.
 */
export async function startProviderTestBed(
  modulePath: string,
  exportName: string,
  options?: SqlServerEmulatorOptions,
): Promise<ProviderTestBed> {
  await buildIfStale();
  const providerText = (await serializeProvider(modulePath, exportName)).text;
  const emulator = new SqlServerEmulator(options);
  await emulator.start();
  try {
    return { providerText, emulator, host: await startProviderHost() };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

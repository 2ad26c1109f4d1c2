/**
 * The SQL Server instance model of the emulator: what an instance holds, what
 * it allows and refuses, and what its catalog shows.
 */
import { SqlServerInstance } from "./instance";
import type { InstanceOptions } from "./options";

export { SqlServerInstance, type InstanceChange } from "./instance";
export {
  DEFAULT_TIMINGS,
  type DatabaseOption,
  type HadrTimings,
  type InstanceOptions,
  type LoginOption,
} from "./options";
export type { InstanceState } from "./state";
export { issueManagedInstanceCertificate, parseCertificate, type ParsedCertificate } from "./certificates";
export { PartnerError } from "./sqlserver-partner";
export * from "./contract";
export * from "./partner";

export function createInstanceModel(options: InstanceOptions = {}): SqlServerInstance {
  return new SqlServerInstance(options);
}

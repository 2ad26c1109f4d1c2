/**
 * `pulumi-mi-link/testing`: the local emulators the package is tested against,
 * for users who want to rehearse a link without Azure or SQL Server.
 */
export { SqlServerEmulator, DEFAULT_ADMIN_LOGIN } from "./sqlserver";
export type { SqlServerEmulatorOptions, SqlServerConnectionInfo } from "./sqlserver";
export { createSqlEngine } from "./sqlserver/tsql/engine";
export { TdsServer } from "./sqlserver/tds-server";
export type { FaultRule, TdsCounters, RequestLogEntry as SqlRequestLogEntry } from "./sqlserver/tds-server";
export { createInstanceModel, SqlServerInstance } from "./sqlserver/model";
export type { InstanceOptions, SqlServerPartner, PartnerLinkStatus } from "./sqlserver/model";
export { ArmEmulator, StaticTokenCredential } from "./arm";
export type { ArmEmulatorOptions, FaultSpec, RequestCounters } from "./arm";
export { startLocalWorld } from "./world";
export type { LocalWorld, LocalWorldInfo, LocalWorldOptions } from "./world";
export { Rehearsal } from "./rehearsal";
export type {
  RehearsalOptions,
  RunReport,
  ArmTarget,
  StepEvent,
  ProviderHostStart,
  ProviderHostStarted,
} from "./rehearsal";
export { runDemo } from "./demo";

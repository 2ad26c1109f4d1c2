export { ArmEmulator, type ArmEmulatorOptions, type AddManagedInstanceOptions } from "./server";
export { StaticTokenCredential } from "./credential";
export { FakeSqlServerPartner } from "./fake-partner";
export { ManagedInstance, type DatabaseFormat, type EndpointType } from "./managed-instance";
export { evaluateLinkTrust, parseTcpUrl, type LinkTrustInput, type LinkTrustResult } from "./link-trust";
export { managedInstanceCertificateFor, type ManagedInstanceCertificate } from "./mi-certificate";
export type { FaultSpec, RequestCounters, RequestLogEntry } from "./faults";
export { SUPPORTED_API_VERSIONS } from "./api-versions";

/**
 * pulumi-mi-link: the Azure SQL Managed Instance link as Pulumi resources.
 *
 *   import { MiLink } from "pulumi-mi-link";
 *
 * The components (MiLink, SqlServerTrust, DatabaseLink), the read-only `getSqlServerInfo`, and the
 * dynamic resources they are built from, for programs that compose the link themselves.
 */
export * from "./components";
export { AvailabilityGroup, type AvailabilityGroupArgs } from "./dynamic/availability-group";
export { DatabaseReadiness, type DatabaseReadinessArgs } from "./dynamic/database-readiness";
export {
  DistributedAvailabilityGroup,
  type DistributedAvailabilityGroupArgs,
} from "./dynamic/distributed-availability-group";
export { EndpointCertificate, type EndpointCertificateArgs } from "./dynamic/endpoint-certificate";
export { LinkCutover, type LinkCutoverArgs } from "./dynamic/link-cutover";
export { LinkReadiness, type LinkReadinessArgs } from "./dynamic/link-readiness";
export { LinkRole, type LinkRoleArgs } from "./dynamic/link-role";
export { LogBackup, type LogBackupArgs } from "./dynamic/log-backup";
export { LogBackupJob, type LogBackupJobArgs } from "./dynamic/log-backup-job";
export { MasterKey, type MasterKeyArgs } from "./dynamic/master-key";
export {
  ManagedInstanceEndpointCertificate,
  type ManagedInstanceEndpointCertificateArgs,
} from "./dynamic/mi-endpoint-certificate";
export { MirroringEndpoint, type MirroringEndpointArgs } from "./dynamic/mirroring-endpoint";
export { TrustedCertificate, type TrustedCertificateArgs } from "./dynamic/trusted-certificate";
export type { SqlServerConnection } from "./dynamic/common/connection";
export {
  LinkCertificateCheck,
  type LinkCertificateCheckArgs,
} from "./dynamic/certificates/link-certificate-check";
export {
  lookupEndpointCertificate,
  lookupEndpointCertificateOutput,
} from "./components/endpoint-certificate-lookup";
export {
  planEndpointCertificate,
  type CurrentEndpointCertificate,
  type EndpointCertificatePlan,
} from "./dynamic/certificates/rotation";

/** Azure Resource Manager calls the link needs and azure-native lacks. */
export {
  createSqlClient,
  credentialScopeOf,
  DEFAULT_ARM_ENDPOINT,
  DEFAULT_OPERATION_TIMEOUT_SECONDS,
  describeManagedInstance,
  managedInstanceResourceId,
  validateTarget,
  type AzureTarget,
} from "./client";
export { defaultAzureCredential, StaticTokenCredential } from "./credential";
export { AzureOperationError, type ArmCallContext } from "./errors";
export {
  parseEndpointCertificateBlob,
  readManagedInstanceEndpointCertificate,
  type ManagedInstanceEndpointCertificate,
} from "./endpoint-certificate";
export { readManagedInstance, type ManagedInstanceInfo } from "./managed-instance";
export { readManagedDatabase, type ManagedDatabaseInfo } from "./managed-database";
export {
  deleteLink,
  failoverLink,
  getLink,
  LINK_API_VERSION,
  listLinks,
  setLinkReplicationMode,
  setLinkRole,
  type FailoverType,
  type LinkDatabase,
  type LinkInfo,
  type LinkRole,
  type ReplicationMode,
  type RoleChangeType,
} from "./links";
export { linkFixes } from "./link-errors";
export {
  armLongRunning,
  armRequest,
  toAzureOperationError,
  withArmErrors,
  type ArmAnswer,
  type ArmRequestOptions,
  type FixFinder,
} from "./request";
export { armRetryPolicy, ARM_RETRY_POLICY_NAME, type ArmRetryOptions } from "./retry-policy";
export {
  AzureInputError,
  validateArmEndpoint,
  validateLinkName,
  validateManagedInstanceName,
  validateResourceGroupName,
  validateSubscriptionId,
  validateTimeoutSeconds,
  validateTlsCaPem,
} from "./validate";

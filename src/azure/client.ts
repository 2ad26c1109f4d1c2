/**
 * Where the managed instance is and how to reach Azure Resource Manager, and the
 * SDK client every ARM call of the package goes through (authentication, TLS
 * settings and the retry policy of `retry-policy.ts`). SDK modules are required
 * inside functions: this layer runs inside dynamic providers, whose serialized
 * code must not capture them.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { SqlManagementClient } from "@azure/arm-sql";
import { defaultAzureCredential } from "./credential";
import { armRetryPolicy } from "./retry-policy";
import {
  validateArmEndpoint,
  validateManagedInstanceName,
  validateResourceGroupName,
  validateSubscriptionId,
  validateTimeoutSeconds,
  validateTlsCaPem,
} from "./validate";

export const DEFAULT_ARM_ENDPOINT = "https://management.azure.com";
/** Default deadline of one ARM operation, retries and polling included. */
export const DEFAULT_OPERATION_TIMEOUT_SECONDS = 1800;
/** First wait after a busy answer (409 AnotherOperationInProgress) without Retry-After. */
export const DEFAULT_RETRY_DELAY_MS = 2000;
/** Polling interval of long-running operations when Azure gives no Retry-After. */
export const DEFAULT_POLL_INTERVAL_MS = 5000;

/** A managed instance and how to reach Azure Resource Manager for it. */
export interface AzureTarget {
  subscriptionId: string;
  resourceGroupName: string;
  /** The managed instance's name (not its FQDN). */
  managedInstanceName: string;
  /** Azure Resource Manager. Default https://management.azure.com. */
  armEndpoint?: string;
  /** Default: DefaultAzureCredential from @azure/identity (created on first use). */
  credential?: TokenCredential;
  /** PEM certificates to trust for the ARM endpoint's TLS (the local ARM emulator). Default: the system's. */
  tlsCaPem?: string;
  /** Deadline of one operation, busy retries and polling included. Default 1800. */
  operationTimeoutSeconds?: number;
  /** First wait after a busy answer without Retry-After, doubling up to 30 s. Default 2000. */
  retryDelayMs?: number;
  /** Polling interval of long-running operations without Retry-After. Default 5000. */
  pollIntervalMs?: number;
}

/** Throws AzureInputError (with the field at fault) when a value of the target cannot be used. */
export function validateTarget(target: AzureTarget): void {
  validateSubscriptionId(target.subscriptionId);
  validateResourceGroupName(target.resourceGroupName);
  validateManagedInstanceName(target.managedInstanceName);
  if (target.armEndpoint !== undefined) validateArmEndpoint(target.armEndpoint);
  if (target.tlsCaPem !== undefined) validateTlsCaPem(target.tlsCaPem);
  if (target.operationTimeoutSeconds !== undefined) validateTimeoutSeconds(target.operationTimeoutSeconds);
}

/** The ARM endpoint without a trailing slash. */
export function armEndpointOf(target: AzureTarget): string {
  return (target.armEndpoint ?? DEFAULT_ARM_ENDPOINT).replace(/\/+$/, "");
}

export function operationTimeoutMs(target: AzureTarget): number {
  return (target.operationTimeoutSeconds ?? DEFAULT_OPERATION_TIMEOUT_SECONDS) * 1000;
}

/** `/subscriptions/.../managedInstances/<name>`, each segment encoded. */
export function managedInstanceResourceId(target: AzureTarget): string {
  return (
    `/subscriptions/${encodeURIComponent(target.subscriptionId)}` +
    `/resourceGroups/${encodeURIComponent(target.resourceGroupName)}` +
    `/providers/Microsoft.Sql/managedInstances/${encodeURIComponent(target.managedInstanceName)}`
  );
}

/** "managed instance sqlmi1 (resource group rg-x)", for messages. */
export function describeManagedInstance(target: AzureTarget): string {
  return `managed instance ${target.managedInstanceName} in resource group ${target.resourceGroupName}`;
}

/**
 * The token scope of the ARM endpoint: the endpoint itself for Azure's clouds
 * (management.azure.com, management.usgovcloudapi.net, ...), the public cloud's
 * for anything else (emulators and proxies stand in for it).
 */
export function credentialScopeOf(target: AzureTarget): string {
  const url = new URL(armEndpointOf(target));
  return /^management\./i.test(url.hostname) ? `${url.origin}/.default` : `${DEFAULT_ARM_ENDPOINT}/.default`;
}

/** The SQL management client for `target`, with this package's retry policy in place of the SDK's. */
export function createSqlClient(target: AzureTarget): SqlManagementClient {
  validateTarget(target);
  const sdk: typeof import("@azure/arm-sql") = require("@azure/arm-sql");
  const client = new sdk.SqlManagementClient(
    target.credential ?? defaultAzureCredential(),
    target.subscriptionId,
    {
      endpoint: armEndpointOf(target),
      credentialScopes: [credentialScopeOf(target)],
      ...(target.tlsCaPem ? { tlsOptions: { ca: target.tlsCaPem } } : {}),
    },
  );
  client.pipeline.removePolicy({ name: "defaultRetryPolicy" });
  client.pipeline.addPolicy(
    armRetryPolicy({
      timeoutMs: operationTimeoutMs(target),
      retryDelayMs: target.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
      maxDelayMs: 30_000,
      maxTransientRetries: 3,
    }),
    { phase: "Retry" },
  );
  return client;
}

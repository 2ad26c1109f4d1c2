/**
 * The LinkRole resource's inputs and outputs, their defaults, and the checks `check` runs on them
 * (syntax and allowed values only, no network).
 */
import type { AzureTarget } from "../../azure/client";
import { StaticTokenCredential } from "../../azure/credential";
import type { ReplicationMode } from "../../azure/links";
import {
  validateArmEndpoint,
  validateManagedInstanceName,
  validateResourceGroupName,
  validateSubscriptionId,
  validateTlsCaPem,
} from "../../azure/validate";
import {
  parseProductVersion,
  releaseOf,
  validateDagName,
  type DatabaseFormat,
  type LinkFailoverMode,
} from "../../tsql";
import { validateUserDatabase } from "../availability-group-inputs";
import { checkSecretReference, type FailureCollector } from "../common/check";
import { secretOrConfig } from "../common/config";
import { CONNECTION_SECRET_OUTPUTS, type ConnectionInputs } from "../common/connection";
import { LINK_PRIMARIES, type LinkPrimary } from "./rules";

export interface LinkRoleInputs extends ConnectionInputs {
  subscriptionId: string;
  resourceGroupName: string;
  managedInstanceName: string;
  /** Default https://management.azure.com. */
  armEndpoint?: string;
  /** PEM certificates to trust for the ARM endpoint's TLS. Default: the system's. */
  tlsCaPem?: string;
  /** A bearer token for ARM instead of DefaultAzureCredential. Secret. */
  armAccessToken?: string;
  /** Instead of `armAccessToken`: the stack config key (with its namespace) holding it. */
  armAccessTokenConfig?: string;
  /** Polling interval of ARM long-running operations without Retry-After, ms. Default 5000. */
  armPollIntervalMs?: number;
  dagName: string;
  agName: string;
  miAgName: string;
  database: string;
  primary: LinkPrimary;
  /** SQL Server's SERVERPROPERTY('ProductVersion'). */
  productVersion: string;
  /** The managed instance's update policy. */
  databaseFormat: DatabaseFormat;
  failoverMode: LinkFailoverMode;
  /** The steady-state replication mode. Default "Async". */
  replicationMode?: ReplicationMode;
  /** Confirms a one-way migration cutover to the managed instance. Default false. */
  cutover?: boolean;
  /** Fail over without waiting for the secondary (may lose data). Default false. */
  forceFailoverAllowDataLoss?: boolean;
  /** Default 300. */
  synchronizationTimeoutSeconds?: number;
  /** Default 5. */
  lsnStableSeconds?: number;
  /** Set by check: what an update will do. */
  plannedAction?: string;
}

export interface LinkRoleOutputs extends LinkRoleInputs {
  sqlServerRole: string | null;
  managedInstanceRole: string | null;
  synchronizationState: string | null;
  sqlServerLastHardenedLsn: string | null;
  managedInstanceLastHardenedLsn: string | null;
  /** Last forced failover: how far the old primary's log was ahead (may be lost); null otherwise. */
  dataLossLsnGap: string | null;
  /** Last forced failover found both sides primary and demoted the old primary. */
  splitBrainResolved: boolean;
}

export const SECRET_OUTPUTS = [...CONNECTION_SECRET_OUTPUTS, "armAccessToken"];
/** Another link, another managed instance: a new record of roles (nothing to delete). */
export const REPLACE_ON = [
  "dagName",
  "database",
  "subscriptionId",
  "resourceGroupName",
  "managedInstanceName",
];
const FAILOVER_MODES: readonly LinkFailoverMode[] = ["None", "Manual"];
const DATABASE_FORMATS: readonly DatabaseFormat[] = ["AlwaysUpToDate", "SQLServer2022", "SQLServer2025"];
const REPLICATION_MODES: readonly ReplicationMode[] = ["Async", "Sync"];

export function toTarget(inputs: LinkRoleInputs): AzureTarget {
  return {
    subscriptionId: inputs.subscriptionId,
    resourceGroupName: inputs.resourceGroupName,
    managedInstanceName: inputs.managedInstanceName,
    armEndpoint: inputs.armEndpoint,
    tlsCaPem: inputs.tlsCaPem,
    pollIntervalMs: inputs.armPollIntervalMs,
    ...credentialOf(inputs),
  };
}

function credentialOf(inputs: LinkRoleInputs): { credential?: StaticTokenCredential } {
  const token = armAccessTokenOf(inputs);
  return token ? { credential: new StaticTokenCredential(token) } : {};
}

/** The ARM token given by value or by config reference; undefined means DefaultAzureCredential. */
export function armAccessTokenOf(inputs: LinkRoleInputs): string | undefined {
  return secretOrConfig(inputs, "armAccessToken", "armAccessTokenConfig", "ARM access token") || undefined;
}

export function withDefaults(inputs: LinkRoleInputs): LinkRoleInputs {
  return {
    ...inputs,
    replicationMode: inputs.replicationMode ?? "Async",
    cutover: inputs.cutover ?? false,
    forceFailoverAllowDataLoss: inputs.forceFailoverAllowDataLoss ?? false,
    synchronizationTimeoutSeconds: inputs.synchronizationTimeoutSeconds ?? 300,
    lsnStableSeconds: inputs.lsnStableSeconds ?? 5,
  };
}

export function checkAzureInputs(news: LinkRoleInputs, collector: FailureCollector): void {
  collector.check("subscriptionId", news.subscriptionId, (v) => validateSubscriptionId(v));
  collector.check("resourceGroupName", news.resourceGroupName, (v) => validateResourceGroupName(v));
  collector.check("managedInstanceName", news.managedInstanceName, (v) => validateManagedInstanceName(v));
  if (news.armEndpoint !== undefined)
    collector.check("armEndpoint", news.armEndpoint, (v) => validateArmEndpoint(v));
  if (news.tlsCaPem !== undefined) collector.check("tlsCaPem", news.tlsCaPem, (v) => validateTlsCaPem(v));
  checkSecretReference(news, "armAccessToken", "armAccessTokenConfig", "ARM access token", collector);
  if (news.armAccessToken !== undefined) {
    collector.require(
      "armAccessToken",
      news.armAccessToken,
      typeof news.armAccessToken === "string" &&
        news.armAccessToken.length > 0 &&
        !/\s/.test(news.armAccessToken),
      "must be a non-empty bearer token without spaces (az account get-access-token --query accessToken), " +
        "or left out to use DefaultAzureCredential",
    );
  }
  collector.require(
    "armPollIntervalMs",
    news.armPollIntervalMs,
    news.armPollIntervalMs == null ||
      (Number.isInteger(news.armPollIntervalMs) && news.armPollIntervalMs >= 1),
    "must be a positive whole number of milliseconds (default 5000)",
  );
}

function oneOf<T>(
  collector: FailureCollector,
  property: string,
  value: unknown,
  allowed: readonly T[],
  hint: string,
) {
  collector.require(
    property,
    value,
    allowed.includes(value as T),
    `must be one of ${allowed.map((a) => `"${String(a)}"`).join(", ")}${hint}`,
  );
}

export function checkLinkInputs(news: LinkRoleInputs, collector: FailureCollector): void {
  collector.check("dagName", news.dagName, (v) => validateDagName(v, "dagName"));
  collector.check("agName", news.agName, (v) => validateDagName(v, "agName"));
  collector.check("miAgName", news.miAgName, (v) => validateDagName(v, "miAgName"));
  collector.check("database", news.database, (v) => validateUserDatabase(v, "database"));
  oneOf(collector, "primary", news.primary, LINK_PRIMARIES, "");
  collector.check("productVersion", news.productVersion, (v) => {
    const version = parseProductVersion(v, "productVersion");
    if (!releaseOf(version)) throw new Error(`SQL Server ${v} does not support the Managed Instance link`);
  });
  oneOf(
    collector,
    "databaseFormat",
    news.databaseFormat,
    DATABASE_FORMATS,
    " (the managed instance's update policy)",
  );
  oneOf(collector, "failoverMode", news.failoverMode, FAILOVER_MODES, " (the link's failover mode)");
  oneOf(
    collector,
    "replicationMode",
    news.replicationMode ?? "Async",
    REPLICATION_MODES,
    ' (default "Async")',
  );
  for (const flag of ["cutover", "forceFailoverAllowDataLoss"] as const) {
    collector.require(
      flag,
      news[flag],
      news[flag] == null || typeof news[flag] === "boolean",
      "must be true or false",
    );
  }
  collector.require(
    "synchronizationTimeoutSeconds",
    news.synchronizationTimeoutSeconds,
    news.synchronizationTimeoutSeconds == null ||
      (Number.isFinite(news.synchronizationTimeoutSeconds) && news.synchronizationTimeoutSeconds > 0),
    "must be a positive number of seconds (default 300)",
  );
  collector.require(
    "lsnStableSeconds",
    news.lsnStableSeconds,
    news.lsnStableSeconds == null || (Number.isFinite(news.lsnStableSeconds) && news.lsnStableSeconds >= 0),
    "must be zero or a positive number of seconds (default 5)",
  );
}

/**
 * The managed instance properties the link depends on. Read with api-version
 * 2023-08-01 through the SDK client's pipeline: @azure/arm-sql 10 reads managed
 * instances with 2022-08-01-preview and drops databaseFormat and
 * hybridSecondaryUsage.
 */
import {
  armEndpointOf,
  createSqlClient,
  describeManagedInstance,
  managedInstanceResourceId,
  type AzureTarget,
} from "./client";
import { armRequest } from "./request";

export const MANAGED_INSTANCE_API_VERSION = "2023-08-01";

export interface ManagedInstanceInfo {
  /** e.g. sqlmi1.0a1b2c3d4e5f.database.windows.net: the name of its certificate on SQL Server. */
  fqdn: string;
  /** The update policy: SQLServer2022 | SQLServer2025 | AlwaysUpToDate (fail back to SQL Server needs a matching one). */
  databaseFormat?: string;
  /** Active | Passive (the license-free disaster recovery replica). */
  hybridSecondaryUsage?: string;
  collation?: string;
  /** Ready, Stopped, ... when Azure reports it. */
  state?: string;
  provisioningState?: string;
}

/** GET the managed instance. */
export async function readManagedInstance(target: AzureTarget): Promise<ManagedInstanceInfo> {
  const client = createSqlClient(target);
  const answer = await armRequest(
    client,
    target,
    { action: "read the managed instance", resource: describeManagedInstance(target) },
    "GET",
    `${armEndpointOf(target)}${managedInstanceResourceId(target)}?api-version=${MANAGED_INSTANCE_API_VERSION}`,
  );
  const properties = ((answer.body as { properties?: Record<string, unknown> } | undefined)?.properties ??
    {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return {
    fqdn: text(properties.fullyQualifiedDomainName) ?? "",
    databaseFormat: text(properties.databaseFormat),
    hybridSecondaryUsage: text(properties.hybridSecondaryUsage),
    collation: text(properties.collation),
    state: text(properties.state),
    provisioningState: text(properties.provisioningState),
  };
}

/**
 * A database of the managed instance (Microsoft.Sql/managedInstances/databases), read for one
 * fact: whether its first full backup exists. Azure reports `earliestRestorePoint` once it does;
 * a link must not be dropped right after a failover to the managed instance before then
 * (mi-link.md §1 row 15).
 */
import {
  armEndpointOf,
  createSqlClient,
  describeManagedInstance,
  managedInstanceResourceId,
  type AzureTarget,
} from "./client";
import { armRequest } from "./request";

export const MANAGED_DATABASE_API_VERSION = "2023-08-01";

export interface ManagedDatabaseInfo {
  name: string;
  /** Online, Restoring, ... as Azure reports it. */
  status?: string;
  /** ISO time of the earliest restore point: present once the first full backup exists. */
  earliestRestorePoint?: string;
}

/** GET the managed database, or undefined when the managed instance has no such database. */
export async function readManagedDatabase(
  target: AzureTarget,
  database: string,
): Promise<ManagedDatabaseInfo | undefined> {
  const answer = await armRequest(
    createSqlClient(target),
    target,
    {
      action: "read the managed database",
      resource: `database [${database}] of ${describeManagedInstance(target)}`,
    },
    "GET",
    `${armEndpointOf(target)}${managedInstanceResourceId(target)}/databases/${encodeURIComponent(database)}` +
      `?api-version=${MANAGED_DATABASE_API_VERSION}`,
    { accept: [404] },
  );
  if (answer.statusCode === 404) return undefined;
  const resource = (answer.body ?? {}) as { name?: string; properties?: Record<string, unknown> };
  const p = resource.properties ?? {};
  const text = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : undefined);
  return {
    name: resource.name ?? database,
    status: text(p.status),
    earliestRestorePoint: text(p.earliestRestorePoint),
  };
}

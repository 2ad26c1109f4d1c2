/**
 * How an availability group found in SQL Server's catalog relates to an AvailabilityGroup's inputs:
 * whether it can be adopted, and the outputs that reflect what the catalog shows.
 */
import type { AvailabilityGroupInfo } from "../sql";
import type { AvailabilityGroupInputs, AvailabilityGroupOutputs } from "./availability-group";
import { sameName } from "./availability-group-inputs";
import { isUnknown } from "./common/check";

export function describeObject(name: string): string {
  return `availability group [${name}]`;
}

/** Why an existing group cannot be adopted, or undefined when it can. */
export function adoptionConflict(
  existing: AvailabilityGroupInfo,
  inputs: AvailabilityGroupInputs,
): string | undefined {
  if (existing.isDistributed) {
    return "it is a distributed availability group, not a regular one";
  }
  if (!existing.replicas.some((replica) => sameName(replica.serverName, inputs.replicaServerName))) {
    const replicas = existing.replicas.map((replica) => replica.serverName).join(", ") || "none";
    return `it has no replica on '${inputs.replicaServerName}' (its replicas: ${replicas})`;
  }
  const dbs = existing.databases;
  if (inputs.database != null) {
    if (dbs.length !== 1 || !sameName(dbs[0], inputs.database)) {
      return `it holds ${dbs.length ? dbs.map((d) => `[${d}]`).join(", ") : "no database"}, not only [${inputs.database}]`;
    }
  } else if (dbs.length > 1) {
    // The managed instance as initial primary: empty, or holding the one database seeding created.
    return `it holds several databases (${dbs.map((d) => `[${d}]`).join(", ")}); the link needs one database per group`;
  }
  return undefined;
}

/** The outputs that reflect the catalog; inputs are kept where the catalog agrees up to case. */
export function observed(
  inputs: AvailabilityGroupInputs,
  group: AvailabilityGroupInfo,
): Pick<
  AvailabilityGroupOutputs,
  "replicaServerName" | "endpointUrl" | "clusterType" | "databases" | "groupDatabaseId"
> {
  const local = group.replicas.find((replica) => sameName(replica.serverName, inputs.replicaServerName));
  const database = inputs.database;
  const own = database == null ? -1 : group.databases.findIndex((d) => sameName(d, database));
  return {
    replicaServerName: local
      ? inputs.replicaServerName
      : (group.replicas[0]?.serverName ?? inputs.replicaServerName),
    endpointUrl: local?.endpointUrl ?? inputs.endpointUrl,
    clusterType: group.clusterType,
    databases: group.databases,
    groupDatabaseId: group.groupDatabaseIds[own] ?? null,
  };
}

/**
 * The group's database as defined is no longer in it, as the last read found it: taken out out of
 * band (`REMOVE DATABASE`). False while the database is unknown or none is defined (the managed
 * instance as initial primary).
 */
export function databaseTakenOut(
  olds: Pick<AvailabilityGroupOutputs, "databases">,
  news: Pick<AvailabilityGroupInputs, "database">,
): boolean {
  const database = news.database;
  if (database == null || isUnknown(database) || !Array.isArray(olds.databases)) return false;
  return !olds.databases.some((d) => sameName(d, database));
}

/** The outputs with what a read right after a change found; the group must be there. */
export function withCatalog(
  outputs: AvailabilityGroupOutputs,
  group: AvailabilityGroupInfo | null,
): AvailabilityGroupOutputs {
  if (!group) {
    throw new Error(
      `${describeObject(outputs.name)} is missing right after it was changed; run the update again.`,
    );
  }
  return { ...outputs, ...observed(outputs, group) };
}

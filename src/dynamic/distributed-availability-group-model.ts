/**
 * The distributed availability group provider's inputs and outputs, its defaults, and the pure
 * decisions it takes on what the catalog shows: whether an existing group can be adopted, and the
 * outputs that reflect the catalog.
 */
import type { DistributedAgInfo } from "../sql";
import { miListenerUrl, type AvailabilityMode, type InitialPrimary } from "../tsql";
import { sameName } from "./availability-group-inputs";
import type { ConnectionInputs } from "./common/connection";

export interface DistributedAvailabilityGroupInputs extends ConnectionInputs {
  /** The distributed availability group's name (also the Azure link's name), e.g. `DAG_<db>`. */
  name: string;
  /** The availability group on SQL Server. */
  agName: string;
  /** The availability group the managed instance creates for the link, e.g. `AG_<db>_MI`. */
  miAgName: string;
  /** `TCP://<host>:<port>` of SQL Server's mirroring endpoint, as the managed instance reaches it. */
  sqlServerListenerUrl: string;
  managedInstanceFqdn: string;
  managedInstanceName: string;
  database: string;
  /** Default "SqlServer". Only used at creation. */
  initialPrimary?: InitialPrimary;
  /** Default ASYNCHRONOUS_COMMIT. */
  availabilityMode?: AvailabilityMode;
  /** Seconds; default 20. */
  sessionTimeout?: number;
  /** Drop the group on delete even when it existed before. Default false. */
  dropAdoptedOnDelete?: boolean;
}

export interface DistributedAgMemberOutput {
  agName: string;
  listenerUrl: string | null;
  availabilityMode: string | null;
  failoverMode: string | null;
  seedingMode: string | null;
  sessionTimeout: number | null;
  /** PRIMARY, SECONDARY; null when SQL Server does not know it. */
  role: string | null;
}

export interface DistributedAvailabilityGroupOutputs extends Omit<
  DistributedAvailabilityGroupInputs,
  "availabilityMode"
> {
  /** The members' common mode; null when they differ (the next update sets both). */
  availabilityMode?: AvailabilityMode | null;
  /** The group existed before this resource: it is left in place on delete. */
  adopted: boolean;
  /** The two members as the catalog reports them. */
  members: DistributedAgMemberOutput[];
  /** The role of SQL Server's member: PRIMARY or SECONDARY (changes with failovers). */
  localRole: string | null;
  /** The CREATE was sent but its reply was lost: the next update finishes the create. */
  createOutcomeUnknown?: boolean;
  /**
   * The group's `group_id` in `sys.availability_groups`. A group dropped and made again has a new one,
   * and the managed instance's side of the link stays bound to the old one.
   */
  groupId?: string;
}

export const REPLACE_ON = [
  "name",
  "agName",
  "miAgName",
  "sqlServerListenerUrl",
  "managedInstanceFqdn",
  "managedInstanceName",
  "database",
  "sessionTimeout",
];

/** Inputs as the builder's fields name them, to report its failures on the right property. */
export const BUILDER_FIELD_TO_PROPERTY: Record<string, string> = {
  dagName: "name",
  miFqdn: "managedInstanceFqdn",
  miName: "managedInstanceName",
  miListenerUrl: "managedInstanceFqdn",
};

export function withDefaults(inputs: DistributedAvailabilityGroupInputs): DistributedAvailabilityGroupInputs {
  return {
    ...inputs,
    initialPrimary: inputs.initialPrimary ?? "SqlServer",
    availabilityMode: inputs.availabilityMode ?? "ASYNCHRONOUS_COMMIT",
    sessionTimeout: inputs.sessionTimeout ?? 20,
  };
}

export function createSpec(inputs: DistributedAvailabilityGroupInputs) {
  return {
    dagName: inputs.name,
    agName: inputs.agName,
    miAgName: inputs.miAgName,
    sqlServerListenerUrl: inputs.sqlServerListenerUrl,
    miFqdn: inputs.managedInstanceFqdn,
    miName: inputs.managedInstanceName,
    database: inputs.database,
    initialPrimary: inputs.initialPrimary ?? "SqlServer",
    availabilityMode: inputs.availabilityMode,
    sessionTimeout: inputs.sessionTimeout,
  };
}

export function expectedMiListenerUrl(inputs: DistributedAvailabilityGroupInputs): string {
  return miListenerUrl(
    inputs.managedInstanceFqdn,
    inputs.managedInstanceName,
    inputs.initialPrimary === "ManagedInstance" ? inputs.database : undefined,
  );
}

/** Why an existing group cannot be adopted, or undefined when it can. */
export function adoptionConflict(
  existing: DistributedAgInfo,
  inputs: DistributedAvailabilityGroupInputs,
): string | undefined {
  if (!existing.isDistributed) return "it is a regular availability group, not a distributed one";
  const sql = existing.members.find((m) => sameName(m.agName, inputs.agName));
  const mi = existing.members.find((m) => sameName(m.agName, inputs.miAgName));
  if (!sql || !mi || existing.members.length !== 2) {
    const names = existing.members.map((m) => `'${m.agName}'`).join(" and ");
    return `its members are ${names}, not '${inputs.agName}' and '${inputs.miAgName}'`;
  }
  if (!sameName(sql.listenerUrl, inputs.sqlServerListenerUrl)) {
    return `'${sql.agName}' listens on ${sql.listenerUrl}, not ${inputs.sqlServerListenerUrl}`;
  }
  const miUrl = expectedMiListenerUrl(inputs);
  if (!sameName(mi.listenerUrl, miUrl)) return `'${mi.agName}' listens on ${mi.listenerUrl}, not ${miUrl}`;
  return undefined;
}

/** The outputs that reflect the catalog. */
export function observed(
  inputs: Pick<DistributedAvailabilityGroupInputs, "agName" | "sessionTimeout">,
  dag: DistributedAgInfo,
): Pick<
  DistributedAvailabilityGroupOutputs,
  "members" | "localRole" | "availabilityMode" | "sessionTimeout" | "groupId"
> {
  const members = dag.members.map((m) => ({
    agName: m.agName,
    listenerUrl: m.listenerUrl,
    availabilityMode: m.availabilityMode,
    failoverMode: m.failoverMode,
    seedingMode: m.seedingMode,
    sessionTimeout: m.sessionTimeout,
    role: m.role,
  }));
  const sql = dag.members.find((m) => sameName(m.agName, inputs.agName));
  const modes = new Set(dag.members.map((m) => m.availabilityMode));
  return {
    members,
    localRole: sql?.role ?? null,
    // Members in different modes show as no mode, so the next update sets both again.
    availabilityMode: modes.size === 1 ? ([...modes][0] as AvailabilityMode) : null,
    sessionTimeout: sql?.sessionTimeout ?? inputs.sessionTimeout,
    groupId: dag.groupId,
  };
}

/**
 * Parts of DatabaseLink kept apart to keep it readable: the Azure settings LinkRole and
 * LinkCutover share, the status a link reports (while it exists, and after its cutover), and the log backup children
 * (the first log backup after seeding, the optional Agent job).
 */
import type * as azureSql from "@pulumi/azure-native/sql";
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "../dynamic/common/resource";
import type { LinkCutover } from "../dynamic/link-cutover";
import type { LinkReadiness } from "../dynamic/link-readiness";
import type { LinkRole } from "../dynamic/link-role";
import { LogBackup } from "../dynamic/log-backup";
import { LogBackupJob } from "../dynamic/log-backup-job";
import { defaultLogBackupJobName } from "../tsql/statements/agent-job";
import type { DatabaseLinkArgs, DatabaseLinkStatus } from "./database-link";

function requireFor<T>(value: T | undefined, field: string, setting: string): T {
  if (value === undefined) throw new Error(`DatabaseLink: ${field} is required when ${setting} is given.`);
  return value;
}

/** What LinkRole and LinkCutover need to reach the Azure link. */
export function azureSettings(args: DatabaseLinkArgs, setting: "primary" | "cutover") {
  return {
    subscriptionId: requireFor(args.subscriptionId, "subscriptionId", setting),
    databaseFormat: requireFor(args.databaseFormat, "databaseFormat", setting),
    resourceGroupName: args.resourceGroupName,
    managedInstanceName: args.managedInstanceName,
    armEndpoint: args.armEndpoint,
    tlsCaPem: args.tlsCaPem,
    armAccessToken: args.armAccessToken === undefined ? undefined : pulumi.secret(args.armAccessToken),
    armAccessTokenConfig: args.armAccessTokenConfig,
    armPollIntervalMs: args.armPollIntervalMs,
  };
}

/** The link as created and last observed: Azure's ids and replica state, the readiness's observation, the roles. */
export function linkStatus(
  names: { database: string; agName: string; miAgName: string; dagName: string },
  link: azureSql.DistributedAvailabilityGroup,
  readiness: LinkReadiness,
  role: LinkRole | undefined,
): pulumi.Output<DatabaseLinkStatus> {
  const database = names.database.toLowerCase();
  return pulumi
    .all([
      link.id,
      link.distributedAvailabilityGroupId,
      link.databases,
      pulumi.output({
        connectedState: readiness.connectedState,
        synchronizationState: readiness.synchronizationState,
        seedingProgressPercent: readiness.seedingProgressPercent,
        lastHardenedLsn: readiness.lastHardenedLsn,
        sqlServerRole: role?.sqlServerRole ?? null,
        managedInstanceRole: role?.managedInstanceRole ?? null,
      }),
    ])
    .apply(([linkId, dagId, databases, observed]) => {
      const db = databases?.find((d) => d.databaseName?.toLowerCase() === database);
      return {
        ...names,
        linkId,
        distributedAvailabilityGroupId: dagId,
        connectedState: observed.connectedState ?? null,
        synchronizationState: observed.synchronizationState ?? null,
        seedingProgressPercent: observed.seedingProgressPercent ?? null,
        lastHardenedLsn: observed.lastHardenedLsn ?? null,
        replicaState: db?.replicaState ?? null,
        sqlServerRole: observed.sqlServerRole ?? null,
        managedInstanceRole: observed.managedInstanceRole ?? null,
        cutoverCompletedAt: null,
        managedInstanceFirstBackupAt: null,
      };
    });
}

/** After the cutover there is no link to observe: only the names and when it ended. */
export function cutoverStatus(
  names: { database: string; agName: string; miAgName: string; dagName: string },
  cutover: LinkCutover,
): pulumi.Output<DatabaseLinkStatus> {
  return pulumi
    .all([cutover.cutoverCompletedAt, cutover.managedInstanceFirstBackupAt])
    .apply(([completedAt, firstBackupAt]) => ({
      ...names,
      linkId: "",
      distributedAvailabilityGroupId: "",
      connectedState: null,
      synchronizationState: null,
      seedingProgressPercent: null,
      lastHardenedLsn: null,
      replicaState: null,
      sqlServerRole: null,
      managedInstanceRole: null,
      cutoverCompletedAt: completedAt ?? null,
      managedInstanceFirstBackupAt: firstBackupAt ?? null,
    }));
}

/**
 * Once seeding has completed, the first log backup (to the full backup's target) lets the log the
 * link keeps be truncated; it waits for seeding as long as the readiness wait would. The Agent job
 * of the regular log backups follows it (or the readiness, without a backup target).
 */
export function logBackupChildren(
  name: string,
  args: DatabaseLinkArgs,
  link: {
    connection: ConnectionArgs;
    dagName: pulumi.Input<string>;
    /** The distributed group's id: a group made again replaces the first log backup (shown in a preview). */
    dagId: pulumi.Input<string>;
    /** The Azure link's distributedAvailabilityGroupId: a link made again seeds again. */
    linkId: pulumi.Input<string>;
    /** The database's group_database_id: a database put back in its group is looked at again. */
    groupDatabaseId: pulumi.Input<string | null> | undefined;
    linkReadiness: LinkReadiness;
    miPrimary: boolean;
    parent: { parent: pulumi.Resource };
  },
): { logBackup: LogBackup | undefined; logBackupJob: LogBackupJob | undefined } {
  const database = args.database;
  const logBackup =
    link.miPrimary || args.backupTarget === undefined
      ? undefined
      : new LogBackup(
          `${name}-log-backup`,
          {
            ...link.connection,
            database,
            dagName: link.dagName,
            backupTarget: args.backupTarget,
            seedingWaitSeconds: args.waitTimeoutSeconds ?? 600,
            linkId: link.linkId,
            groupDatabaseId: link.groupDatabaseId,
          },
          { ...link.parent, dependsOn: [link.linkReadiness], replacementTrigger: link.dagId },
        );
  const schedule = args.logBackupSchedule;
  const logBackupJob =
    schedule === undefined
      ? undefined
      : new LogBackupJob(
          `${name}-log-backup-job`,
          {
            ...link.connection,
            jobName: defaultLogBackupJobName(database),
            database,
            destination: pulumi
              .output(schedule)
              .apply((s) => (s.url !== undefined ? { url: s.url } : { directory: s.directory ?? "" })),
            everyMinutes: pulumi.output(schedule).apply((s) => s.everyMinutes),
          },
          { ...link.parent, dependsOn: [logBackup ?? link.linkReadiness] },
        );
  return { logBackup, logBackupJob };
}

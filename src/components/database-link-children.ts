/**
 * Parts of DatabaseLink kept apart to keep it readable: the Azure settings LinkRole and
 * LinkCutover share, the status a link reports after its cutover, and the log backup children
 * (the first log backup after seeding, the optional Agent job).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "../dynamic/common/resource";
import type { LinkCutover } from "../dynamic/link-cutover";
import type { LinkReadiness } from "../dynamic/link-readiness";
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

/**
 * DatabaseLink: the link of one database between a SQL Server and a managed instance, built on a
 * SqlServerTrust. SQL Server side: the database made ready (FULL recovery and a full backup,
 * skipped when the managed instance is the initial primary), its availability group and the
 * distributed availability group; Azure side: the link resource. The Azure link is created
 * after SQL Server's distributed availability group and the trust, and the link's role is left to
 * failovers (ignored after creation). Once the link replicates: the first log backup after seeding
 * (with a backup target) and, when asked for, an Agent job for the regular ones.
 *
 * With `cutover: true` only a LinkCutover is declared: it ends the migration (failover, the
 * managed instance's first full backup, then the link dropped on both sides), and the link's other
 * children leave the state without being created again.
 */
import * as azureSql from "@pulumi/azure-native/sql";
import * as pulumi from "@pulumi/pulumi";
import { AvailabilityGroup } from "../dynamic/availability-group";
import { connectionArgsOf, type ConnectionArgs } from "../dynamic/common/resource";
import { DatabaseReadiness } from "../dynamic/database-readiness";
import { DistributedAvailabilityGroup } from "../dynamic/distributed-availability-group";
import { LinkCutover } from "../dynamic/link-cutover";
import { LinkReadiness } from "../dynamic/link-readiness";
import { LinkCertificateCheck } from "../dynamic/certificates/link-certificate-check";
import { LinkRole } from "../dynamic/link-role";
import type { LogBackup } from "../dynamic/log-backup";
import type { LogBackupJob } from "../dynamic/log-backup-job";
import { defaultAgName, defaultDagName, defaultMiAgName } from "../tsql/names";
import type { BackupTarget } from "../tsql/statements/backup";
import type { DatabaseFormat, InitialPrimary, LinkFailoverMode } from "../tsql/versions";
import { DEFAULTS, type LogBackupScheduleArgs, type ReplicationMode } from "./args";
import { azureSettings, cutoverStatus, linkStatus, logBackupChildren } from "./database-link-children";
import type { SqlServerTrust } from "./sql-server-trust";

export interface DatabaseLinkArgs extends ConnectionArgs {
  /** The database to link. Required. */
  database: string;
  /** The trust between this SQL Server and the managed instance (its objects are created first). Required. */
  trust: SqlServerTrust;
  /** `@@SERVERNAME` of the SQL Server. Required. */
  serverName: pulumi.Input<string>;
  /** `SERVERPROPERTY('ProductVersion')` of the SQL Server. Required. */
  productVersion: pulumi.Input<string>;
  /** `TCP://<endpointHost>:<endpointPort>`: SQL Server's mirroring endpoint as the managed instance reaches it. Required. */
  endpointUrl: pulumi.Input<string>;
  /** Resource group of the managed instance. Required. */
  resourceGroupName: pulumi.Input<string>;
  /** Short name of the managed instance. Required. */
  managedInstanceName: pulumi.Input<string>;
  /** FQDN of the managed instance. Required. */
  managedInstanceFqdn: pulumi.Input<string>;
  /** Availability group on SQL Server. Default `AG_<db>`. */
  agName?: string;
  /** Availability group on the managed instance. Default `AG_<db>_MI`. */
  miAgName?: string;
  /** Distributed availability group and Azure link name. Default `DAG_<db>`. */
  dagName?: string;
  /** Which side holds the database at creation. Default "SqlServer". */
  initialPrimary?: InitialPrimary;
  /** "Manual" (two-way) or "None" (one-way to Azure). Default "Manual". */
  failoverMode?: pulumi.Input<LinkFailoverMode>;
  /** "Async" or "Sync". Default "Async". */
  replicationMode?: pulumi.Input<ReplicationMode>;
  /** Where a missing full backup is written. Default: none (a database without one is refused). */
  backupTarget?: pulumi.Input<BackupTarget>;
  /** An Agent job taking the database's log backups every N minutes. Default: none. */
  logBackupSchedule?: pulumi.Input<LogBackupScheduleArgs>;
  /** Wait until the managed instance's replica reaches this state. Default "SYNCHRONIZING". */
  waitFor?: pulumi.Input<"CONNECTED" | "SYNCHRONIZING" | "SYNCHRONIZED">;
  /** Deadline of that wait, in seconds. Default 600. */
  waitTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Verify this link with the endpoint's certificate, again after each rotation (a
   * LinkCertificateCheck of its own). Default true. MiLink sets false and checks all its links
   * with one LinkCertificateCheck.
   */
  certificateCheck?: boolean;
  /** The side that should be primary; given, a LinkRole manages failovers. Default: roles not managed. */
  primary?: pulumi.Input<InitialPrimary>;
  /** With `primary`: the managed instance's subscription. Required then. */
  subscriptionId?: pulumi.Input<string>;
  /** With `primary`: the managed instance's update policy. Required then. */
  databaseFormat?: pulumi.Input<DatabaseFormat>;
  /** With `primary`: ARM endpoint. Default https://management.azure.com. */
  armEndpoint?: pulumi.Input<string>;
  /** With `primary`: PEM certificates to trust for ARM's TLS. Default: the system's. */
  tlsCaPem?: pulumi.Input<string>;
  /** With `primary`: a bearer token for ARM, wrapped as a secret. Default: DefaultAzureCredential. */
  armAccessToken?: pulumi.Input<string>;
  /** With `primary`: instead of `armAccessToken`, the name of the stack config key holding it. Default: none. */
  armAccessTokenConfig?: pulumi.Input<string>;
  /**
   * Ends the migration: fail over to the managed instance, wait for its first full backup, then
   * delete the Azure link and drop SQL Server's DAG and AG (the database on SQL Server stays). Only
   * a LinkCutover is declared then, so nothing of the link is created again. Needs
   * `subscriptionId` and `databaseFormat`. Default false.
   */
  cutover?: boolean;
  /** With `cutover`: deadline of the wait for the managed instance's first full backup, in seconds. Default 3600. */
  firstBackupTimeoutSeconds?: pulumi.Input<number>;
  /** With `primary`: fail over without waiting for synchronization; may lose data. Default false. */
  forceFailoverAllowDataLoss?: pulumi.Input<boolean>;
  /** With `primary`: how long a planned failover waits for synchronization, in seconds. Default 300. */
  failoverTimeoutSeconds?: pulumi.Input<number>;
  /** With `primary`: how long equal LSNs must stay unchanged before failing over, in seconds. Default 5. */
  failoverLsnStableSeconds?: pulumi.Input<number>;
  /** With `primary`: polling interval of Azure long-running operations without Retry-After, in ms. Default 5000. */
  armPollIntervalMs?: pulumi.Input<number>;
}

/** What a link reports once created. */
export interface DatabaseLinkStatus {
  database: string;
  agName: string;
  miAgName: string;
  dagName: string;
  /** The Azure link's resource id. */
  linkId: string;
  /** The Azure link's distributedAvailabilityGroupId. */
  distributedAvailabilityGroupId: string;
  /** The managed instance replica's connection on SQL Server: CONNECTED or DISCONNECTED. */
  connectedState: string | null;
  /** The database's synchronization state on SQL Server: SYNCHRONIZING, SYNCHRONIZED, ... */
  synchronizationState: string | null;
  /** Seeding progress observed on SQL Server, in percent. */
  seedingProgressPercent: number | null;
  /** Last hardened LSN of the database, observed on SQL Server. */
  lastHardenedLsn: string | null;
  /** Azure's replicaState of the database (e.g. LinkSynchronizing; ends in Error on failure). */
  replicaState: string | null;
  /** SQL Server's role in the link (PRIMARY/SECONDARY), when `primary` is managed; else null. */
  sqlServerRole: string | null;
  /** The managed instance's role in the link, when `primary` is managed; else null. */
  managedInstanceRole: string | null;
  /** When the migration cutover completed (the link is gone); null while the link exists. */
  cutoverCompletedAt: string | null;
  /** The managed instance's first full backup (earliest restore point) the cutover waited for; else null. */
  managedInstanceFirstBackupAt: string | null;
}

/** One database's Managed Instance link. */
export class DatabaseLink extends pulumi.ComponentResource {
  /** The linked database. */
  public readonly database: string;
  /** The availability group on SQL Server. */
  public readonly agName: string;
  /** The availability group on the managed instance. */
  public readonly miAgName: string;
  /** The distributed availability group, also the Azure link's name. */
  public readonly dagName: string;
  /** The link as created and last observed. */
  public readonly status!: pulumi.Output<DatabaseLinkStatus>;

  /** FULL recovery and a full backup; undefined when the managed instance is the initial primary. */
  public readonly readiness: DatabaseReadiness | undefined;
  /** The availability group on SQL Server; undefined after a cutover. */
  public readonly availabilityGroup: AvailabilityGroup | undefined;
  /** SQL Server's side of the link; undefined after a cutover. */
  public readonly distributedAvailabilityGroup: DistributedAvailabilityGroup | undefined;
  /** The Azure link (the managed instance's side); undefined after a cutover. */
  public readonly link: azureSql.DistributedAvailabilityGroup | undefined;
  /** Waits until the managed instance has joined and the database replicates; undefined after a cutover. */
  public readonly linkReadiness: LinkReadiness | undefined;
  /** The migration cutover, when `cutover` is true: the only child then. */
  public readonly cutover: LinkCutover | undefined;
  /** The first log backup after seeding, when a backup target is given and SQL Server is the initial primary. */
  public readonly logBackup: LogBackup | undefined;
  /** The Agent job of the regular log backups, when `logBackupSchedule` is given. */
  public readonly logBackupJob: LogBackupJob | undefined;
  /** Verifies the link is CONNECTED with SQL Server's current endpoint certificate (again after a rotation); undefined after a cutover or with `certificateCheck: false`. */
  public readonly certificateCheck: LinkCertificateCheck | undefined;
  /** The declared primary, when `primary` is given: changing it fails over. */
  public readonly role: LinkRole | undefined;

  constructor(name: string, args: DatabaseLinkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mi-link:index:DatabaseLink", name, {}, opts);
    const parent = { parent: this };
    const connection = connectionArgsOf(args);
    const database = args.database;
    this.database = database;
    this.agName = args.agName ?? defaultAgName(database);
    this.miAgName = args.miAgName ?? defaultMiAgName(database);
    this.dagName = args.dagName ?? defaultDagName(database);
    const initialPrimary = args.initialPrimary ?? DEFAULTS.initialPrimary;
    const miPrimary = initialPrimary === "ManagedInstance";
    const replicationMode = pulumi.output(args.replicationMode ?? DEFAULTS.replicationMode);

    if (args.cutover === true) {
      // The end state of a migration: only the cutover is declared. The link's other children, no
      // longer declared, leave the state after it (their deletes find the objects already gone),
      // and no later up creates them again.
      this.readiness = undefined;
      this.availabilityGroup = undefined;
      this.distributedAvailabilityGroup = undefined;
      this.link = undefined;
      this.linkReadiness = undefined;
      this.role = undefined;
      this.logBackup = undefined;
      this.logBackupJob = undefined;
      this.certificateCheck = undefined;
      this.cutover = new LinkCutover(
        `${name}-cutover`,
        {
          ...connection,
          ...azureSettings(args, "cutover"),
          dagName: this.dagName,
          agName: this.agName,
          miAgName: this.miAgName,
          database,
          productVersion: args.productVersion,
          failoverMode: args.failoverMode ?? DEFAULTS.failoverMode,
          replicationMode,
          forceFailoverAllowDataLoss: args.forceFailoverAllowDataLoss,
          synchronizationTimeoutSeconds: args.failoverTimeoutSeconds,
          lsnStableSeconds: args.failoverLsnStableSeconds,
          firstBackupTimeoutSeconds: args.firstBackupTimeoutSeconds,
        },
        { ...parent, dependsOn: [args.trust.endpoint] },
      );
      this.status = cutoverStatus(
        { database, agName: this.agName, miAgName: this.miAgName, dagName: this.dagName },
        this.cutover,
      );
      this.registerOutputs({ status: this.status });
      return;
    }
    this.cutover = undefined;

    // With the managed instance as initial primary the database arrives by seeding: nothing to prepare.
    this.readiness = miPrimary
      ? undefined
      : new DatabaseReadiness(
          `${name}-readiness`,
          { ...connection, database, backupTarget: args.backupTarget },
          parent,
        );

    this.availabilityGroup = new AvailabilityGroup(
      `${name}-ag`,
      {
        ...connection,
        name: this.agName,
        database: miPrimary ? undefined : database,
        replicaServerName: args.serverName,
        endpointUrl: args.endpointUrl,
        productVersion: args.productVersion,
      },
      { ...parent, dependsOn: [args.trust.endpoint, ...(this.readiness ? [this.readiness] : [])] },
    );

    this.distributedAvailabilityGroup = new DistributedAvailabilityGroup(
      `${name}-dag`,
      {
        ...connection,
        name: this.dagName,
        agName: this.availabilityGroup.name,
        miAgName: this.miAgName,
        sqlServerListenerUrl: args.endpointUrl,
        managedInstanceFqdn: args.managedInstanceFqdn,
        managedInstanceName: args.managedInstanceName,
        database,
        initialPrimary,
        availabilityMode: replicationMode.apply((mode) =>
          mode === "Sync" ? "SYNCHRONOUS_COMMIT" : "ASYNCHRONOUS_COMMIT",
        ),
      },
      // The DAG reaches the managed instance through its trusted certificate: created after it, and
      // dropped before it and its root CAs (which stay while a DAG to a managed instance remains).
      { ...parent, dependsOn: [this.availabilityGroup, args.trust.managedInstanceCertificate] },
    );

    this.link = new azureSql.DistributedAvailabilityGroup(
      `${name}-link`,
      {
        resourceGroupName: args.resourceGroupName,
        managedInstanceName: args.managedInstanceName,
        distributedAvailabilityGroupName: this.distributedAvailabilityGroup.name,
        partnerAvailabilityGroupName: this.availabilityGroup.name,
        instanceAvailabilityGroupName: this.miAgName,
        partnerEndpoint: args.endpointUrl,
        instanceLinkRole: miPrimary ? "Primary" : "Secondary",
        databases: [{ databaseName: database }],
        failoverMode: args.failoverMode ?? DEFAULTS.failoverMode,
        replicationMode,
        seedingMode: "Automatic",
      },
      {
        ...parent,
        // Both sides must trust each other before the managed instance connects.
        dependsOn: [
          this.distributedAvailabilityGroup,
          args.trust.endpoint,
          args.trust.serverTrustCertificate,
          args.trust.managedInstanceCertificate,
        ],
        // Failovers change the role outside Pulumi: the next up must not flip it back.
        ignoreChanges: ["instanceLinkRole"],
        // The managed instance's side of a link stays bound to the distributed group it joined: a group
        // made again (dropped out of band, then re-created by the next up) needs a new link. Its id
        // changes only then, and is known in a preview of anything else.
        replacementTrigger: this.distributedAvailabilityGroup.id,
        // Same name, same Azure resource: the old link goes before the new one is made.
        deleteBeforeReplace: true,
      },
    );

    // With the managed instance as initial primary the database joins by seeding, after the group.
    const groupDatabaseId = miPrimary ? undefined : this.availabilityGroup.groupDatabaseId;
    this.linkReadiness = new LinkReadiness(
      `${name}-link-readiness`,
      {
        ...connection,
        dagName: this.distributedAvailabilityGroup.name,
        database,
        waitFor: args.waitFor,
        timeoutSeconds: args.waitTimeoutSeconds,
        linkId: this.link.distributedAvailabilityGroupId,
        groupDatabaseId,
      },
      // The managed instance only joins once the Azure link exists. A new link (new linkId), or the
      // database put back in its group (new groupDatabaseId), is waited for again; the trigger shows
      // it in a preview when the group was made again.
      { ...parent, dependsOn: [this.link], replacementTrigger: this.distributedAvailabilityGroup.id },
    );

    // Re-runs whenever the endpoint certificate changes (a rotation): the old generation is only
    // removed, at the end of the up, once the link is seen CONNECTED with the new one.
    this.certificateCheck =
      args.certificateCheck === false
        ? undefined
        : new LinkCertificateCheck(
            `${name}-link-certificate`,
            {
              ...connection,
              links: [{ dagName: this.distributedAvailabilityGroup.name, database }],
              certificateName: args.trust.certificateName,
              timeoutSeconds: args.waitTimeoutSeconds,
            },
            { ...parent, dependsOn: [this.linkReadiness, args.trust.endpoint] },
          );
    ({ logBackup: this.logBackup, logBackupJob: this.logBackupJob } = logBackupChildren(name, args, {
      connection,
      dagName: this.distributedAvailabilityGroup.name,
      dagId: this.distributedAvailabilityGroup.id,
      linkId: this.link.distributedAvailabilityGroupId,
      groupDatabaseId,
      linkReadiness: this.linkReadiness,
      miPrimary,
      parent,
    }));

    this.role =
      args.primary === undefined
        ? undefined
        : new LinkRole(
            `${name}-role`,
            {
              ...connection,
              ...azureSettings(args, "primary"),
              dagName: this.distributedAvailabilityGroup.name,
              agName: this.agName,
              miAgName: this.miAgName,
              database,
              primary: args.primary,
              productVersion: args.productVersion,
              failoverMode: args.failoverMode ?? DEFAULTS.failoverMode,
              replicationMode,
              forceFailoverAllowDataLoss: args.forceFailoverAllowDataLoss,
              synchronizationTimeoutSeconds: args.failoverTimeoutSeconds,
              lsnStableSeconds: args.failoverLsnStableSeconds,
            },
            // Roles are only meaningful once the link replicates.
            { ...parent, dependsOn: [this.linkReadiness] },
          );

    this.status = linkStatus(
      { database, agName: this.agName, miAgName: this.miAgName, dagName: this.dagName },
      this.link,
      this.linkReadiness,
      this.role,
    );
    this.registerOutputs({ status: this.status });
  }
}

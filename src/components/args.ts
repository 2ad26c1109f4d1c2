/**
 * The arguments of the MiLink component: where SQL Server and the managed instance are, which
 * databases to link and how. Every field is a `pulumi.Input` except `databases` and the
 * per-database name overrides: one child resource set is created per database, so their names
 * must be known when the program runs.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { SqlServerHostPreparationArgs } from "../hostprep/component";

/** `hostPreparation`'s type, for programs that build it apart. */
export type { HostOs, SqlServerHostPreparationArgs } from "../hostprep/component";
import type { BackupTarget } from "../tsql/statements/backup";
import type { EndpointAlgorithm } from "../tsql/statements/endpoint";
import type { InitialPrimary, LinkFailoverMode } from "../tsql/versions";
import type { SqlServerTrust } from "./sql-server-trust";

/** How the program signs in to SQL Server. */
export type SqlServerAuthenticationType = "default" | "ntlm" | "azure-active-directory-access-token";

/** The link's replication mode on the managed instance side. */
export type ReplicationMode = "Async" | "Sync";

/** Where and how this program reaches SQL Server, and where the managed instance reaches it back. */
export interface SqlServerArgs {
  /** Host name or IP address this program reaches SQL Server on over TDS. Required. */
  host: pulumi.Input<string>;
  /** TDS port. Default 1433. */
  port?: pulumi.Input<number>;
  /** SQL login (authenticationType "default") or Windows user name ("ntlm"). Default: none. */
  user?: pulumi.Input<string>;
  /**
   * Password of `user`. Wrapped as a secret by the component. Give it or `passwordConfig`, not both.
   * With `password` the value passes through the dynamic resources' inputs, so the replies of the
   * local dynamic-provider host to the engine carry it (Pulumi still stores it encrypted). Default: none.
   */
  password?: pulumi.Input<string>;
  /**
   * Instead of `password`: the name of the stack config key holding it, e.g. `"sqlPassword"` after
   * `pulumi config set --secret sqlPassword ...` (or `"<namespace>:sqlPassword"`). The providers read
   * it from the stack config at run time: no resource input, state entry or provider reply carries
   * the password, and a rotated password in the config is what the next run (delete included) uses.
   * A plain string, not an Output: the key is read when the program runs. Default: none.
   */
  passwordConfig?: string;
  /** "default" (SQL login), "ntlm" (Windows, with `domain`) or "azure-active-directory-access-token" (with `accessToken`). Default "default". */
  authenticationType?: pulumi.Input<SqlServerAuthenticationType>;
  /** Windows domain, for "ntlm". Default: none. */
  domain?: pulumi.Input<string>;
  /** Microsoft Entra access token, for "azure-active-directory-access-token". Wrapped as a secret. Give it or `accessTokenConfig`. Default: none. */
  accessToken?: pulumi.Input<string>;
  /** Instead of `accessToken`: the name of the stack config key holding it (as `passwordConfig`). Default: none. */
  accessTokenConfig?: string;
  /** Encrypt the TDS connection. Default true. */
  encrypt?: pulumi.Input<boolean>;
  /** Accept a TLS certificate that does not chain to a trusted root. Default false. */
  trustServerCertificate?: pulumi.Input<boolean>;
  /** Address (DNS name or IP) the managed instance uses to reach SQL Server's mirroring endpoint. Required. */
  endpointHost: pulumi.Input<string>;
  /** Port of SQL Server's mirroring endpoint. Default 5022. */
  endpointPort?: pulumi.Input<number>;
  /** Name of the mirroring endpoint when none exists yet. Default "database_mirroring_endpoint". */
  endpointName?: pulumi.Input<string>;
  /** Encryption algorithms of the endpoint, in order of preference; must include AES. Default ["AES"]. */
  endpointAlgorithms?: pulumi.Input<EndpointAlgorithm[]>;
}

/** Which Azure SQL Managed Instance the databases are linked to, and how to reach Azure. */
export interface ManagedInstanceArgs {
  /** Resource group of the managed instance. Required. */
  resourceGroupName: pulumi.Input<string>;
  /** Short name of the managed instance (not its FQDN). Required. */
  name: pulumi.Input<string>;
  /** Subscription of the managed instance. Default: the one in the managed instance's resource id. */
  subscriptionId?: pulumi.Input<string>;
  /** Azure Resource Manager endpoint for the calls azure-native lacks. Default https://management.azure.com. */
  armEndpoint?: pulumi.Input<string>;
  /** Bearer token for those ARM calls. Wrapped as a secret. Give it or `accessTokenConfig`. Default: DefaultAzureCredential signs in. */
  accessToken?: pulumi.Input<string>;
  /**
   * Instead of `accessToken`: the name of the stack config key holding it (as `sqlServer.passwordConfig`).
   * A refreshed token set in the config is what the next run, delete included, uses. Default: none.
   */
  accessTokenConfig?: string;
  /** PEM certificates to trust for the ARM endpoint's TLS. Default: the system trust store. */
  tlsCaPem?: pulumi.Input<string>;
}

/** Name overrides for one database's link. Each default follows Microsoft's runbook. */
export interface LinkNameArgs {
  /** Availability group on SQL Server. Default `AG_<db>`. */
  agName?: string;
  /** Availability group the managed instance creates. Default `AG_<db>_MI`. */
  miAgName?: string;
  /** Distributed availability group, also the Azure link's name. Default `DAG_<db>`. */
  dagName?: string;
}

/** A SQL Server Agent job for each linked database's regular log backups. */
export interface LogBackupScheduleArgs {
  /** Minutes between two log backups, 1-1440. Required. */
  everyMinutes: number;
  /** Directory on the SQL Server host for the `.trn` files (one per backup). Give this or `url`. */
  directory?: string;
  /** Blob container URL for the `.trn` files (SQL Server needs a credential for it). Give this or `directory`. */
  url?: string;
}

/** Everything `new MiLink(name, args)` takes. */
export interface MiLinkArgs {
  /** The SQL Server side. Required. */
  sqlServer: SqlServerArgs;
  /** The managed instance side. Required. */
  managedInstance: ManagedInstanceArgs;
  /** User databases to link, one link each (1-100, no duplicates, no system databases). Required. */
  databases: string[];
  /**
   * Password of master's database master key, used when the key has to be created. Wrapped as a
   * secret. This or `masterKeyPasswordConfig` is required (not both).
   */
  masterKeyPassword?: pulumi.Input<string>;
  /**
   * Instead of `masterKeyPassword`: the name of the stack config key holding it, e.g.
   * `"masterKeyPassword"` (or `"<namespace>:masterKeyPassword"`). Read by the provider when it
   * creates the key; the password then appears in no resource input, state entry or provider
   * reply. Default: none.
   */
  masterKeyPasswordConfig?: string;
  /** Last day (`YYYY-MM-DD`) of SQL Server's endpoint certificate. Default: 2 years after its creation, then stable. */
  certificateExpiry?: pulumi.Input<string>;
  /**
   * Rotate SQL Server's endpoint certificate at `up` when it expires within this window, and warn
   * when either side's certificate does: `"<n>d"`, 1 to 365 days. A new certificate (valid 2 years,
   * or until `certificateExpiry`) is created next to the old one, uploaded to the managed instance,
   * the endpoint switched to it, and the old one removed once the link is connected with the new
   * one. Changing `certificateExpiry` rotates the same way. Default "30d".
   */
  rotateCertificateBefore?: string;
  /** Which side holds the databases when the links are created. "ManagedInstance" needs SQL Server 2022 CU10+. Default "SqlServer". */
  initialPrimary?: InitialPrimary;
  /** "Manual" (two-way: failover and fail back) or "None" (one-way to Azure). Default "Manual". */
  failoverMode?: LinkFailoverMode;
  /** "Async" or "Sync" replication. Default "Async". */
  replicationMode?: ReplicationMode;
  /**
   * Check prerequisites (version, Always On, databases, collation, endpoint, update policy, the
   * 100 links of a managed instance counting those already there) before any change, in preview
   * too. Default true.
   */
  preflight?: boolean;
  /** Per-database name overrides, keyed by database name. Default: the runbook's names. */
  links?: Record<string, LinkNameArgs>;
  /** Where to write a full backup for a database that has none since entering FULL recovery. Default: none (such a database is refused). */
  backupTarget?: pulumi.Input<BackupTarget>;
  /**
   * A SQL Server Agent job per database (`LogBackup_<db>`) that backs up the log every N minutes,
   * only on the primary replica and never while the link seeds. The link keeps the log until a log
   * backup runs; without this, schedule log backups yourself. Deleted with the link or at cutover.
   * Default: no job (the component takes only the first log backup after seeding).
   */
  logBackupSchedule?: pulumi.Input<LogBackupScheduleArgs>;
  /** Wait for each link until the managed instance replica reaches this state. Default "SYNCHRONIZING". */
  waitFor?: pulumi.Input<"CONNECTED" | "SYNCHRONIZING" | "SYNCHRONIZED">;
  /** Deadline of that wait, in seconds. Default 600. */
  waitTimeoutSeconds?: pulumi.Input<number>;
  /**
   * The side that should be primary. Given, each link gets a LinkRole: changing this value later
   * fails over safely (synchronous commit, LSNs equal and stable, then the switch). Default: the
   * role is not managed by this component.
   */
  primary?: pulumi.Input<"SqlServer" | "ManagedInstance">;
  /**
   * Ends the migration (one `pulumi up`): each link fails over to the managed instance (planned,
   * unless forceFailoverAllowDataLoss), waits until the managed instance's first full backup of the
   * database exists, then the Azure link is deleted and SQL Server's distributed availability group
   * and availability group are dropped. The databases on SQL Server are kept as they are; the trust
   * (certificates, endpoint) stays until destroy. Later ups change nothing. Must be known in preview
   * (a plain value or config). `primary`, when given, must be "ManagedInstance". Default false.
   */
  cutover?: pulumi.Input<boolean>;
  /** With `cutover`: how long to wait for the managed instance's first full backup, in seconds. Default 3600. */
  firstBackupTimeoutSeconds?: pulumi.Input<number>;
  /** With `primary`: fail over without waiting for synchronization; may lose data. Default false. */
  forceFailoverAllowDataLoss?: pulumi.Input<boolean>;
  /** With `primary`: how long a planned failover waits for synchronization, in seconds. Default 300. */
  failoverTimeoutSeconds?: pulumi.Input<number>;
  /** With `primary`: how long equal LSNs must stay unchanged before failing over, in seconds. Default 5. */
  failoverLsnStableSeconds?: pulumi.Input<number>;
  /** Polling interval of Azure long-running operations without Retry-After, in ms. Default 5000. */
  armPollIntervalMs?: pulumi.Input<number>;
  /**
   * Prepare the SQL Server host over SSH before any SQL step, as a SqlServerHostPreparation child
   * (`<name>-host`): Always On and trace flags 1800/9567 with the service restart, and, with
   * `managedInstanceHost`, the reachability test of the managed instance's ports (an unreachable
   * port stops the deployment before any SQL step). Runs only with `enabled: true`; then the
   * `script` output starts with its exact commands, the lookup of `up` waits for it, and the
   * preflight does not refuse Always On being off (the preparation turns it on). Default: none
   * (the host is prepared already).
   */
  hostPreparation?: SqlServerHostPreparationArgs;
  /**
   * An existing trust between this SQL Server and this managed instance, to share it between
   * several MiLink components (the managed instance refuses the same certificate twice). Default:
   * the component creates its own (`<name>-trust`).
   */
  trust?: SqlServerTrust;
}

/** Defaults of the optional arguments, in one place for the component, preflight and script. */
export const DEFAULTS = {
  port: 1433,
  endpointPort: 5022,
  endpointName: "database_mirroring_endpoint",
  initialPrimary: "SqlServer" as InitialPrimary,
  failoverMode: "Manual" as LinkFailoverMode,
  replicationMode: "Async" as ReplicationMode,
  certificateValidityYears: 2,
  maxLinks: 100,
} as const;

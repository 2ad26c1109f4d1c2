/**
 * Everything an emulated SQL Server instance holds, as plain JSON: what
 * `saveState()` returns and `options.state` restores. Times are epoch
 * milliseconds, LSNs decimal strings, binary data hex.
 */
import type { AgentJobState, AgentScheduleState } from "./agent-jobs";
import type {
  AvailabilityMode,
  EndpointAlgorithm,
  FailoverMode,
  RecoveryModel,
  SeedingMode,
  WindowsAuth,
} from "./contract";

export const STATE_FORMAT = 1;

export interface LoginState {
  name: string;
  password: string;
  sysadmin: boolean;
  defaultDatabase: string;
}

export interface DatabaseState {
  name: string;
  id: number;
  createDate: number;
  recoveryModel: RecoveryModel;
  state: "ONLINE" | "RESTORING";
  system: boolean;
  /** End of log. */
  lsn: string;
  /** LSN of the last full, non-COPY_ONLY backup: the start of the log chain. */
  chainFullBackupLsn?: string;
  lastLogBackupLsn?: string;
  logUsePercent: number;
  /** The emulated workload writes to the log every lsnTickMs while true. */
  workload: boolean;
}

export interface BackupSetState {
  id: number;
  databaseName: string;
  type: "D" | "L";
  copyOnly: boolean;
  firstLsn: string;
  lastLsn: string;
  databaseBackupLsn: string;
  checkpointLsn: string;
  start: number;
  finish: number;
  recoveryModel: RecoveryModel;
  userName: string;
  size: number;
  device: string;
}

export interface CertificateState {
  name: string;
  id: number;
  derHex: string;
  privateKeyPem?: string;
  /** MK encrypted by the master key, PW by a password, NA no private key. */
  keyEncryption: "MK" | "PW" | "NA";
  createDate: number;
}

export interface MasterKeyState {
  createDate: number;
  modifyDate: number;
  guid: string;
}

export interface DatabaseSecurityState {
  masterKey?: MasterKeyState;
  certificates: CertificateState[];
}

export interface EndpointState {
  name: string;
  id: number;
  state: "STARTED" | "STOPPED" | "DISABLED";
  port: number;
  listenerIp: string;
  role: "ALL" | "PARTNER" | "WITNESS" | "NONE";
  windowsAuth?: WindowsAuth;
  certificateName?: string;
  certificateFirst: boolean;
  encryption: "DISABLED" | "SUPPORTED" | "REQUIRED";
  algorithms: EndpointAlgorithm[];
}

export interface ReplicaState {
  replicaId: string;
  serverName: string;
  endpointUrl: string;
  availabilityMode: AvailabilityMode;
  failoverMode: FailoverMode;
  seedingMode: SeedingMode;
  sessionTimeout: number;
  createDate: number;
  modifyDate: number;
}

export interface AgDatabaseState {
  name: string;
  groupDatabaseId: string;
}

export interface AvailabilityGroupState {
  kind: "AG";
  name: string;
  groupId: string;
  /** 0 WSFC, 1 EXTERNAL, 2 NONE */
  clusterType: 0 | 1 | 2;
  options: Record<string, string | number | boolean>;
  createDate: number;
  replicas: ReplicaState[];
  databases: AgDatabaseState[];
  createAnyDatabase: boolean;
  localRole: "PRIMARY" | "SECONDARY";
}

export interface LinkState {
  /** The MI asked to join (connectRemote). */
  joined: boolean;
  managedInstanceName?: string;
  connectRequestedAt?: number;
  connectedAt?: number;
  lastConnectError?: { number: number; description: string; timestamp: number };
  seeding: "NONE" | "PENDING" | "SEEDING" | "COMPLETED" | "FAILED";
  seedingStartedAt?: number;
  seedingCompletedAt?: number;
  seedingAttempts: number;
  seedingFailure?: string;
  /** SYNCHRONIZED is reached syncMs after this instant, if nothing interrupts. */
  syncClockStart?: number;
  /** Test control: the secondary stops hardening. */
  held: boolean;
  /** The MI side's hardened / end-of-log LSN. */
  remoteLsn: string;
  remoteWorkload: boolean;
  /** Replication mode set on the MI side (PATCH replicationMode); undefined = as configured here. */
  remoteAvailabilityMode?: "SYNCHRONOUS_COMMIT" | "ASYNCHRONOUS_COMMIT";
}

export interface DistributedMemberState {
  replicaId: string;
  agName: string;
  listenerUrl: string;
  availabilityMode: AvailabilityMode;
  failoverMode: FailoverMode;
  seedingMode: SeedingMode;
  sessionTimeout: number;
  createDate: number;
  modifyDate: number;
}

export interface DistributedGroupState {
  kind: "DAG";
  name: string;
  groupId: string;
  createDate: number;
  members: DistributedMemberState[];
  localAgName: string;
  remoteAgName: string;
  localRole: "PRIMARY" | "SECONDARY";
  remoteRole: "PRIMARY" | "SECONDARY";
  link: LinkState;
}

export type GroupState = AvailabilityGroupState | DistributedGroupState;

export interface InstanceState {
  format: typeof STATE_FORMAT;
  serverName: string;
  productVersion: string;
  edition: string;
  collation: string;
  hadrEnabled: boolean;
  logins: LoginState[];
  startedAt: number;
  /** Last instant the log clock advanced to. */
  lastTickAt: number;
  nextDatabaseId: number;
  nextCertificateId: number;
  nextBackupSetId: number;
  databases: DatabaseState[];
  backups: BackupSetState[];
  /** Keyed by database name (lower case). */
  security: Record<string, DatabaseSecurityState>;
  trustedIssuers: Array<{ certificateName: string; dnsName: string }>;
  endpoint?: EndpointState;
  groups: GroupState[];
  /** SQL Server Agent jobs and schedules in msdb (absent in state files written before they existed). */
  agentJobs?: AgentJobState[];
  agentSchedules?: AgentScheduleState[];
  nextScheduleId?: number;
}

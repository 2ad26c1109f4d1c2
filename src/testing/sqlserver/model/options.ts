/**
 * How an emulated instance starts: options, their defaults, and the initial
 * state they produce (system databases, logins, user databases).
 */
import type { RecoveryModel } from "./contract";
import { INITIAL_LSN, lsnAdd } from "./lsn";
import { STATE_FORMAT, type DatabaseState, type InstanceState } from "./state";
import { parseProductVersion } from "./version";

export interface HadrTimings {
  /** From connectRemote to the remote replica CONNECTED. */
  connectMs: number;
  /** Automatic seeding duration. */
  seedingMs: number;
  /** Synchronous commit: from SYNCHRONIZING to SYNCHRONIZED. */
  syncMs: number;
  /** The primary's log advances every lsnTickMs while its workload runs. */
  lsnTickMs: number;
}

export const DEFAULT_TIMINGS: HadrTimings = { connectMs: 200, seedingMs: 500, syncMs: 200, lsnTickMs: 100 };

export interface LoginOption {
  name: string;
  password: string;
  /** Default true for "sa", false otherwise. */
  sysadmin?: boolean;
  defaultDatabase?: string;
}

export interface DatabaseOption {
  name: string;
  recoveryModel?: RecoveryModel;
  /** A full, non-COPY_ONLY backup already exists (the log chain is established). Default false. */
  fullBackup?: boolean;
}

export interface InstanceOptions {
  /** @@SERVERNAME: "SQL1" or "HOST\\INSTANCE". */
  serverName?: string;
  /** Default "16.0.4125.3" (SQL Server 2022 CU13). */
  productVersion?: string;
  edition?: string;
  collation?: string;
  /** Always On availability groups enabled (IsHadrEnabled). Default true. */
  hadrEnabled?: boolean;
  /** Extra logins (non-sysadmin unless said). sa / "Passw0rd!" (sysadmin) always exists unless given here. */
  logins?: LoginOption[];
  databases?: DatabaseOption[];
  timings?: Partial<HadrTimings>;
  /** A state saved with saveState(): the instance restarts with it (other options are ignored). */
  state?: InstanceState;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
}

export const DEFAULT_SA: LoginOption = { name: "sa", password: "Passw0rd!", sysadmin: true };

export const SYSTEM_DATABASES = ["master", "tempdb", "model", "msdb"] as const;

export function initialState(options: InstanceOptions, now: number): InstanceState {
  const productVersion = options.productVersion ?? "16.0.4125.3";
  parseProductVersion(productVersion);
  const given = options.logins ?? [];
  // sa always exists; the options may give it another password.
  const withSa = given.some((l) => l.name.toLowerCase() === "sa") ? given : [DEFAULT_SA, ...given];
  const logins = withSa.map((l) => ({
    name: l.name,
    password: l.password,
    sysadmin: l.sysadmin ?? l.name.toLowerCase() === "sa",
    defaultDatabase: l.defaultDatabase ?? "master",
  }));
  const databases: DatabaseState[] = SYSTEM_DATABASES.map((name, i) => ({
    name,
    id: i + 1,
    createDate: now,
    recoveryModel: name === "model" ? "FULL" : "SIMPLE",
    state: "ONLINE",
    system: true,
    lsn: INITIAL_LSN,
    logUsePercent: 5,
    workload: false,
  }));
  const state: InstanceState = {
    format: STATE_FORMAT,
    serverName: options.serverName ?? "SQL1",
    productVersion,
    edition: options.edition ?? "Developer Edition (64-bit)",
    collation: options.collation ?? "SQL_Latin1_General_CP1_CI_AS",
    hadrEnabled: options.hadrEnabled ?? true,
    logins,
    startedAt: now,
    lastTickAt: now,
    nextDatabaseId: 5,
    nextCertificateId: 256,
    nextBackupSetId: 1,
    databases,
    backups: [],
    security: {},
    trustedIssuers: [],
    groups: [],
  };
  for (const option of options.databases ?? []) addInitialDatabase(state, option, now);
  return state;
}

function addInitialDatabase(state: InstanceState, option: DatabaseOption, now: number): void {
  const recoveryModel = option.recoveryModel ?? "FULL";
  const db: DatabaseState = {
    name: option.name,
    id: state.nextDatabaseId++,
    createDate: now,
    recoveryModel,
    state: "ONLINE",
    system: false,
    lsn: lsnAdd(INITIAL_LSN, 100),
    logUsePercent: 5,
    workload: true,
  };
  state.databases.push(db);
  if (option.fullBackup) {
    const firstLsn = db.lsn;
    db.lsn = lsnAdd(db.lsn, 1);
    if (recoveryModel !== "SIMPLE") db.chainFullBackupLsn = firstLsn;
    state.backups.push({
      id: state.nextBackupSetId++,
      databaseName: db.name,
      type: "D",
      copyOnly: false,
      firstLsn,
      lastLsn: db.lsn,
      databaseBackupLsn: "0",
      checkpointLsn: firstLsn,
      start: now,
      finish: now,
      recoveryModel,
      userName: "sa",
      size: 344 * 8192 + 4096,
      device: `/var/opt/mssql/data/${db.name}.bak`,
    });
  }
}

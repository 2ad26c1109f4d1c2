/**
 * The contract between the T-SQL interpreter (src/testing/sqlserver/tsql) and
 * the instance model (src/testing/sqlserver/model): what a SQL Server instance
 * holds and the documented rules and errors of each operation. The interpreter
 * parses and evaluates; the model decides what is allowed and what it does.
 *
 * Every mutating method throws `SqlError` (../types) with the documented
 * number (reference sqlserver.md §2) when SQL Server would refuse.
 */
import type { ColumnDef, ServerMessage, SqlValue } from "../types";

/** Who is running the statement and where. */
export interface ExecContext {
  login: string;
  /** Current database of the session (AG DDL requires "master": error 35208). */
  database: string;
  /** @@TRANCOUNT > 0: the interpreter already refuses forbidden statements, models may rely on it. */
  inTransaction: boolean;
  /** Emit an informational message (INFO token), e.g. backup progress 4035/3014. */
  info(message: Omit<ServerMessage, "severity"> & { severity?: number }): void;
}

export interface CatalogTable {
  columns: ColumnDef[];
  rows: SqlValue[][];
}

export type RecoveryModel = "FULL" | "BULK_LOGGED" | "SIMPLE";

export interface BackupSpec {
  database: string;
  type: "DATABASE" | "LOG";
  /** TO DISK = N'...' or TO URL = N'...' */
  target: { kind: "DISK" | "URL"; path: string };
  copyOnly: boolean;
  /** Other WITH options as written (upper-cased names), e.g. { COMPRESSION: true, FORMAT: true }. */
  options: Record<string, SqlValue | true>;
}

export interface CreateCertificateSpec {
  name: string;
  /** WITH SUBJECT = '...' (ignored with FROM BINARY). */
  subject?: string;
  /** WITH START_DATE / EXPIRY_DATE as written ('03/30/2025', '20281231', ISO ...); the model parses. */
  startDate?: string;
  expiryDate?: string;
  /** FROM BINARY = 0x...: the DER certificate. */
  fromBinary?: Buffer;
  /** ENCRYPTION BY PASSWORD = '...' (private key encrypted by password instead of the master key). */
  encryptionPassword?: string;
}

export type WindowsAuth = "NTLM" | "KERBEROS" | "NEGOTIATE";
export type EndpointAlgorithm = "AES" | "RC4";

/** CREATE/ALTER ENDPOINT ... FOR DATABASE_MIRRORING. Omitted fields are unchanged by ALTER. */
export interface EndpointSpec {
  name: string;
  state?: "STARTED" | "STOPPED" | "DISABLED";
  /** AS TCP (LISTENER_PORT = n, LISTENER_IP = ALL | (a.b.c.d)) */
  port?: number;
  listenerIp?: string;
  role?: "ALL" | "PARTNER" | "WITNESS" | "NONE";
  /**
   * AUTHENTICATION = WINDOWS [NTLM|KERBEROS|NEGOTIATE] [CERTIFICATE [c]]
   *                | CERTIFICATE [c] [WINDOWS [...]]
   */
  authentication?: {
    windows?: WindowsAuth;
    certificate?: string;
    /** Which came first as written: decides connection_auth_desc ("NEGOTIATE, CERTIFICATE" vs "CERTIFICATE, NEGOTIATE"). */
    certificateFirst: boolean;
  };
  /** ENCRYPTION = DISABLED | { SUPPORTED | REQUIRED } [ALGORITHM { AES | RC4 | AES RC4 | RC4 AES }] */
  encryption?: { mode: "DISABLED" | "SUPPORTED" | "REQUIRED"; algorithms: EndpointAlgorithm[] };
}

export type AvailabilityMode = "SYNCHRONOUS_COMMIT" | "ASYNCHRONOUS_COMMIT" | "CONFIGURATION_ONLY";
export type FailoverMode = "MANUAL" | "AUTOMATIC" | "EXTERNAL";
export type SeedingMode = "AUTOMATIC" | "MANUAL";

export interface ReplicaSpec {
  /** REPLICA ON N'<server>': must equal @@SERVERNAME for the local replica (else 35237). */
  serverName: string;
  endpointUrl: string;
  availabilityMode: AvailabilityMode;
  failoverMode: FailoverMode;
  seedingMode?: SeedingMode;
  sessionTimeout?: number;
}

export interface CreateAvailabilityGroupSpec {
  name: string;
  /** WITH (CLUSTER_TYPE = ...); undefined = not written (SQL Server 2016 style: WSFC). */
  clusterType?: "WSFC" | "EXTERNAL" | "NONE";
  /** Other AG options as written, upper-cased (AUTOMATED_BACKUP_PREFERENCE, DB_FAILOVER, ...). */
  options: Record<string, SqlValue | true>;
  /** FOR DATABASE [a], [b]; empty for "FOR REPLICA ON" without databases (MI as initial primary). */
  databases: string[];
  replicas: ReplicaSpec[];
}

export interface DistributedMemberSpec {
  /** N'<AG name>' (a string literal in DAG DDL). */
  agName: string;
  listenerUrl: string;
  availabilityMode: AvailabilityMode;
  failoverMode: FailoverMode;
  seedingMode: SeedingMode;
  sessionTimeout?: number;
}

export interface CreateDistributedAvailabilityGroupSpec {
  name: string;
  /** In order as written: the first member is the primary AG. */
  members: DistributedMemberSpec[];
}

export type AlterAvailabilityGroupAction =
  /** ALTER AVAILABILITY GROUP [dag] SET (ROLE = SECONDARY) */
  | { kind: "setRole"; role: "SECONDARY" }
  /** ALTER AVAILABILITY GROUP [dag] MODIFY AVAILABILITY GROUP ON N'ag' WITH (...), N'ag2' WITH (...) */
  | {
      kind: "modifyDistributedMembers";
      members: Array<{
        agName: string;
        availabilityMode?: AvailabilityMode;
        failoverMode?: FailoverMode;
        seedingMode?: SeedingMode;
        listenerUrl?: string;
        sessionTimeout?: number;
      }>;
    }
  /** ALTER AVAILABILITY GROUP [ag] MODIFY REPLICA ON N'srv' WITH (...) */
  | {
      kind: "modifyReplica";
      serverName: string;
      changes: Partial<Omit<ReplicaSpec, "serverName">>;
    }
  | { kind: "failover" }
  | { kind: "forceFailoverAllowDataLoss" }
  | { kind: "grantCreateAnyDatabase" }
  | { kind: "addDatabase"; database: string }
  | { kind: "removeDatabase"; database: string };

/** A stored procedure call's outcome (messages go through ctx.info; failures throw SqlError). */
export interface ProcedureResult {
  resultSets: CatalogTable[];
  returnStatus: number;
}

export interface ProcedureArgument {
  /** "@name" or "" when positional. */
  name: string;
  value: SqlValue;
}

/** What the interpreter needs from an instance. */
export interface InstanceModel {
  // ---- identity and functions
  /** @@SERVERNAME */
  serverName(): string;
  /** @@VERSION */
  versionString(): string;
  /** SERVERPROPERTY(name): null for an unknown property, as SQL Server does. */
  serverProperty(name: string): SqlValue;
  /** DB_ID(name): null when absent. */
  databaseId(name: string): number | null;
  /** DB_NAME(id) */
  databaseName(id: number): string | null;
  /** CERT_ID(name) in master: null when absent. */
  certificateId(name: string): number | null;
  /** CERTENCODED(id): the DER certificate, null when absent. */
  certificateEncoded(id: number): Buffer | null;
  /** True when `name` is a database the login may USE (else 911). */
  canUseDatabase(login: string, database: string): void;

  // ---- logins
  /** SQL authentication; false for a wrong user or password. */
  authenticate(user: string, password: string): boolean;
  isSysadmin(login: string): boolean;
  defaultDatabase(login: string): string;

  // ---- catalog: views and DMVs by lower-case name ("sys.certificates", "msdb.dbo.backupset",
  // "sys.dm_hadr_database_replica_states"). undefined = no such object (the interpreter raises 208).
  catalogTable(name: string, ctx: ExecContext): CatalogTable | undefined;

  // ---- statements (each validates and throws the documented SqlError)
  createDatabase(ctx: ExecContext, name: string): void;
  dropDatabase(ctx: ExecContext, name: string): void;
  setRecoveryModel(ctx: ExecContext, database: string, model: RecoveryModel): void;
  backup(ctx: ExecContext, spec: BackupSpec): void;
  createMasterKey(ctx: ExecContext, password: string): void;
  dropMasterKey(ctx: ExecContext): void;
  createCertificate(ctx: ExecContext, spec: CreateCertificateSpec): void;
  dropCertificate(ctx: ExecContext, name: string): void;
  createEndpoint(ctx: ExecContext, spec: EndpointSpec): void;
  alterEndpoint(ctx: ExecContext, spec: EndpointSpec): void;
  dropEndpoint(ctx: ExecContext, name: string): void;
  createAvailabilityGroup(ctx: ExecContext, spec: CreateAvailabilityGroupSpec): void;
  createDistributedAvailabilityGroup(ctx: ExecContext, spec: CreateDistributedAvailabilityGroupSpec): void;
  alterAvailabilityGroup(ctx: ExecContext, name: string, action: AlterAvailabilityGroupAction): void;
  dropAvailabilityGroup(ctx: ExecContext, name: string): void;
  /**
   * A system stored procedure: sp_certificate_add_issuer, sp_validate_certificate_ca_chain,
   * sp_get_endpoint_certificate, ... Unknown name: SqlError 2812
   * ("Could not find stored procedure '%s'."). sp_executesql is the interpreter's own.
   */
  executeProcedure(ctx: ExecContext, name: string, args: ProcedureArgument[]): ProcedureResult;
}

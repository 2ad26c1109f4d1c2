/**
 * The SQL Server errors the instance model raises, with their documented
 * numbers and texts (reference sqlserver.md §2). Numbers marked *unconfirmed*
 * could not be checked against Microsoft's text; they are named constants so
 * they are easy to change.
 */
import { SqlError } from "../types";

/** Unconfirmed: SQL Server's number for a malformed FROM BINARY certificate. */
export const INVALID_CERTIFICATE_BINARY = 15468;
/** Unconfirmed: the number of "already added as a trusted issuer" (Microsoft's module matches the text). */
export const TRUSTED_ISSUER_ALREADY_ADDED = 15233;
/** Unconfirmed: dropping a certificate that a mirroring endpoint authenticates with. */
export const CERTIFICATE_IN_USE = 15352;
/** Unconfirmed: a certificate without a private key cannot authenticate an endpoint. */
export const CERTIFICATE_WITHOUT_PRIVATE_KEY = 15299;
/** Unconfirmed: EXPIRY_DATE not after START_DATE. */
export const CERTIFICATE_DATES_INVALID = 15297;
/** Unconfirmed: sp_validate_certificate_ca_chain could not build a trusted chain. */
export const CA_CHAIN_INVALID = 15564;
/** Unconfirmed: an AG that is a member of a distributed AG cannot be dropped first. */
export const AG_IS_DISTRIBUTED_MEMBER = 41190;
/** Unconfirmed: the local member of a distributed AG must exist. */
export const DAG_LOCAL_MEMBER_MISSING = 41035;
/** Unconfirmed: planned failover of a distributed AG whose secondary is not synchronized. */
export const DAG_NOT_SYNCHRONIZED = 47208;
/** Unconfirmed: T-SQL FAILOVER of a distributed AG with a managed instance member before 2022 CU13. */
export const DAG_FAILOVER_UNSUPPORTED = 47123;

function fail(number: number, message: string, severity = 16, state = 1): SqlError {
  return new SqlError(number, message, severity, state);
}

export const errors = {
  databaseDoesNotExist: (name: string) =>
    fail(911, `Database '${name}' does not exist. Make sure that the name is entered correctly.`),
  databaseExists: (name: string) =>
    fail(1801, `Database '${name}' already exists. Choose a different database name.`),
  /** ALTER DATABASE on a missing database (SQL Server answers 5011 then 5069). */
  alterDatabaseMissing: (name: string) =>
    fail(
      5011,
      `User does not have permission to alter database '${name}', the database does not exist, or the database is not in a state that allows access checks.`,
      14,
    ),
  dropDatabaseMissing: (name: string) =>
    fail(
      3701,
      `Cannot drop the database '${name}', because it does not exist or you do not have permission.`,
      11,
    ),
  dropSystemDatabase: (name: string) =>
    fail(3708, `Cannot drop the database '${name}' because it is a system database.`),
  databaseInAvailabilityGroup: (name: string) =>
    fail(
      3752,
      `The database '${name}' is currently joined to an availability group.  Before you can drop the database, you need to remove it from the availability group.`,
    ),
  recoveryNotSettable: (name: string) => fail(5058, `Option 'RECOVERY' cannot be set in database '${name}'.`),
  databaseInAgOperation: (name: string) =>
    fail(
      1468,
      `The operation cannot be performed on database "${name}" because it is involved in a database mirroring session or an availability group. Some operations are not allowed on a database that is participating in a database mirroring session or in an availability group.`,
    ),
  databaseRestoring: (name: string) =>
    fail(927, `Database '${name}' cannot be opened. It is in the middle of a restore.`, 14),
  secondaryNotAccessible: (name: string) =>
    fail(
      976,
      `The target database, '${name}', is participating in an availability group and is currently not accessible for queries. Either data movement is suspended or the availability replica is not enabled for read access. To allow read-only access to this and other databases in the availability group, enable read access to one or more secondary availability replicas in the group.  For more information, see the ALTER AVAILABILITY GROUP statement in SQL Server Books Online.`,
      14,
    ),
  logBackupSimple: () =>
    fail(
      4208,
      "The statement BACKUP LOG is not allowed while the recovery model is SIMPLE. Use BACKUP DATABASE or change the recovery model using ALTER DATABASE.",
    ),
  logBackupNoFull: () =>
    fail(4214, "BACKUP LOG cannot be performed because there is no current database backup."),
  backupTempdb: () => fail(3147, "Backup and restore operations are not allowed on database tempdb."),

  permissionDenied: (statement: string, database: string) =>
    fail(262, `${statement} permission denied in database '${database}'.`, 14),
  noPermission: () => fail(15247, "User does not have permission to perform this action."),
  viewServerState: () =>
    fail(300, "VIEW SERVER STATE permission was denied on object 'server', database 'master'.", 14),

  masterKeyExists: () =>
    fail(
      15578,
      "There is already a master key in the database. Please drop it before performing this statement.",
    ),
  masterKeyMissing: () =>
    fail(15151, "Cannot drop the master key because it does not exist or you do not have permission."),
  masterKeyRequired: () =>
    fail(
      15581,
      "Please create a master key in the database or open the master key in the session before performing this operation.",
    ),
  masterKeyInUse: (certificate: string) =>
    fail(15580, `Cannot drop master key because certificate '${certificate}' is encrypted by it.`),
  certificateExists: (name: string) =>
    fail(
      15232,
      `A certificate with name '${name}' already exists or this certificate already has been added to the database.`,
    ),
  certificateNotFound: (name: string) =>
    fail(
      15151,
      `Cannot find the certificate '${name}', because it does not exist or you do not have permission.`,
    ),
  certificateDropNotFound: (name: string) =>
    fail(
      15151,
      `Cannot drop the certificate '${name}', because it does not exist or you do not have permission.`,
    ),
  certificateBinaryInvalid: () =>
    fail(INVALID_CERTIFICATE_BINARY, "An error occurred during the generation of the certificate."),
  certificateDatesInvalid: () =>
    fail(CERTIFICATE_DATES_INVALID, "The certificate's expiry date must be later than its start date."),
  dateConversion: () =>
    fail(241, "Conversion failed when converting date and/or time from character string."),
  certificateInUse: (name: string) =>
    fail(
      CERTIFICATE_IN_USE,
      `The certificate '${name}' cannot be dropped because one or more entities are either signed or encrypted using it. To drop the certificate, first alter or drop the endpoint that uses it.`,
    ),
  certificateWithoutPrivateKey: (name: string) =>
    fail(
      CERTIFICATE_WITHOUT_PRIVATE_KEY,
      `The certificate '${name}' cannot be used for endpoint authentication because it has no private key.`,
    ),
  trustedIssuerExists: (certificate: string, dnsName: string) =>
    fail(
      TRUSTED_ISSUER_ALREADY_ADDED,
      `The certificate '${certificate}' has been already added as a trusted issuer for DNS name '${dnsName}'`,
    ),
  certificateIdNotFound: (id: unknown) =>
    fail(
      15151,
      `Cannot find the certificate with id '${String(id)}', because it does not exist or you do not have permission.`,
    ),
  caChainInvalid: (name: string, reason: string) =>
    fail(
      CA_CHAIN_INVALID,
      `The certificate chain of certificate '${name}' could not be validated: ${reason}`,
    ),

  procedureNotFound: (name: string) => fail(2812, `Could not find stored procedure '${name}'.`),
  procedureArgumentMissing: (procedure: string, parameter: string) =>
    fail(
      201,
      `Procedure or function '${procedure}' expects parameter '${parameter}', which was not supplied.`,
    ),

  endpointTypeExists: () =>
    fail(
      7862,
      "An endpoint of the requested type already exists.  Only one endpoint of this type is supported.  Use ALTER ENDPOINT or DROP the existing endpoint and execute the CREATE ENDPOINT command.",
    ),
  endpointNameExists: (name: string) =>
    fail(7849, `The endpoint '${name}' already exists. Choose a different endpoint name.`),
  endpointPortInUse: (name: string) =>
    fail(
      7890,
      `An error occurred while attempting to register the endpoint '${name}'. One or more of the ports specified in the CREATE ENDPOINT statement may be bound to another process. Attempt the statement again with a different port or use netstat to find the application currently using the port and resolve the conflict.`,
    ),
  endpointNotFound: (name: string) =>
    fail(
      15151,
      `Cannot find the endpoint '${name}', because it does not exist or you do not have permission.`,
    ),
  endpointDropNotFound: (name: string) =>
    fail(
      15151,
      `Cannot drop the endpoint '${name}', because it does not exist or you do not have permission.`,
    ),
  endpointSystem: (name: string) =>
    fail(7869, `The endpoint '${name}' is a system endpoint and cannot be altered or dropped.`),

  hadrDisabled: () =>
    fail(
      35221,
      "Could not process the operation. Always On Availability Groups replica manager is disabled on this instance of SQL Server. Enable Always On Availability Groups, by using the SQL Server Configuration Manager. Then, restart the SQL Server service, and retry the currently operation. For information about how to enable and disable Always On Availability Groups, see SQL Server Books Online.",
    ),
  agDdlOutsideMaster: () =>
    fail(
      35208,
      "Availability group DDL operations are permitted only when you are using the master database. Run the USE MASTER command, and retry your availability group DDL command.",
    ),
  noLocalReplica: (ag: string) =>
    fail(
      35237,
      `None of the specified replicas for availability group ${ag} maps to the instance of SQL Server to which you are connected. Reenter the command, specifying this server instance to host one of the replicas. This replica will be the initial primary replica.`,
    ),
  agDatabaseMissing: (database: string, ag: string) =>
    fail(
      35238,
      `Database '${database}' cannot be added to availability group '${ag}'.  The database does not exist on this SQL Server instance.  Verify that the database name is correct, then retry the operation.`,
    ),
  agSystemDatabase: (database: string) =>
    fail(
      35249,
      `An attempt to add or join a system database, '${database}', to an availability group failed.  Specify only user databases for this operation.`,
    ),
  agDatabaseInOtherGroup: (database: string, ag: string) =>
    fail(
      35244,
      `Database '${database}' cannot be added to availability group '${ag}'.  The database is currently joined to another availability group.  Verify that the database name is correct and that the database is not joined to an availability group, then retry the operation.`,
    ),
  agDatabaseNotInGroup: (database: string, ag: string) =>
    fail(
      35259,
      `Database '${database}' is not joined to availability group '${ag}'. Verify the database name and the availability group name, then retry the operation.`,
    ),
  notFullRecovery: (database: string) =>
    fail(
      1465,
      `Database "${database}" database is not in full recovery mode on each of the server instances. The full recovery model is required for a database to participate in database mirroring or in an availability group.`,
    ),
  noFullBackup: (database: string) =>
    fail(
      1475,
      `Database "${database}" might contain bulk logged changes that have not been backed up. Take a log backup on the principal database or primary database. Then restore this backup either on the mirror database to enable database mirroring or on every secondary database to enable you to join it to the availability group.`,
    ),
  agExists: (name: string) =>
    fail(
      41042,
      `The availability group '${name}' already exists.  This error could be caused by a previous failed CREATE AVAILABILITY GROUP or DROP AVAILABILITY GROUP operation.  If the availability group name you specified is correct, try dropping the availability group and then retry CREATE AVAILABILITY GROUP operation.`,
    ),
  duplicateReplica: (server: string, ag: string) =>
    fail(
      41106,
      `Cannot create an availability replica for availability group '${ag}'.  An availability replica for server instance '${server}' already exists in the availability group.`,
    ),
  agNotFound: (verb: "drop" | "alter", name: string) =>
    fail(
      15151,
      `Cannot ${verb} the availability group '${name}', because it does not exist or you do not have permission.`,
    ),
  agIsDistributedMember: (ag: string, dag: string) =>
    fail(
      AG_IS_DISTRIBUTED_MEMBER,
      `Cannot drop availability group '${ag}' because it is a member of the distributed availability group '${dag}'. Drop the distributed availability group first.`,
    ),
  dagLocalMemberMissing: (dag: string) =>
    fail(
      DAG_LOCAL_MEMBER_MISSING,
      `Cannot create distributed availability group '${dag}': none of its member availability groups exists on this instance of SQL Server.`,
    ),
  dagMemberNotFound: (dag: string, ag: string) =>
    fail(
      15151,
      `Cannot find the availability group '${ag}' in distributed availability group '${dag}', because it does not exist or you do not have permission.`,
    ),
  notPrimary: (ag: string) =>
    fail(
      41140,
      `Availability group '${ag}' cannot process the ALTER AVAILABILITY GROUP command, because the local availability replica is not the primary replica.  Connect to the server instance that is currently hosting the primary availability replica of this availability group, and rerun the command.`,
    ),
  alreadyPrimary: (ag: string) =>
    fail(
      41122,
      `Cannot failover availability group '${ag}' to this instance of SQL Server.  The local availability replica is already the primary replica of the availability group.  To failover this availability group to another instance, run the failover command on that instance.  If local instance is intended to host the primary replica of the availability group, then no action is required.`,
    ),
  failoverClusterTypeNone: (ag: string) =>
    fail(
      47122,
      `Cannot failover an availability replica for availability group '${ag}' since it has CLUSTER_TYPE = NONE. Only force failover is supported in this version of SQL Server.`,
    ),
  dagFailoverUnsupported: (dag: string) =>
    fail(
      DAG_FAILOVER_UNSUPPORTED,
      `ALTER AVAILABILITY GROUP '${dag}' FAILOVER is not supported for a distributed availability group with an Azure SQL Managed Instance member on this version of SQL Server. SQL Server 2022 CU13 (16.0.4125.3) or later is required.`,
    ),
  dagNotSynchronized: (dag: string) =>
    fail(
      DAG_NOT_SYNCHRONIZED,
      `Cannot failover distributed availability group '${dag}': the secondary availability group is not SYNCHRONIZED in SYNCHRONOUS_COMMIT mode. Set AVAILABILITY_MODE = SYNCHRONOUS_COMMIT on both members and wait until the secondary is synchronized.`,
    ),
  agOptionUnsupported: (ag: string, what: string) =>
    fail(
      41199,
      `The specified command is invalid because the availability group '${ag}' does not support ${what}.`,
    ),
};

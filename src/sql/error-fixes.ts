/**
 * What to do about each SQL Server error the link's procedure can meet (reference sqlserver.md §2,
 * mi-link.md §5). Keyed by error number; the text is shown after the server's own message.
 */

const PERMISSION =
  "The login lacks the permission. Connect with a login in the sysadmin role (the link's objects are " +
  "instance-wide: master key, certificates, endpoint, availability groups).";
const ALREADY_IN_AG =
  "The database already belongs to an availability group. Reuse that group (give its name in the " +
  "arguments) or remove the database from it (ALTER AVAILABILITY GROUP ... REMOVE DATABASE).";
const BACKUP_CHAIN =
  "Set the database to FULL recovery (ALTER DATABASE ... SET RECOVERY FULL) and take a full backup that " +
  "is not COPY_ONLY (BACKUP DATABASE ... TO DISK/URL) to start the log backup chain, then run again.";
const LINK_TRANSPORT =
  "The availability group did not answer or the connection between SQL Server and the managed instance " +
  "failed. Check that the database mirroring endpoint is STARTED, that port 5022 and 11000-11999 are open " +
  "in both directions (SQL Server firewall, MI subnet NSG), and that both certificates are valid.";
const LOG_TRUNCATED =
  "The log was truncated while the database was being seeded (a log backup ran during seeding). Delete " +
  "and re-create the link, and pause log backups until seeding completes (or enable trace flag 12381).";
const DATABASE_MISSING =
  "The database does not exist on this SQL Server (or the login cannot see it). Check the name.";

export const SQL_ERROR_FIXES: Readonly<Record<number, string>> = {
  18456:
    "Login failed. Check the user name and password (or domain / access token), that the login exists " +
    "and is enabled, and that the server accepts SQL authentication (mixed mode) when a SQL login is used.",
  262: PERMISSION,
  15247: PERMISSION,
  229: PERMISSION,
  4060: "The database named in the connection cannot be opened. Check `database` (default master).",
  911: DATABASE_MISSING,
  15010: DATABASE_MISSING,
  35221:
    "Always On availability groups are disabled on this SQL Server. Enable them (SQL Server Configuration " +
    "Manager → service properties → Always On, or Enable-SqlAlwaysOn) and restart the SQL Server service, " +
    "then run again.",
  35208: "Availability group statements must run in master. Connect with `database` set to master.",
  35237:
    "No replica of the availability group is named after this instance. The replica name must be the " +
    "value of SELECT @@SERVERNAME (HOST\\INSTANCE for a named instance).",
  35238: DATABASE_MISSING,
  35244: ALREADY_IN_AG,
  35259: ALREADY_IN_AG,
  35249: "System databases (master, model, msdb, tempdb) cannot be replicated. Choose a user database.",
  35250:
    "The secondary replica is not connected to the primary. Wait for the link to connect, then check " +
    "the endpoint, the certificates and the network.",
  1465: BACKUP_CHAIN,
  1475: BACKUP_CHAIN,
  4208: "The database uses the SIMPLE recovery model. " + BACKUP_CHAIN,
  4214: "There is no current full backup of the database. " + BACKUP_CHAIN,
  226: "The statement cannot run inside a transaction. Run it in autocommit mode (no BEGIN TRANSACTION).",
  574: "The statement cannot run inside a user transaction. Run it in autocommit mode (no BEGIN TRANSACTION).",
  3021: "BACKUP cannot run inside a transaction. Run it in autocommit mode (no BEGIN TRANSACTION).",
  15578:
    "A database master key already exists in master. Adopt the existing key (it is used as is) instead of " +
    "creating another one.",
  15581:
    "There is no database master key in master, or it cannot be opened. Create it (CREATE MASTER KEY " +
    "ENCRYPTION BY PASSWORD) or, if it exists, make sure the service master key can open it.",
  15151: "The object does not exist or the login cannot see it. Check the name and the login's permissions.",
  15232:
    "A certificate with this name, or with the same public key, already exists in master. Adopt it, or " +
    "drop the conflicting certificate if nothing uses it.",
  7862:
    "A database mirroring endpoint already exists, and SQL Server allows only one. Adopt the existing " +
    "endpoint (give its name in the arguments) instead of creating another.",
  7874: "An endpoint with the same bindings already exists. Adopt it or choose another port.",
  7890:
    "The endpoint's TCP port is in use by another endpoint or process. Choose another port (only the " +
    "default instance of a host should use 5022).",
  2812:
    "A stored procedure the link needs is missing. On SQL Server 2016 / 2017 install the Azure Connect " +
    "feature pack (13.0.7000.253 / 14.0.3490.10); otherwise update SQL Server to a supported cumulative update.",
  41962:
    "The link was not initiated within 5 minutes: a network problem. Open port 5022 and 11000-11999 from " +
    "SQL Server to the managed instance subnet and 5022 from the subnet to SQL Server (firewalls and NSG).",
  41973:
    "The managed instance does not trust SQL Server's endpoint certificate. Upload its public key to the " +
    "managed instance (serverTrustCertificates) and make sure the endpoint uses that certificate.",
  41974:
    "SQL Server does not have the managed instance's endpoint certificate. Import it with CREATE " +
    "CERTIFICATE named exactly after the managed instance's FQDN, with the Microsoft root CAs as trusted issuers.",
  41976: LINK_TRANSPORT,
  41986: LINK_TRANSPORT,
  47521: LINK_TRANSPORT,
  41977: "The target database on the managed instance is not responding. Check its state, then retry.",
  41106: "The availability replica already exists. Adopt the existing availability group.",
  41140: "This replica is not the primary. Run the operation on the primary side of the link.",
  47122:
    "FAILOVER is not allowed for an availability group with CLUSTER_TYPE = NONE; fail over the distributed group.",
  9002:
    "The transaction log is full. Check log_reuse_wait_desc in sys.databases (AVAILABILITY_REPLICA means " +
    "the link is behind), take log backups, and make sure the link is replicating.",
  1408: LOG_TRUNCATED,
  1412: LOG_TRUNCATED,
};

/** Numbers that only restate an earlier, more precise error of the same request. */
export const GENERIC_FOLLOW_UP_ERRORS: readonly number[] = [3013, 3014];

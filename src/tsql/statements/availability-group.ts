import { quoteIdentifier, quoteString, TsqlInputError, validateIdentifier } from "../quote";
import { clusterTypeClause, type ProductVersion } from "../versions";

export interface CreateAgSpec {
  agName: string;
  /** The database to replicate; omitted when the managed instance is the initial primary. */
  database?: string;
  /** `@@SERVERNAME` of the SQL Server (the replica name). */
  serverName: string;
  /** The mirroring endpoint URL, see endpointUrl(). */
  endpointUrl: string;
  /** `SERVERPROPERTY('ProductVersion')`: SQL Server 2016 takes no CLUSTER_TYPE. */
  version: string | ProductVersion;
}

/**
 * Quotes an endpoint or listener URL (built by endpointUrl() / miListenerUrl()) as a literal,
 * checking only what SQL Server itself requires: a tcp:// URL of at most 128 characters (the
 * width of sys.availability_replicas.endpoint_url).
 */
export function quoteEndpointUrl(url: string, field = "endpointUrl"): string {
  const text = validateIdentifier(url, field);
  if (!/^tcp:\/\/\S+$/i.test(text)) {
    throw new TsqlInputError(
      field,
      `"${text}" is not a tcp:// URL`,
      "Build it with endpointUrl(host, port).",
    );
  }
  return quoteString(text, field);
}

/**
 * The link's availability group on SQL Server: one replica (this server), synchronous commit,
 * manual failover, automatic seeding, `CLUSTER_TYPE = NONE` except on SQL Server 2016, and
 * `FOR DATABASE [db]` unless the managed instance is the initial primary (then the database
 * arrives by seeding). Runs in master; not allowed inside a transaction.
 */
export function buildCreateAgSql(spec: CreateAgSpec): string {
  const lines = [`CREATE AVAILABILITY GROUP ${quoteIdentifier(spec.agName, "agName")}`];
  const cluster = clusterTypeClause(spec.version);
  if (cluster) lines.push(cluster);
  lines.push(
    spec.database === undefined
      ? "    FOR REPLICA ON"
      : `    FOR DATABASE ${quoteIdentifier(spec.database, "database")}\n    REPLICA ON`,
  );
  lines.push(
    `        ${quoteString(validateIdentifier(spec.serverName, "serverName"), "serverName")} WITH`,
    "        (",
    `            ENDPOINT_URL = ${quoteEndpointUrl(spec.endpointUrl, "endpointUrl")},`,
    "            AVAILABILITY_MODE = SYNCHRONOUS_COMMIT,",
    "            FAILOVER_MODE = MANUAL,",
    "            SEEDING_MODE = AUTOMATIC",
    "        );",
  );
  return lines.join("\n");
}

/**
 * `ALTER AVAILABILITY GROUP [ag] GRANT CREATE ANY DATABASE;` — lets automatic seeding create the
 * database on SQL Server when the managed instance is the primary.
 */
export function buildGrantCreateAnyDatabaseSql(agName: string): string {
  return `ALTER AVAILABILITY GROUP ${quoteIdentifier(agName, "agName")} GRANT CREATE ANY DATABASE;`;
}

/**
 * `ALTER AVAILABILITY GROUP [ag] ADD DATABASE [db];` — puts the database back in its group after it
 * was removed (`REMOVE DATABASE`). Runs in master on the primary; the database must still meet the
 * group's conditions (FULL recovery, a backup chain).
 */
export function buildAddDatabaseToAgSql(agName: string, database: string): string {
  return `ALTER AVAILABILITY GROUP ${quoteIdentifier(agName, "agName")} ADD DATABASE ${quoteIdentifier(database, "database")};`;
}

/**
 * `DROP AVAILABILITY GROUP [name];` for an availability group or a distributed one. Runs in
 * master; works with Always On disabled.
 */
export function buildDropAgSql(name: string): string {
  return `DROP AVAILABILITY GROUP ${quoteIdentifier(name, "name")};`;
}

export interface ModifyReplicaEndpointUrlSpec {
  agName: string;
  /** The replica to change: the instance's `@@SERVERNAME`. */
  serverName: string;
  /** The new mirroring endpoint URL, see endpointUrl(). */
  endpointUrl: string;
}

/**
 * `ALTER AVAILABILITY GROUP [ag] MODIFY REPLICA ON N'<server>' WITH (ENDPOINT_URL = N'...');` —
 * points a replica at another mirroring endpoint address (a new host name or port) without
 * recreating the availability group. Runs in master on the primary.
 */
export function buildModifyReplicaEndpointUrlSql(spec: ModifyReplicaEndpointUrlSpec): string {
  return [
    `ALTER AVAILABILITY GROUP ${quoteIdentifier(spec.agName, "agName")}`,
    `MODIFY REPLICA ON ${quoteString(validateIdentifier(spec.serverName, "serverName"), "serverName")}`,
    `WITH (ENDPOINT_URL = ${quoteEndpointUrl(spec.endpointUrl, "endpointUrl")});`,
  ].join("\n");
}

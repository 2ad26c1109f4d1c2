/**
 * `getSqlServerInfo`: a read-only look at a SQL Server from the user's program, in preview and up.
 * One connection and one request whatever the number of databases: a batch of SELECTs for who the
 * server is, the named databases, the mirroring endpoint, and the endpoint certificate in use.
 * Nothing is changed.
 */
import * as pulumi from "@pulumi/pulumi";
import { readSqlServerLookup, withOneShotConnection } from "../sql";
import type { SqlServerConnectionArgs } from "../sql/connection-args";
import type { CurrentEndpointCertificate } from "../dynamic/certificates/rotation";
import { defaultEndpointCertificateName } from "../tsql/names";
import type { SqlServerAuthenticationType } from "./args";
import { chooseEndpointCertificateInUse } from "./endpoint-certificate-lookup";

/** How to reach SQL Server for the lookup (the connection fields of MiLink's `sqlServer`). */
export interface SqlServerInfoConnection {
  host: string;
  /** Default 1433. */
  port?: number;
  user?: string;
  password?: string;
  /** Default "default" (SQL login). */
  authenticationType?: SqlServerAuthenticationType;
  domain?: string;
  accessToken?: string;
  /** Default true. */
  encrypt?: boolean;
  /** Default false. */
  trustServerCertificate?: boolean;
}

/** One database as the lookup found it. */
export interface SqlServerDatabaseInfo {
  name: string;
  /** ONLINE, RESTORING, OFFLINE, ... */
  state: string;
  /** FULL, BULK_LOGGED or SIMPLE. */
  recoveryModel: string;
  isSystem: boolean;
  /** The availability group the database already belongs to, or null. */
  availabilityGroup: string | null;
  /** ISO time of the last full backup that was not COPY_ONLY, or null. */
  lastFullBackup: string | null;
  /** ISO time of the last log backup, or null. */
  lastLogBackup: string | null;
  /** What keeps the log from being truncated (sys.databases.log_reuse_wait_desc), or null. */
  logReuseWait?: string | null;
}

/** What MiLink's preflight and children need to know about a SQL Server. */
export interface SqlServerInfo {
  /** @@SERVERNAME (HOST\INSTANCE for a named instance). */
  serverName: string;
  /** "16.0.4125.3" */
  productVersion: string;
  productMajorVersion: number;
  productUpdateLevel: string | null;
  edition: string;
  /** 2 Standard, 3 Enterprise/Developer, 4 Express, ... */
  engineEdition: number;
  isHadrEnabled: boolean;
  collation: string;
  /** The databases asked about that exist (missing ones are absent). */
  databases: SqlServerDatabaseInfo[];
  /** The instance's database mirroring endpoint, or null when there is none. */
  mirroringEndpoint: {
    name: string;
    port: number | null;
    state: string;
    /** e.g. "CERTIFICATE", "NEGOTIATE", "NEGOTIATE, CERTIFICATE" */
    authentication: string;
    certificateName: string | null;
  } | null;
  /**
   * The generation of the default endpoint certificate (`Cert_<server>_endpoint[_YYYYMMDD]`) the
   * endpoint uses, else the first generation when it exists, else null: what rotation plans from.
   */
  endpointCertificate: CurrentEndpointCertificate | null;
}

/** The SQL layer's connection arguments from the component's flat connection fields. */
export function toSqlConnectionArgs(connection: SqlServerInfoConnection): SqlServerConnectionArgs {
  const common = {
    host: connection.host,
    port: connection.port,
    encrypt: connection.encrypt,
    trustServerCertificate: connection.trustServerCertificate,
  };
  switch (connection.authenticationType ?? "default") {
    case "ntlm":
      return {
        ...common,
        authentication: {
          type: "ntlm",
          domain: connection.domain ?? "",
          userName: connection.user ?? "",
          password: connection.password ?? "",
        },
      };
    case "azure-active-directory-access-token":
      return {
        ...common,
        authentication: { type: "azure-active-directory-access-token", token: connection.accessToken ?? "" },
      };
    default:
      return { ...common, user: connection.user, password: connection.password };
  }
}

/**
 * Reads a SQL Server's name, version, edition, Always On setting, collation, the given databases
 * (recovery model, state, backups, availability group), its mirroring endpoint and the endpoint
 * certificate in use. One connection, one request (four SELECTs, three without databases); nothing
 * is changed.
 * @param connection where and how to reach SQL Server
 * @param databases the databases to report on; default none
 */
export async function getSqlServerInfo(
  connection: SqlServerInfoConnection,
  databases: readonly string[] = [],
): Promise<SqlServerInfo> {
  return withOneShotConnection(toSqlConnectionArgs(connection), async (pool) => {
    // One round trip: the lookup is on the critical path of every up and preview.
    const {
      server,
      databases: found,
      endpoint,
      endpointCertificateCandidates,
    } = await readSqlServerLookup(pool, databases);
    const endpointCertificate = chooseEndpointCertificateInUse(
      defaultEndpointCertificateName(server.serverName),
      endpoint?.authentication.certificateName ?? null,
      endpointCertificateCandidates,
      server.collation,
    );
    return {
      serverName: server.serverName,
      productVersion: server.productVersion,
      productMajorVersion: server.productMajorVersion,
      productUpdateLevel: server.productUpdateLevel,
      edition: server.edition,
      engineEdition: server.engineEdition,
      isHadrEnabled: server.isHadrEnabled,
      collation: server.collation,
      databases: found.map((db) => ({
        name: db.name,
        state: db.state,
        recoveryModel: db.recoveryModel,
        isSystem: db.isSystem,
        availabilityGroup: db.availabilityGroup,
        lastFullBackup: db.lastFullBackup?.toISOString() ?? null,
        lastLogBackup: db.lastLogBackup?.toISOString() ?? null,
        logReuseWait: db.logReuseWait,
      })),
      mirroringEndpoint: endpoint && {
        name: endpoint.name,
        port: endpoint.port,
        state: endpoint.state,
        authentication: endpoint.authentication.description,
        certificateName: endpoint.authentication.certificateName,
      },
      endpointCertificate,
    };
  });
}

/** The connection of {@link getSqlServerInfoOutput}: any field may be an Output. */
export type SqlServerInfoConnectionInput = {
  [K in keyof SqlServerInfoConnection]: pulumi.Input<SqlServerInfoConnection[K]>;
};

/**
 * {@link getSqlServerInfo} as an Output, for use in a program. The result holds no secret, so it
 * is not marked secret even when the password is.
 */
export function getSqlServerInfoOutput(
  connection: SqlServerInfoConnectionInput,
  databases: readonly string[] = [],
): pulumi.Output<SqlServerInfo> {
  return pulumi.unsecret(
    pulumi.output(connection).apply((plain) => getSqlServerInfo(plain as SqlServerInfoConnection, databases)),
  ) as pulumi.Output<SqlServerInfo>;
}

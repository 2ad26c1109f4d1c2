import type * as mssql from "mssql";
import { sqlServerLookupQuery } from "../../tsql/queries/sql-server-lookup";
import { runQueryResultSets } from "../execute";
import { parseCertificate, type CertificateInfo } from "./certificate";
import { databaseParams, parseDatabase, type DatabaseInfo } from "./databases";
import { parseMirroringEndpoint, type MirroringEndpointInfo } from "./mirroring-endpoint";
import { parseServerInfo, type ServerInfo } from "./server-info";

export interface SqlServerLookup {
  server: ServerInfo;
  /** The databases asked about that exist; missing ones are absent. */
  databases: DatabaseInfo[];
  /** The instance's mirroring endpoint; null when there is none. */
  endpoint: MirroringEndpointInfo | null;
  /**
   * The endpoint's certificate and every first generation of a default endpoint certificate name
   * (`Cert_<server>_endpoint`), by name: what the endpoint certificate in use is chosen from.
   */
  endpointCertificateCandidates: CertificateInfo[];
}

/**
 * Reads who the server is, the named databases (duplicates once), the mirroring endpoint and the
 * endpoint certificate candidates in one request (one batch of SELECTs, names as parameters).
 */
export async function readSqlServerLookup(
  pool: mssql.ConnectionPool,
  databases: readonly string[],
): Promise<SqlServerLookup> {
  const unique = [...new Set(databases)];
  const named =
    unique.length === 0
      ? ""
      : unique.length <= 5
        ? `the databases ${unique.map((n) => `[${n}]`).join(", ")}, `
        : `the ${unique.length} databases asked about, `;
  const sets = await runQueryResultSets(pool, sqlServerLookupQuery(unique.length), databaseParams(unique), {
    action: `read the server's version and settings, ${named}the mirroring endpoint and its certificate`,
  });
  return parseSqlServerLookup(sets, unique.length > 0);
}

/** The result sets of `sqlServerLookupQuery`; `withDatabases` when it was built for names. */
export function parseSqlServerLookup(
  sets: readonly Record<string, unknown>[][],
  withDatabases: boolean,
): SqlServerLookup {
  const [serverRows = [], ...rest] = sets;
  const [databaseRows = [], endpointRows = [], certificateRows = []] = withDatabases ? rest : [[], ...rest];
  const [serverRow] = serverRows;
  if (!serverRow) throw new Error("SQL Server returned no row for its version and settings.");
  return {
    server: parseServerInfo(serverRow),
    databases: databaseRows.map(parseDatabase),
    endpoint: parseMirroringEndpoint([endpointRows]),
    endpointCertificateCandidates: certificateRows.map(parseCertificate),
  };
}

import type * as mssql from "mssql";
import { SERVER_INFO_QUERY } from "../../tsql/queries/server-info";
import { runQuery } from "../execute";
import { flag, number, optionalNumber, optionalText, text, type Row } from "./values";

export interface ServerInfo {
  /** @@SERVERNAME: the availability replica name (HOST\INSTANCE for a named instance). */
  serverName: string;
  machineName: string | null;
  /** "16.0.4125.3" */
  productVersion: string;
  /** 16 for SQL Server 2022. */
  productMajorVersion: number;
  /** "RTM", "SP3" */
  productLevel: string | null;
  /** "CU13"; null on a release without cumulative update. */
  productUpdateLevel: string | null;
  /** "Developer Edition (64-bit)" */
  edition: string;
  /** 2 Standard, 3 Enterprise (also Developer), 4 Express, ... */
  engineEdition: number;
  /** Always On availability groups enabled (needs a service restart to change). */
  isHadrEnabled: boolean;
  collation: string;
  /** @@VERSION */
  versionString: string;
}

/** Reads who the SQL Server is, in one statement. */
export async function readServerInfo(pool: mssql.ConnectionPool): Promise<ServerInfo> {
  const [row] = await runQuery(
    pool,
    SERVER_INFO_QUERY,
    {},
    { action: "read the server's version and settings" },
  );
  return parseServerInfo(row);
}

/** The server from the row of `SERVER_INFO_QUERY`. */
export function parseServerInfo(row: Row): ServerInfo {
  const productVersion = text(row, "product_version");
  return {
    serverName: text(row, "server_name"),
    machineName: optionalText(row, "machine_name"),
    productVersion,
    productMajorVersion: optionalNumber(row, "product_major_version") ?? Number(productVersion.split(".")[0]),
    productLevel: optionalText(row, "product_level"),
    productUpdateLevel: optionalText(row, "product_update_level"),
    edition: text(row, "edition"),
    engineEdition: number(row, "engine_edition"),
    isHadrEnabled: flag(row, "is_hadr_enabled"),
    collation: text(row, "collation"),
    versionString: text(row, "version_string"),
  };
}

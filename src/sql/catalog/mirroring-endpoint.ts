import type * as mssql from "mssql";
import { MIRRORING_ENDPOINT_QUERY } from "../../tsql/queries/mirroring-endpoint";
import { runQueryResultSets } from "../execute";
import {
  parseEndpointAuthentication,
  parseEndpointEncryption,
  type EndpointAuthentication,
  type EndpointEncryption,
} from "./endpoint-settings";
import { flag, number, optionalNumber, optionalText, text, type Row } from "./values";

export interface MirroringEndpointInfo {
  name: string;
  endpointId: number;
  /** STARTED, STOPPED, DISABLED */
  state: string;
  /** NONE, PARTNER, WITNESS, ALL */
  role: string;
  port: number | null;
  ipAddress: string | null;
  authentication: EndpointAuthentication & {
    /** The certificate used for certificate authentication (0 / null: Windows only). */
    certificateId: number | null;
    certificateName: string | null;
  };
  encryption: EndpointEncryption;
}

/** Reads the instance's database mirroring endpoint; null when there is none. */
export async function readMirroringEndpoint(
  pool: mssql.ConnectionPool,
): Promise<MirroringEndpointInfo | null> {
  const sets = await runQueryResultSets(
    pool,
    MIRRORING_ENDPOINT_QUERY,
    {},
    { action: "read the database mirroring endpoint" },
  );
  return parseMirroringEndpoint(sets);
}

/** The endpoint from the result set of `MIRRORING_ENDPOINT_QUERY`; null when there is none. */
export function parseMirroringEndpoint(sets: readonly Row[][]): MirroringEndpointInfo | null {
  const row = sets[0]?.[0];
  if (!row) return null;
  const certificateId = optionalNumber(row, "certificate_id");
  return {
    name: text(row, "name"),
    endpointId: number(row, "endpoint_id"),
    state: text(row, "state_desc"),
    role: text(row, "role_desc"),
    port: optionalNumber(row, "port"),
    ipAddress: optionalText(row, "ip_address"),
    authentication: {
      ...parseEndpointAuthentication(optionalText(row, "connection_auth_desc")),
      certificateId: certificateId === 0 ? null : certificateId,
      certificateName: optionalText(row, "certificate_name"),
    },
    encryption: parseEndpointEncryption(
      flag(row, "is_encryption_enabled"),
      optionalText(row, "encryption_algorithm_desc"),
    ),
  };
}

/**
 * The statements of the mirroring endpoint provider that alter an endpoint found in place, and
 * its refusal message for an endpoint on another port.
 */
import type * as mssql from "mssql";
import { runStatement } from "../sql";
import type { MirroringEndpointInfo } from "../sql/catalog/mirroring-endpoint";
import { buildAlterEndpointForLinkSql } from "../tsql";
import { connectionSecrets, type ConnectionInputs } from "./common/connection";
import {
  DEFAULT_ENDPOINT_PORT,
  expectedConnectionAuth,
  expectedEncryption,
  mergedAlgorithms,
  type EndpointOriginal,
} from "./mirroring-endpoint-plan";
import type { EndpointAlgorithm } from "../sql/catalog/endpoint-settings";

/** What the ALTER needs from the resource's inputs. */
export interface LinkEndpointInputs extends ConnectionInputs {
  certificateName: string;
  algorithms?: EndpointAlgorithm[];
}

/** The catalog descriptions the endpoint has after a statement of this provider. */
export interface EndpointSettingsAfter {
  connectionAuth: string;
  encryptionAlgorithm: string;
  state: string;
}

export function endpointObject(name: string): string {
  return `[${name}]`;
}

export function statementContext(inputs: ConnectionInputs, action: string, name: string) {
  return { action, object: endpointObject(name), secrets: connectionSecrets(inputs) };
}

/**
 * Alters an adopted endpoint to authenticate with the link's certificate, keeping its Windows
 * authentication and algorithms (AES added), and starts it.
 */
export async function alterForLink(
  pool: mssql.ConnectionPool,
  inputs: LinkEndpointInputs,
  existing: MirroringEndpointInfo,
  previous?: Partial<EndpointOriginal>,
): Promise<EndpointSettingsAfter> {
  // The algorithms it had when found, not the ones this resource added since.
  const found = previous?.originalAlgorithms ?? existing.encryption.description;
  const algorithms = mergedAlgorithms(
    found.split(",").map((a) => a.trim().toUpperCase()),
    inputs.algorithms,
  );
  const windows = existing.authentication.windows;
  await runStatement(
    pool,
    buildAlterEndpointForLinkSql({
      name: existing.name,
      port: existing.port ?? DEFAULT_ENDPOINT_PORT,
      certificateName: inputs.certificateName,
      algorithms,
      windowsAuth: windows ?? false,
    }),
    undefined,
    statementContext(
      inputs,
      "add certificate authentication to the database mirroring endpoint",
      existing.name,
    ),
  );
  return {
    connectionAuth: expectedConnectionAuth(windows),
    encryptionAlgorithm: expectedEncryption(algorithms),
    state: "STARTED",
  };
}

export function wrongPortError(existing: MirroringEndpointInfo, port: number): Error {
  return new Error(
    `The database mirroring endpoint ${endpointObject(existing.name)} already exists on port ` +
      `${existing.port}, not on port ${port}, and SQL Server allows only one. Set \`port\` to ` +
      `${existing.port} to use it as it is, or move it (ALTER ENDPOINT ${endpointObject(existing.name)} ` +
      `AS TCP (LISTENER_PORT = ${port})) if nothing else depends on it, then run again.`,
  );
}

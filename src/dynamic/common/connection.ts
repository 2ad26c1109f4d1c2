/**
 * How a dynamic resource carries its SQL Server connection. Non-secret settings
 * travel in `connection`; the secrets (`password`, `accessToken`) are top-level
 * properties so Pulumi can keep each one secret in state by name
 * (`additionalSecretOutputs`), which it cannot do for a field nested in an object.
 */
import type { SqlServerConnectionArgs } from "../../sql/connection-args";

export type AuthenticationType = "default" | "ntlm" | "azure-active-directory-access-token";

/** Non-secret connection settings. */
export interface SqlServerConnection {
  host: string;
  /** Default 1433. */
  port?: number;
  /** SQL login (SQL authentication) or Windows user name (NTLM). */
  user?: string;
  /** Default "default" (SQL authentication). */
  authenticationType?: AuthenticationType;
  /** Windows domain, for NTLM. */
  domain?: string;
  /** Default true. */
  encrypt?: boolean;
  /** Default false. */
  trustServerCertificate?: boolean;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** The connection part of every SQL Server dynamic resource's inputs. */
export interface ConnectionInputs {
  connection: SqlServerConnection;
  /** SQL or NTLM password. Secret. */
  password?: string;
  /** Microsoft Entra access token. Secret. */
  accessToken?: string;
}

/** Properties Pulumi must keep secret in every SQL Server dynamic resource's state. */
export const CONNECTION_SECRET_OUTPUTS = ["password", "accessToken"];

/** The connection arguments of the SQL layer, from a resource's inputs. */
export function toConnectionArgs(inputs: ConnectionInputs): SqlServerConnectionArgs {
  const c = inputs.connection;
  const common = {
    host: c.host,
    port: c.port,
    encrypt: c.encrypt,
    trustServerCertificate: c.trustServerCertificate,
    connectTimeoutMs: c.connectTimeoutMs,
    requestTimeoutMs: c.requestTimeoutMs,
  };
  switch (c.authenticationType ?? "default") {
    case "ntlm":
      return {
        ...common,
        authentication: {
          type: "ntlm",
          domain: c.domain ?? "",
          userName: c.user ?? "",
          password: inputs.password ?? "",
        },
      };
    case "azure-active-directory-access-token":
      return {
        ...common,
        authentication: { type: "azure-active-directory-access-token", token: inputs.accessToken ?? "" },
      };
    default:
      return { ...common, user: c.user, password: inputs.password };
  }
}

/** Every secret value the inputs carry, for scrubbing messages. */
export function connectionSecrets(inputs: Partial<ConnectionInputs>): string[] {
  return [inputs.password, inputs.accessToken].filter(
    (s): s is string => typeof s === "string" && s.length > 0,
  );
}

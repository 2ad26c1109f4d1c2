/**
 * How a dynamic resource carries its SQL Server connection. Non-secret settings
 * travel in `connection`; the secrets (`password`, `accessToken`) are top-level
 * properties so Pulumi can keep each one secret in state by name
 * (`additionalSecretOutputs`), which it cannot do for a field nested in an object.
 *
 * Or, instead of a secret, the name of the stack config key holding it
 * (`passwordConfig`, `accessTokenConfig`): the provider reads the value at run time
 * (see config.ts), so no reply of the dynamic-provider host carries it.
 */
import type { SqlServerConnectionArgs } from "../../sql/connection-args";
import { secretOrConfig } from "./config";

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
  /** Instead of `password`: the stack config key (with its namespace) holding it. */
  passwordConfig?: string;
  /** Instead of `accessToken`: the stack config key (with its namespace) holding it. */
  accessTokenConfig?: string;
}

/** Properties Pulumi must keep secret in every SQL Server dynamic resource's state. */
export const CONNECTION_SECRET_OUTPUTS = ["password", "accessToken"];

/** Inputs that only say how SQL Server is reached: changing them changes no SQL Server object. */
export const CONNECTION_INPUT_KEYS = [
  "connection",
  "password",
  "accessToken",
  "passwordConfig",
  "accessTokenConfig",
  "__provider",
];

/** Every input that carries a credential or names the config key holding one. */
const CREDENTIAL_KEYS = ["password", "accessToken", "passwordConfig", "accessTokenConfig"];

/**
 * `olds` without its credentials, for an update that keeps outputs: `{ ...withoutCredentials(olds), ...news }`
 * stores exactly the credentials of `news`, so a password given by value does not linger in state once the
 * program passes it by config reference.
 */
export function withoutCredentials<T extends object>(olds: T): T {
  const kept = { ...olds } as Record<string, unknown>;
  for (const key of CREDENTIAL_KEYS) delete kept[key];
  return kept as T;
}

/**
 * The outputs an in-place update starts from: `olds` under the inputs of `news`, without the credentials of
 * `olds` (see {@link withoutCredentials}) and without its `optionalInputs`: an optional input the program
 * no longer sets takes its default now, and a stale value kept in the state would show as a change at every
 * later diff.
 */
export function keptOnUpdate<O extends object, N extends object>(
  olds: O,
  news: N,
  optionalInputs: readonly (keyof N & string)[],
): O & N {
  const kept = withoutCredentials(olds) as Record<string, unknown>;
  for (const key of optionalInputs) delete kept[key];
  return { ...kept, ...news } as O & N;
}

/** The credentials of the inputs, read from the stack config where given by reference. */
export interface Credentials {
  password?: string;
  accessToken?: string;
}

/**
 * Each secret either as a value or by config reference, never both. Throws a
 * {@link ConfigReferenceError} naming the property at fault (and never a secret).
 */
export function resolveCredentials(inputs: Partial<ConnectionInputs>): Credentials {
  return {
    password: secretOrConfig(inputs, "password", "passwordConfig", "password"),
    accessToken: secretOrConfig(inputs, "accessToken", "accessTokenConfig", "access token"),
  };
}

/** The connection arguments of the SQL layer, from a resource's inputs (credentials resolved). */
export function toConnectionArgs(inputs: ConnectionInputs): SqlServerConnectionArgs {
  return connectionArgsWith(inputs, resolveCredentials(inputs));
}

/** The connection arguments with the given credentials (resolved by the caller). */
export function connectionArgsWith(
  inputs: Pick<ConnectionInputs, "connection">,
  credentials: Credentials,
): SqlServerConnectionArgs {
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
          password: credentials.password ?? "",
        },
      };
    case "azure-active-directory-access-token":
      return {
        ...common,
        authentication: { type: "azure-active-directory-access-token", token: credentials.accessToken ?? "" },
      };
    default:
      return { ...common, user: c.user, password: credentials.password };
  }
}

/** Every secret value the inputs carry or refer to, for scrubbing messages. */
export function connectionSecrets(inputs: Partial<ConnectionInputs>): string[] {
  let resolved: Credentials = {};
  try {
    resolved = resolveCredentials(inputs);
  } catch {
    // An unresolvable reference has no value to scrub.
  }
  return [inputs.password, inputs.accessToken, resolved.password, resolved.accessToken].filter(
    (s): s is string => typeof s === "string" && s.length > 0,
  );
}

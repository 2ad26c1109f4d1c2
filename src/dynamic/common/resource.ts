/**
 * What every dynamic resource class of the package does the same way: its type
 * token, secret handling in state, and input shapes.
 */
import * as pulumi from "@pulumi/pulumi";
import { qualifyConfigKey } from "./config";
import type { SqlServerConnection } from "./connection";
import type { ProviderSource } from "./delegate";

/** Module of every dynamic resource type: `pulumi-nodejs:dynamic/mi-link:<Type>`. */
export const DYNAMIC_MODULE = "mi-link";

/**
 * A dynamic resource registered as `pulumi.dynamic.Resource` registers one (type
 * `pulumi-nodejs:dynamic/<module>:<type>`, the provider in `__provider`, served by Pulumi's
 * dynamic-provider host), with the provider's source given instead of serialized from an object.
 */
export class DynamicResource extends pulumi.CustomResource {
  constructor(
    provider: ProviderSource,
    name: string,
    props: Record<string, unknown>,
    opts: pulumi.CustomResourceOptions | undefined,
    module: string,
    type: string,
  ) {
    if ("__provider" in props) throw new Error("A dynamic resource must not define the __provider key");
    super(`pulumi-nodejs:dynamic/${module}:${type}`, name, { ...props, __provider: provider.text }, opts);
  }
}

/** `opts` with `names` added to `additionalSecretOutputs`. */
export function withSecretOutputs(
  opts: pulumi.CustomResourceOptions | undefined,
  names: readonly string[],
): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...names] };
}

/** Marks a possibly plain secret input as secret; undefined stays undefined. */
export function secretInput<T>(
  value: pulumi.Input<T> | undefined,
): pulumi.Output<pulumi.Unwrap<T>> | undefined {
  return value === undefined ? undefined : pulumi.secret(value);
}

/** The connection args every SQL Server dynamic resource class takes. */
export interface ConnectionArgs {
  /** Where and how to reach SQL Server (host, port, user, encryption). */
  connection: pulumi.Input<SqlServerConnection>;
  /** SQL login or NTLM password. Stored as a secret. */
  password?: pulumi.Input<string>;
  /** Microsoft Entra access token, with `connection.authenticationType: "azure-active-directory-access-token"`. Stored as a secret. */
  accessToken?: pulumi.Input<string>;
  /**
   * Instead of `password`: the name of the stack config key holding it (`"sqlPassword"`, or
   * `"<namespace>:sqlPassword"`). The provider reads it at run time; no input, state or provider
   * reply carries the password. Default: none (use `password`).
   */
  passwordConfig?: pulumi.Input<string>;
  /** Instead of `accessToken`: the name of the stack config key holding it. Default: none (use `accessToken`). */
  accessTokenConfig?: pulumi.Input<string>;
}

/** A config key name with the program's project as namespace when it has none. */
export function configKeyInput(key: pulumi.Input<string> | undefined): pulumi.Output<string> | undefined {
  if (key === undefined) return undefined;
  const project = pulumi.getProject();
  return pulumi.output(key).apply((k) => (typeof k === "string" ? qualifyConfigKey(k, project) : k));
}

/** The connection inputs with secrets wrapped and config keys qualified, for a resource's props. */
export function connectionProps(args: ConnectionArgs): Record<string, unknown> {
  return {
    connection: args.connection,
    password: secretInput(args.password),
    accessToken: secretInput(args.accessToken),
    passwordConfig: configKeyInput(args.passwordConfig),
    accessTokenConfig: configKeyInput(args.accessTokenConfig),
  };
}

/** The credential arguments a component passes on to its SQL Server resources, secrets wrapped. */
export function connectionArgsOf(args: ConnectionArgs): ConnectionArgs {
  return {
    connection: args.connection,
    password: secretInput(args.password),
    accessToken: secretInput(args.accessToken),
    passwordConfig: args.passwordConfig,
    accessTokenConfig: args.accessTokenConfig,
  };
}

/** A stable resource id for an object on a SQL Server: `<host>:<port>/<kind>/<name>`. */
export function objectId(connection: SqlServerConnection, kind: string, name: string): string {
  return `${connection.host}:${connection.port ?? 1433}/${kind}/${name}`;
}

/**
 * The property map of a dynamic resource: the inputs given, and every output declared (undefined) so
 * that the resource object exposes it. An input left undefined is not a property: the engine drops it
 * anyway, and the SDK pays several promises and stack traces per property at registration, which at
 * 100 databases is most of a program's build time.
 */
export function resourceProps(
  inputs: Record<string, unknown>,
  outputs: readonly string[],
): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) if (value !== undefined) props[key] = value;
  for (const key of outputs) if (!(key in props)) props[key] = undefined;
  return props;
}

/**
 * Credentials by config reference: a dynamic resource may carry, instead of a secret value, the
 * NAME of a stack config key holding it (`passwordConfig: "my-project:sqlPassword"`). The provider
 * reads the value from the stack config the engine hands to `configure` (@pulumi/pulumi 3.139+:
 * every key, namespaces kept), so the secret never travels in the resource's inputs, state, or
 * in any reply of the dynamic-provider host, and a rotated credential is used by every later
 * operation, delete included.
 *
 * The store is module-level: the dynamic-provider host loads this module once per process and
 * every provider of the package reads the same stack config.
 */

/** What the dynamic-provider host passes to `configure`: `req.config.get(key)`. */
export interface StackConfig {
  get(key: string): string | undefined;
}

let stackConfig: StackConfig | undefined;

/** Remembers the stack config of this provider process (called by every provider's `configure`). */
export function rememberStackConfig(config: StackConfig | undefined): void {
  if (config && typeof config.get === "function") stackConfig = config;
}

/** A stack config key: `name` or `namespace:name`, no white space. */
const CONFIG_KEY = /^(?:[A-Za-z0-9_.-]+:)?[A-Za-z0-9_.-]+$/;

/** Why `key` cannot name a stack config key, or undefined when it can. */
export function configKeyProblem(key: unknown): string | undefined {
  if (typeof key !== "string" || key.length === 0) {
    return 'must be the name of a stack config key, e.g. "sqlPassword" or "my-project:sqlPassword"';
  }
  if (!CONFIG_KEY.test(key)) {
    return `"${key}" is not a stack config key: use letters, digits, '-', '_' and '.', optionally "<namespace>:" before`;
  }
  return undefined;
}

/** `key` with its namespace: `project:key` when it has none (what `new pulumi.Config()` reads). */
export function qualifyConfigKey(key: string, project: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** The command that sets `key` as a secret, for error messages. */
export function setSecretCommand(key: string, what: string): string {
  return `pulumi config set --secret ${key} <${what}>`;
}

/** A config reference that cannot be resolved: names the property, the key and the fix; never a value. */
export class ConfigReferenceError extends Error {
  constructor(
    readonly property: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${property}: ${reason}`);
    this.name = "ConfigReferenceError";
  }
}

/**
 * The value of the stack config key `key`, named by the input `property`; `what` says what it
 * holds ("password"). Throws {@link ConfigReferenceError} when the provider has no stack config
 * or the key is not set.
 */
export function configValue(property: string, key: string, what: string): string {
  const problem = configKeyProblem(key);
  if (problem) throw new ConfigReferenceError(property, String(key), problem);
  if (!stackConfig) {
    throw new ConfigReferenceError(
      property,
      key,
      `the stack config is not available to this provider (it needs @pulumi/pulumi 3.139 or later, ` +
        `which passes it to dynamic providers); upgrade @pulumi/pulumi, or pass the ${what} itself`,
    );
  }
  const value = stackConfig.get(key);
  if (typeof value !== "string" || value.length === 0) {
    throw new ConfigReferenceError(
      property,
      key,
      `stack config key "${key}" is not set. Set it with \`${setSecretCommand(key, what)}\``,
    );
  }
  return value;
}

/**
 * A secret given either as a value (`inputs[valueKey]`) or as a config reference
 * (`inputs[configKey]`), never both: the value, read from the stack config where referenced;
 * undefined when neither is given. Throws a {@link ConfigReferenceError} naming the property at
 * fault (never a secret).
 */
export function secretOrConfig(
  inputs: object,
  valueKey: string,
  configKey: string,
  what: string,
): string | undefined {
  const record = inputs as Record<string, unknown>;
  const key = record[configKey];
  const value = record[valueKey];
  if (key === undefined || key === null) return value === null ? undefined : (value as string | undefined);
  if (value !== undefined && value !== null) {
    throw new ConfigReferenceError(
      configKey,
      String(key),
      `give either ${valueKey} or ${configKey}, not both; remove one of them`,
    );
  }
  return configValue(configKey, key as string, what);
}

/**
 * Credentials given by stack config reference (`sqlServer.passwordConfig: "sqlPassword"`) on the
 * program side. The dynamic resources receive only the key name and read the value in their
 * provider; the program itself still needs the SQL credential for the read-only preflight lookup,
 * and reads it here as a secret Output, exactly as `cfg.requireSecret(key)` would.
 */
import * as pulumi from "@pulumi/pulumi";
import { configKeyProblem, qualifyConfigKey } from "../dynamic/common/config";
import type { Problem } from "./problems";

/** `namespace:name` of a key given as `name` (the project's namespace) or `namespace:name`. */
export function splitConfigKey(key: string): { namespace: string; name: string } {
  const qualified = qualifyConfigKey(key, pulumi.getProject());
  const colon = qualified.indexOf(":");
  return { namespace: qualified.slice(0, colon), name: qualified.slice(colon + 1) };
}

/** The value of config key `key` as a secret Output (`new pulumi.Config(ns).requireSecret(name)`). */
export function requireSecretConfig(key: string): pulumi.Output<string> {
  const { namespace, name } = splitConfigKey(key);
  return new pulumi.Config(namespace).requireSecret(name);
}

/** A problem of a config reference argument, as validate-args reports it. */
export interface ConfigReferenceProblem {
  problem: string;
  fix: string;
}

/**
 * What is wrong with the config reference `key` given for `field` (e.g. "sqlServer.passwordConfig"),
 * which holds `what` ("the SQL login's password"); undefined when the stack config holds it.
 */
export function configReferenceProblem(
  field: string,
  key: unknown,
  what: string,
): ConfigReferenceProblem | undefined {
  const problem = configKeyProblem(key);
  if (problem) {
    return { problem, fix: `Give the name of the stack config key holding ${what}, e.g. "sqlPassword".` };
  }
  const k = key as string;
  const { namespace, name } = splitConfigKey(k);
  if (new pulumi.Config(namespace).get(name) === undefined) {
    return {
      problem: `names stack config key "${namespace}:${name}", which is not set`,
      fix: `Run \`pulumi config set --secret ${k} <value>\` (${what}), or correct ${field}.`,
    };
  }
  return undefined;
}

/** The SDK's own test whether a config key holds a secret (internal to @pulumi/pulumi, hence untyped). */
function isSecretConfig(qualifiedKey: string): boolean | undefined {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return typeof runtime.isConfigSecret === "function" ? runtime.isConfigSecret(qualifiedKey) : undefined;
}

/**
 * One warning per config reference in `references` (field → key) whose key is set but not as a secret:
 * its value then sits in plaintext in `Pulumi.<stack>.yaml`.
 */
export function plaintextConfigWarnings(references: Record<string, string | undefined>): string[] {
  const warnings: string[] = [];
  for (const [field, key] of Object.entries(references)) {
    if (typeof key !== "string" || configKeyProblem(key)) continue;
    const { namespace, name } = splitConfigKey(key);
    if (new pulumi.Config(namespace).get(name) === undefined) continue;
    if (isSecretConfig(`${namespace}:${name}`) === false) {
      warnings.push(
        `${field}: stack config key "${namespace}:${name}" is not a secret, so its value is stored in ` +
          `plaintext in the stack's config file. Set it again with \`pulumi config set --secret ${key} <value>\`.`,
      );
    }
  }
  return warnings;
}

/** The two arguments of one credential: `password` / `passwordConfig`, and what the secret is. */
export interface CredentialNames {
  valueKey: string;
  configKey: string;
  what: string;
}

/**
 * The problems of a credential given by config reference `key` (under `prefix`, e.g. "sqlServer"):
 * the value given too, a malformed key, or a key the stack config does not hold.
 */
export function credentialReferenceProblems(
  prefix: string,
  valueGiven: boolean,
  key: string,
  names: CredentialNames,
): Problem[] {
  const at = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const field = at(names.configKey);
  if (valueGiven) {
    return [
      {
        field,
        problem: `is given together with ${at(names.valueKey)}`,
        fix: `Give one: ${names.configKey} (the config key; the value passes through no resource input) or ${names.valueKey}.`,
      },
    ];
  }
  const found = configReferenceProblem(field, key, names.what);
  return found ? [{ field, ...found }] : [];
}

const STRONG_PASSWORD = 'Pass a strong password, e.g. cfg.requireSecret("masterKeyPassword").';

/** The problems of `masterKeyPassword` / `masterKeyPasswordConfig`: exactly one, known values non-empty. */
export function masterKeyPasswordProblems(
  args: { masterKeyPassword?: pulumi.Input<string> | null; masterKeyPasswordConfig?: string },
  isLater: (value: unknown) => boolean,
): Problem[] {
  const value = args.masterKeyPassword;
  if (args.masterKeyPasswordConfig !== undefined) {
    return credentialReferenceProblems("", value !== undefined, args.masterKeyPasswordConfig, {
      valueKey: "masterKeyPassword",
      configKey: "masterKeyPasswordConfig",
      what: "the master key password",
    });
  }
  if (value === undefined || value === null) {
    return [
      {
        field: "masterKeyPassword",
        problem: "is required",
        fix:
          'Pass masterKeyPasswordConfig: "masterKeyPassword" after `pulumi config set --secret masterKeyPassword <password>`, ' +
          'or masterKeyPassword: cfg.requireSecret("masterKeyPassword").',
      },
    ];
  }
  if (!isLater(value) && (typeof value !== "string" || value.length === 0)) {
    return [{ field: "masterKeyPassword", problem: "is empty", fix: STRONG_PASSWORD }];
  }
  return [];
}

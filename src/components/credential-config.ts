/**
 * Credentials given by stack config reference (`sqlServer.passwordConfig: "sqlPassword"`) on the
 * program side. The dynamic resources receive only the key name and read the value in their
 * provider; the program itself still needs the SQL credential for the read-only preflight lookup,
 * and reads it here as a secret Output, exactly as `cfg.requireSecret(key)` would.
 */
import * as pulumi from "@pulumi/pulumi";
import { configKeyProblem, qualifyConfigKey } from "../dynamic/common/config";

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

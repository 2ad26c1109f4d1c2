/**
 * Credentials by config reference, in the provider process: which keys are accepted, how a secret
 * given both ways or not at all is refused, and what happens before and after `configure`.
 */
import { describe, expect, it } from "vitest";
import {
  ConfigReferenceError,
  configKeyProblem,
  qualifyConfigKey,
  rememberStackConfig,
  secretOrConfig,
} from "./config";
import { connectionSecrets, resolveCredentials, withoutCredentials } from "./connection";

const connection = { host: "sql1", user: "sa" };

function failureOf(run: () => unknown): { property: string; reason: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigReferenceError);
    const e = error as ConfigReferenceError;
    return { property: e.property, reason: e.reason };
  }
  throw new Error("no error");
}

describe("config references", () => {
  it("accepts `name` and `namespace:name` keys, and qualifies the first with the project", () => {
    expect(configKeyProblem("sqlPassword")).toBeUndefined();
    expect(configKeyProblem("shared-secrets:sql.password_1")).toBeUndefined();
    expect(configKeyProblem("")).toMatch(/must be the name of a stack config key/);
    expect(configKeyProblem("a b")).toMatch(/"a b" is not a stack config key/);
    expect(configKeyProblem("a:b:c")).toMatch(/is not a stack config key/);
    expect(configKeyProblem(42)).toMatch(/must be the name/);
    expect(qualifyConfigKey("sqlPassword", "proj")).toBe("proj:sqlPassword");
    expect(qualifyConfigKey("other:sqlPassword", "proj")).toBe("other:sqlPassword");
  });

  it("without the stack config (no configure yet), a reference fails naming the upgrade; values still work", () => {
    expect(
      failureOf(() => secretOrConfig({ passwordConfig: "p:k" }, "password", "passwordConfig", "password")),
    ).toMatchObject({ property: "passwordConfig", reason: expect.stringMatching(/@pulumi\/pulumi 3\.139/) });
    expect(secretOrConfig({ password: "v" }, "password", "passwordConfig", "password")).toBe("v");
  });

  it("reads a reference from the stack config, refuses both forms and a key that is not set", () => {
    const values: Record<string, string> = { "p:sqlPassword": "Pw-From-Config1!", "p:token": "tok" };
    rememberStackConfig({ get: (key) => values[key] });
    expect(resolveCredentials({ connection, passwordConfig: "p:sqlPassword" })).toEqual({
      password: "Pw-From-Config1!",
      accessToken: undefined,
    });
    expect(
      connectionSecrets({ connection, passwordConfig: "p:sqlPassword", accessTokenConfig: "p:token" }),
    ).toEqual(["Pw-From-Config1!", "tok"]);
    expect(
      failureOf(() => resolveCredentials({ connection, password: "x", passwordConfig: "p:sqlPassword" })),
    ).toEqual({
      property: "passwordConfig",
      reason: "give either password or passwordConfig, not both; remove one of them",
    });
    const missing = failureOf(() => resolveCredentials({ connection, accessTokenConfig: "p:nope" }));
    expect(missing).toEqual({
      property: "accessTokenConfig",
      reason:
        'stack config key "p:nope" is not set. Set it with `pulumi config set --secret p:nope <access token>`',
    });
    // An unresolvable reference has nothing to scrub, and scrubbing never throws.
    expect(connectionSecrets({ connection, passwordConfig: "p:nope" })).toEqual([]);
  });

  it("an update keeps no credential of the old state", () => {
    const olds = { connection, password: "old", passwordConfig: "p:x", name: "kept" };
    expect({ ...withoutCredentials(olds), passwordConfig: "p:sqlPassword" }).toEqual({
      connection,
      name: "kept",
      passwordConfig: "p:sqlPassword",
    });
  });
});

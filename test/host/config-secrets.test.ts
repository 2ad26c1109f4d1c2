/**
 * Credentials by config reference, through Pulumi's real dynamic-provider host against the SQL Server
 * emulator. Every raw gRPC reply of a full lifecycle (Configure, Check, Diff, Create, Read, Update, Delete)
 * and every error the host returns is scanned for the SQL password and the master key password:
 *
 * - config mode (`passwordConfig`, `masterKeyPasswordConfig`): no reply and no error carries either;
 * - value mode (`password`, `masterKeyPassword`): they appear exactly where the resource's own properties
 *   are echoed (Check inputs, Create/Read/Update properties), and nowhere else;
 * - a rotated password set in the stack config is what the next run (delete included) uses.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { catalogRows, connectionInputs } from "../dynamic/support/emulator";
import { recordingHost, secretsInReplies, type RecordedReply } from "../dynamic/support/recording-host";
import { startProviderTestBed } from "../dynamic/support/test-bed";
import { destroy, preview, refresh, up, type ResourceState } from "../support/engine-steps";
import { startProviderHost, urnFor, type ProviderHost } from "../support/provider-host";
import { serializeProvider } from "../support/serialize";

const MASTER_KEY_PASSWORD = "Mk-Config!7e3b1d";
const SECRET_OUTPUTS = { additionalSecretOutputs: ["password", "accessToken", "masterKeyPassword"] };
const PASSWORD_KEY = "project:sqlPassword";
const MASTER_KEY_KEY = "project:masterKeyPassword";

describe("credentials by config reference (MasterKey through the real host)", () => {
  let emulator: SqlServerEmulator;
  let providerText: string;
  let firstHost: ProviderHost;
  const hosts: ProviderHost[] = [];
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:MasterKey", "mk");
  let sqlPassword: string;

  beforeAll(async () => {
    ({
      providerText,
      emulator,
      host: firstHost,
    } = await startProviderTestBed("./dist/dynamic/master-key.js", "masterKeyProvider"));
    sqlPassword = emulator.connectionInfo().password;
  }, 120_000);

  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
  });

  afterAll(async () => {
    await firstHost?.stop();
    await emulator?.stop();
  });

  /** A fresh host (a new `pulumi up`), configured with `config`; every reply recorded. */
  async function newRun(
    config: Record<string, string>,
  ): Promise<{ host: ProviderHost; replies: RecordedReply[] }> {
    const started = await startProviderHost();
    hosts.push(started);
    const recorded = recordingHost(started);
    const vars = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, pulumi.secret(v)]));
    await recorded.host.configure(vars);
    return recorded;
  }

  const configInputs = (extra: Record<string, unknown> = {}) => ({
    __provider: providerText,
    connection: connectionInputs(emulator),
    passwordConfig: PASSWORD_KEY,
    masterKeyPasswordConfig: MASTER_KEY_KEY,
    ...extra,
  });
  const valueInputs = (extra: Record<string, unknown> = {}) => ({
    __provider: providerText,
    connection: connectionInputs(emulator),
    password: pulumi.secret(sqlPassword),
    masterKeyPassword: pulumi.secret(MASTER_KEY_PASSWORD),
    ...extra,
  });
  const masterKeyExists = () => catalogRows(emulator, "sys.symmetric_keys").length > 0;

  /** preview, up (create), refresh, up again (no-op), up with a change (update), failed create, destroy. */
  async function lifecycle(
    host: ProviderHost,
    inputs: (extra?: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<void> {
    expect((await preview(host, urn, inputs())).op).toBe("create");
    const created = await up(host, urn, inputs(), undefined, SECRET_OUTPUTS);
    expect(created.op).toBe("create");
    expect(masterKeyExists()).toBe(true);
    expect(created.state.outputs.adopted).toBe(false);
    expect((await refresh(host, created.state))?.changed).toBe(false);
    expect((await up(host, urn, inputs(), created.state)).op).toBe("same");
    const updated = await up(host, urn, inputs({ dropAdoptedOnDelete: true }), created.state);
    expect(updated.op).toBe("update");
    await destroy(host, updated.state);
    expect(masterKeyExists()).toBe(false);

    // A failing CREATE MASTER KEY: the statement carries the password; the error must not.
    emulator.tds.addFault({ on: { match: /^CREATE MASTER KEY/ }, action: "error", times: 1 });
    await expect(up(host, urn, inputs())).rejects.toThrow(/create the database master key/);
    emulator.tds.clearFaults();
    expect(masterKeyExists()).toBe(false);
  }

  it("config mode: no gRPC reply, error, log or stored property of a full lifecycle holds a secret", async () => {
    const { host, replies } = await newRun({
      [PASSWORD_KEY]: sqlPassword,
      [MASTER_KEY_KEY]: MASTER_KEY_PASSWORD,
    });
    await lifecycle(host, configInputs);

    const methods = new Set(replies.map((r) => r.method));
    for (const m of ["Configure", "Check", "Diff", "Create", "Read", "Update", "Delete", "Create (error)"]) {
      expect(methods).toContain(m);
    }
    const secrets = [sqlPassword, MASTER_KEY_PASSWORD];
    expect(secretsInReplies(replies, secrets)).toEqual([]);
    expect(replies.some((r) => secrets.some((s) => r.rawText.includes(s)))).toBe(false);
    expect(host.logs().filter((e) => secrets.some((s) => e.message.includes(s)))).toEqual([]);
  });

  it("config mode: what the engine stores holds only the key names", async () => {
    const { host } = await newRun({ [PASSWORD_KEY]: sqlPassword, [MASTER_KEY_KEY]: MASTER_KEY_PASSWORD });
    const { state } = await up(host, urn, configInputs(), undefined, SECRET_OUTPUTS);
    const stored = JSON.stringify(state);
    expect(stored).not.toContain(sqlPassword);
    expect(stored).not.toContain(MASTER_KEY_PASSWORD);
    expect(state.outputs).toMatchObject({
      passwordConfig: PASSWORD_KEY,
      masterKeyPasswordConfig: MASTER_KEY_KEY,
    });
    expect(state.outputs).not.toHaveProperty("password");
    expect(state.outputs).not.toHaveProperty("masterKeyPassword");
    await destroy(host, state);
  });

  it("value mode: the secrets appear in the host's replies exactly where the resource's properties are echoed", async () => {
    const { host, replies } = await newRun({});
    await lifecycle(host, valueInputs);
    const expected = ["Check", "Create", "Read", "Update"].flatMap((method) => {
      const where = method === "Check" ? "inputs" : "properties";
      return [`${method}: $.${where}.password`, `${method}: $.${where}.masterKeyPassword`];
    });
    expect(secretsInReplies(replies, [sqlPassword, MASTER_KEY_PASSWORD])).toEqual(expected.sort());
    // Errors and logs stay clean in value mode too.
    expect(
      secretsInReplies(
        replies.filter((r) => r.method.endsWith("(error)")),
        [sqlPassword, MASTER_KEY_PASSWORD],
      ),
    ).toEqual([]);
  });

  it("refuses, in check and naming the key and the command, a reference the stack config does not hold", async () => {
    const { host } = await newRun({});
    emulator.tds.resetCounters();
    const { failures } = await host.check(urn, {}, configInputs());
    expect(failures).toEqual([
      {
        property: "passwordConfig",
        reason:
          'stack config key "project:sqlPassword" is not set. Set it with `pulumi config set --secret project:sqlPassword <password>`',
      },
      {
        property: "masterKeyPasswordConfig",
        reason:
          'stack config key "project:masterKeyPassword" is not set. Set it with `pulumi config set --secret project:masterKeyPassword <master key password>`',
      },
    ]);
    expect(emulator.tds.counters().requests).toBe(0);
  });

  it("refuses a secret given both ways, and a malformed key", async () => {
    const { host } = await newRun({ [PASSWORD_KEY]: sqlPassword, [MASTER_KEY_KEY]: MASTER_KEY_PASSWORD });
    const both = await host.check(
      urn,
      {},
      configInputs({ password: pulumi.secret(sqlPassword), masterKeyPasswordConfig: "bad key" }),
    );
    expect(both.failures.map((f) => f.property)).toEqual(["passwordConfig", "masterKeyPasswordConfig"]);
    expect(both.failures[0].reason).toMatch(/either password or passwordConfig, not both/);
    expect(both.failures[1].reason).toMatch(/"bad key" is not a stack config key/);
    expect(both.rawText).not.toContain(MASTER_KEY_PASSWORD);
  });

  it("a wrong password in the config fails the login without echoing it", async () => {
    const wrong = "Wrong-Config-Passw0rd!";
    const { host, replies } = await newRun({ [PASSWORD_KEY]: wrong, [MASTER_KEY_KEY]: MASTER_KEY_PASSWORD });
    await expect(up(host, urn, configInputs())).rejects.toThrow(/login|Login/);
    expect(secretsInReplies(replies, [wrong, MASTER_KEY_PASSWORD, sqlPassword])).toEqual([]);
  });

  it("the ARM token by config reference: a key the config does not hold fails check, naming it", async () => {
    const [miCertificate, linkRole] = await Promise.all([
      serializeProvider(
        "./dist/dynamic/mi-endpoint-certificate.js",
        "managedInstanceEndpointCertificateProvider",
      ),
      serializeProvider("./dist/dynamic/link-role.js", "linkRoleProvider"),
    ]);
    const { host } = await newRun({});
    const target = {
      subscriptionId: "00000000-0000-0000-0000-000000000001",
      resourceGroupName: "rg",
      managedInstanceName: "sqlmi1",
    };
    const certificate = await host.check(
      urnFor("pulumi-nodejs:dynamic/mi-link:ManagedInstanceEndpointCertificate", "mi-cert"),
      {},
      { __provider: miCertificate.text, ...target, accessTokenConfig: "project:armAccessToken" },
    );
    expect(certificate.failures).toEqual([
      {
        property: "accessTokenConfig",
        reason:
          'stack config key "project:armAccessToken" is not set. Set it with `pulumi config set --secret project:armAccessToken <ARM access token>`',
      },
    ]);
    const role = await host.check(
      urnFor("pulumi-nodejs:dynamic/mi-link:LinkRole", "role"),
      {},
      {
        __provider: linkRole.text,
        ...target,
        armAccessToken: pulumi.secret("token"),
        armAccessTokenConfig: "project:armAccessToken",
      },
    );
    expect(role.failures).toContainEqual({
      property: "armAccessTokenConfig",
      reason: "give either armAccessToken or armAccessTokenConfig, not both; remove one of them",
    });
  });

  describe("rotation of the SQL login's password", () => {
    const rotated = "Rotated-Passw0rd!9";

    afterEach(() => {
      emulator.model.setLoginPassword("sa", sqlPassword);
    });

    it("config mode: the next run reads the new password from the config, and delete succeeds", async () => {
      const first = await newRun({ [PASSWORD_KEY]: sqlPassword, [MASTER_KEY_KEY]: MASTER_KEY_PASSWORD });
      const { state } = await up(first.host, urn, configInputs(), undefined, SECRET_OUTPUTS);
      emulator.model.setLoginPassword("sa", rotated);

      // The next `pulumi up`: same program, same state, the config holds the new password.
      const next = await newRun({ [PASSWORD_KEY]: rotated, [MASTER_KEY_KEY]: MASTER_KEY_PASSWORD });
      expect((await refresh(next.host, state))?.changed).toBe(false);
      expect((await up(next.host, urn, configInputs(), state)).op).toBe("same");
      await destroy(next.host, state);
      expect(masterKeyExists()).toBe(false);
      expect(secretsInReplies(next.replies, [sqlPassword, rotated, MASTER_KEY_PASSWORD])).toEqual([]);
    });

    it("value mode: delete runs with the password stored at creation and fails after a rotation", async () => {
      const first = await newRun({});
      const { state } = await up(first.host, urn, valueInputs(), undefined, SECRET_OUTPUTS);
      emulator.model.setLoginPassword("sa", rotated);

      const next = await newRun({});
      const failed = await destroy(next.host, state).catch((e: unknown) => e as Error);
      expect(failed).toBeInstanceOf(Error);
      expect((failed as Error).message).toMatch(/[Ll]ogin failed/);
      expect((failed as Error).message).not.toContain(sqlPassword);
      expect((failed as Error).message).not.toContain(rotated);
      expect(masterKeyExists()).toBe(true);

      // The way out in value mode: an update with the new password first, then delete.
      const refreshed: ResourceState = (
        await up(next.host, urn, valueInputs({ password: pulumi.secret(rotated) }), state)
      ).state;
      await destroy(next.host, refreshed);
      expect(masterKeyExists()).toBe(false);
    });
  });
});

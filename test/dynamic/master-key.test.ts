/**
 * The master key provider through Pulumi's real dynamic-provider host, against
 * the SQL Server emulator: the whole lifecycle, adoption, and secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { destroy, preview, refresh, up } from "../support/engine-steps";
import { urnFor, type ProviderHost } from "../support/provider-host";
import { serializeProvider } from "../support/serialize";
import { plaintextPaths } from "../support/wire";
import { adminBatch, catalogRows, connectionInputs } from "./support/emulator";
import { lostReplyLifecycle } from "./support/lost-reply";
import { startProviderTestBed } from "./support/test-bed";

const MASTER_KEY_PASSWORD = "Mk-Secret!4f9a2c";

describe("MasterKey provider", () => {
  let emulator: SqlServerEmulator;
  let host: ProviderHost;
  let providerText: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:MasterKey", "mk");

  beforeAll(async () => {
    ({ providerText, emulator, host } = await startProviderTestBed(
      "./dist/dynamic/master-key.js",
      "masterKeyProvider",
    ));
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  const inputs = (extra: Record<string, unknown> = {}) => {
    const info = emulator.connectionInfo();
    return {
      __provider: providerText,
      connection: connectionInputs(emulator),
      password: pulumi.secret(info.password),
      masterKeyPassword: pulumi.secret(MASTER_KEY_PASSWORD),
      ...extra,
    };
  };
  const masterKeyExists = () => catalogRows(emulator, "sys.symmetric_keys").length > 0;

  it("creates, reads without drift, diffs clean, refreshes a drop, re-creates and deletes", async () => {
    const created = await up(host, urn, inputs());
    expect(created.op).toBe("create");
    expect(masterKeyExists()).toBe(true);
    expect(created.state.outputs.adopted).toBe(false);

    const read = await refresh(host, created.state);
    expect(read?.changed).toBe(false);
    expect((await preview(host, urn, inputs(), created.state)).op).toBe("same");

    emulator.tds.resetCounters();
    const rotated = await up(
      host,
      urn,
      inputs({ password: pulumi.secret(emulator.connectionInfo().password) }),
      created.state,
    );
    expect(rotated.op).toBe("same");

    await adminBatch(emulator, "DROP MASTER KEY");
    expect(await refresh(host, created.state)).toBeUndefined();

    const again = await up(host, urn, inputs());
    expect(masterKeyExists()).toBe(true);
    await destroy(host, again.state);
    expect(masterKeyExists()).toBe(false);
    expect(await refresh(host, again.state)).toBeUndefined();
  });

  it("a key stored by an earlier version (closure-serialized provider): the next up only stores the new source, destroy drops the key", async () => {
    const legacy = await serializeProvider(
      "./test/dynamic/fixtures/legacy-forwarder.js",
      "masterKeyProvider",
    );
    expect(legacy.text).not.toBe(providerText);
    const created = await up(host, urn, inputs({ __provider: legacy.text }));
    expect(created.op).toBe("create");

    emulator.tds.resetCounters();
    const upgraded = await up(host, urn, inputs(), created.state);
    expect(upgraded.op).toBe("update");
    expect(emulator.tds.requestLog()).toEqual([]);
    expect(upgraded.state.outputs.__provider).toBe(providerText);
    expect(upgraded.state.outputs.adopted).toBe(false);

    await destroy(host, upgraded.state);
    expect(masterKeyExists()).toBe(false);
  });

  it("creates the key in two requests: the read that finds none, then CREATE with the read of the new key", async () => {
    emulator.tds.resetCounters();
    const created = await up(host, urn, inputs());
    const statements = emulator.tds
      .requestLog()
      .map((entry) => entry.text)
      .filter((text) => !/^\s*SELECT 1;?\s*$/i.test(text) && !/^set textsize/i.test(text));
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/^\s*SELECT/);
    expect(statements[1]).toMatch(/^CREATE MASTER KEY[^]*;\s*SELECT[^]*sys\.symmetric_keys/);
    const [key] = catalogRows(emulator, "sys.symmetric_keys");
    expect(String(created.state.outputs.keyGuid).toLowerCase()).toBe(String(key.key_guid).toLowerCase());
    await destroy(host, created.state);
  });

  it("adopts an existing key without its password and leaves it on delete", async () => {
    await adminBatch(emulator, "CREATE MASTER KEY ENCRYPTION BY PASSWORD = 'Someone-Elses!Pass1'");
    const adopted = await up(host, urn, inputs());
    expect(adopted.state.outputs.adopted).toBe(true);
    await destroy(host, adopted.state);
    expect(masterKeyExists()).toBe(true);
    await adminBatch(emulator, "DROP MASTER KEY");
  });

  it("refuses bad input in check without sending a statement", async () => {
    emulator.tds.resetCounters();
    const bad = await host.check(
      urn,
      {},
      inputs({ masterKeyPassword: "", connection: { host: "bad host;", port: 70000 } }),
    );
    expect(bad.failures.map((f) => f.property).sort()).toEqual([
      "connection.host",
      "connection.port",
      "connection.user",
      "masterKeyPassword",
    ]);
    expect(emulator.tds.counters().requests).toBe(0);
  });

  it("keeps passwords secret in state, and out of __provider and the host's logs", async () => {
    const secrets = [MASTER_KEY_PASSWORD, emulator.connectionInfo().password];
    const created = await up(host, urn, inputs());
    expect(plaintextPaths(created.plan.check.state, secrets)).toEqual([]);
    expect(plaintextPaths(created.state.outputs, secrets)).toEqual([]);
    expect(secrets.some((secret) => providerText.includes(secret))).toBe(false);
    expect(host.logs().filter((entry) => secrets.some((s) => entry.message.includes(s)))).toEqual([]);
    await destroy(host, created.state);
  });

  it.each([
    ["whose reply is lost", "run-then-drop"],
    ["that ran although its request failed", "run-then-error"],
  ] as const)(
    "a CREATE MASTER KEY %s stays the stack's: finished by the next up, dropped by destroy",
    async (_case, fault) => {
      const run = await lostReplyLifecycle({
        host,
        emulator,
        urn,
        inputs: () => inputs(),
        createStatement: /^CREATE MASTER KEY/,
        fault,
        exists: masterKeyExists,
        additionalSecretOutputs: ["password", "accessToken", "masterKeyPassword"],
      });
      expect(run.createError.details).not.toContain(MASTER_KEY_PASSWORD);
      expect(run.rerun.state.outputs.keyGuid).toEqual(expect.any(String));
    },
  );
});

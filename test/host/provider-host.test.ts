import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { startEngineServer } from "../../src/testing/rehearsal/engine-server";
import { ProviderHost, ProviderHostError, startProviderHost, urnFor } from "../support/provider-host";
import { serializeProvider, serializeProviders } from "../support/serialize";
import { UNKNOWN, isSecretValue, plaintextPaths, secretKeys } from "../support/wire";

const fixture = "./test/host/fixtures/json-file-provider.js";
const type = "pulumi-nodejs:dynamic/fixture:JsonObject";

let host: ProviderHost;
let providerText: string;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-host-"));
  [host, { text: providerText }] = await Promise.all([
    startProviderHost(),
    serializeProvider(fixture, "jsonFileProvider"),
  ]);
  await host.configure({ "project:greeting": "created" });
});

afterAll(async () => {
  await host?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function storeFile(name: string): string {
  return path.join(dir, `${name}.json`);
}

function readStore(file: string): Record<string, { name: string; value: unknown; secret?: unknown }> {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

describe("the dynamic-provider host driven over gRPC", () => {
  it("runs check, create, read, diff, update and delete of a serialized provider", async () => {
    const file = storeFile("lifecycle");
    const urn = urnFor(type, "lifecycle");
    const news = { __provider: providerText, file, name: "alpha", value: 1 };

    const checked = await host.check(urn, {}, news);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ file, name: "alpha", value: 1, __provider: providerText });

    const created = await host.create(urn, checked.inputs);
    expect(created.id).toBe("obj-alpha");
    expect(created.properties).toEqual({
      file,
      name: "alpha",
      value: 1,
      objectId: "obj-alpha",
      __provider: providerText,
    });
    expect(readStore(file)).toEqual({ "obj-alpha": { name: "alpha", value: 1 } });

    const read = await host.read(created.id, urn, created.state, checked.inputs);
    expect(read.id).toBe("obj-alpha");
    expect(read.properties).toMatchObject({ value: 1, objectId: "obj-alpha", __provider: providerText });
    expect(read.inputs).toEqual({ file, name: "alpha", value: 1, __provider: providerText });

    const changedValue = { ...news, value: 2 };
    const inPlace = await host.diff(created.id, urn, created.state, changedValue);
    expect(inPlace).toMatchObject({ changes: "some", replaces: [], deleteBeforeReplace: false });

    const renamed = await host.diff(created.id, urn, created.state, { ...news, name: "beta" });
    expect(renamed).toMatchObject({ changes: "some", replaces: ["name"], deleteBeforeReplace: true });

    const same = await host.diff(created.id, urn, created.state, news);
    expect(same.changes).toBe("none");

    const updated = await host.update(created.id, urn, created.state, changedValue);
    expect(updated.properties).toMatchObject({ value: 2, objectId: "obj-alpha", __provider: providerText });
    expect(readStore(file)["obj-alpha"].value).toBe(2);

    await host.delete(created.id, urn, updated.state);
    expect(readStore(file)).toEqual({});

    const gone = await host.read(created.id, urn, updated.state);
    expect(gone.id).toBe("");
  });

  it("returns check failures as property and reason", async () => {
    const urn = urnFor(type, "bad");
    const { failures } = await host.check(urn, {}, { __provider: providerText, file: "", name: "Not Valid" });
    expect(failures).toEqual([
      { property: "file", reason: "file must be a non-empty path" },
      { property: "name", reason: "name must be lower-case letters, digits and dashes" },
    ]);
  });

  it("passes preview's unknown values to check and diff as the sentinel", async () => {
    const urn = urnFor(type, "preview");
    const news = {
      __provider: providerText,
      file: storeFile("preview"),
      name: "gamma",
      value: pulumi.unknown,
    };
    const checked = await host.check(urn, {}, news);
    expect(checked.inputs.value).toBe(UNKNOWN);
    const diff = await host.diff("obj-gamma", urn, { ...news, value: 1 }, news);
    expect(diff.changes).toBe("some");
  });

  it("gives the provider secrets in plaintext and lets the engine re-mark same-named outputs", async () => {
    const file = storeFile("secret");
    const urn = urnFor(type, "secret");
    const password = "Pa55-w0rd-that-must-not-leak";
    const news = { __provider: providerText, file, name: "delta", value: 1, secret: pulumi.secret(password) };

    const checked = await host.check(urn, {}, news);
    // The host never sees a secret wrapper: acceptSecrets=false makes the engine strip it.
    expect(checked.inputs.secret).toBe(password);
    expect(secretKeys(checked.state)).toEqual(["secret"]);

    const created = await host.create(urn, checked.state);
    expect(readStore(file)["obj-delta"].secret).toBe(password);
    // The host answers in plaintext ...
    expect(created.properties.secret).toBe(password);
    expect(created.rawText).toContain(password);
    // ... and only the engine's annotation keeps it out of state in clear.
    expect(isSecretValue(created.state.secret)).toBe(true);
    expect(secretKeys(created.state)).toEqual(["secret"]);
    expect(plaintextPaths(created.state, [password])).toEqual([]);
  });

  it("rejects with the thrown message when create fails", async () => {
    const urn = urnFor(type, "fails");
    const props = { __provider: providerText, file: storeFile("fails"), name: "epsilon", failCreate: true };
    const error = await host.create(urn, props).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderHostError);
    expect(error).toMatchObject({ method: "create", details: "cannot create epsilon: failCreate was set" });
    expect((error as ProviderHostError).initFailure).toBeUndefined();
  });

  it("reports a partially created object with its id, properties and reasons", async () => {
    const file = storeFile("partial");
    const urn = urnFor(type, "partial");
    const props = { __provider: providerText, file, name: "zeta", value: 3, partialCreate: true };
    const error = (await host.create(urn, props).catch((e: unknown) => e)) as ProviderHostError;
    expect(error).toBeInstanceOf(ProviderHostError);
    expect(error.details).toBe("created obj-zeta but it did not become ready");
    expect(error.initFailure).toEqual({
      id: "obj-zeta",
      properties: { file, name: "zeta", value: 3, objectId: "obj-zeta" },
      reasons: ["object stayed in state PENDING"],
    });
    expect(readStore(file)).toHaveProperty("obj-zeta");
  });

  it("rejects update of an object that vanished with the provider's message", async () => {
    const urn = urnFor(type, "vanished");
    const props = { __provider: providerText, file: storeFile("vanished"), name: "eta", value: 1 };
    const error = await host.update("obj-eta", urn, props, { ...props, value: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      method: "update",
      details: expect.stringContaining("object obj-eta vanished"),
    });
  });

  it("rejects a failed delete with the message, which the host also prints to stderr", async () => {
    const urn = urnFor(type, "undeletable");
    const props = {
      __provider: providerText,
      file: storeFile("undeletable"),
      name: "kappa",
      failDelete: true,
    };
    const error = await host.delete("obj-kappa", urn, props).catch((e: unknown) => e);
    expect(error).toMatchObject({ method: "delete", details: "cannot delete obj-kappa: failDelete was set" });
    const printed = await host.waitForLog((e) => e.message.includes("failDelete was set"));
    expect(printed.source).toBe("stderr");
  });

  it("collects what providers log, with the configuration they received", async () => {
    const urn = urnFor(type, "logged");
    await host.create(urn, { __provider: providerText, file: storeFile("logged"), name: "theta", value: 0 });
    const entry = await host.waitForLog((e) => e.message.includes("obj-theta"));
    expect(entry).toEqual({ source: "engine", severity: "info", message: "created obj-theta" });
    expect(host.logs()).toContainEqual(entry);
  });
});

describe("a host started like the CLI starts it (no engine address in the environment)", () => {
  it("collects provider logs from stdout and reads config keys without a namespace", async () => {
    const cliLike = await startProviderHost({ logThroughEngine: false, project: "proj" });
    try {
      await cliLike.configure({ "proj:greeting": pulumi.secret("made") });
      const urn = urnFor(type, "stdout", { project: "proj" });
      await cliLike.create(urn, {
        __provider: providerText,
        file: storeFile("stdout"),
        name: "iota",
        value: 0,
      });
      const entry = await cliLike.waitForLog((e) => e.message.includes("obj-iota"));
      expect(entry).toEqual({ source: "stdout", severity: "info", message: "info: [runtime] made obj-iota" });
    } finally {
      await cliLike.stop();
    }
    expect(() => process.kill(cliLike.pid, 0)).toThrow();
  });
});

describe("a host given an engine server that already listens", () => {
  it("calls that server, collects its logs there, and stops it with the host", async () => {
    const engine = await startEngineServer();
    const given = await startProviderHost({ engineServer: engine });
    try {
      expect(given.engineAddress).toBe(engine.address);
      await given.configure({ "project:greeting": "created" });
      const urn = urnFor(type, "given-engine");
      await given.create(urn, {
        __provider: providerText,
        file: storeFile("given"),
        name: "kappa",
        value: 0,
      });
      const entry = await given.waitForLog((e) => e.message.includes("obj-kappa"));
      expect(entry).toEqual({ source: "engine", severity: "info", message: "created obj-kappa" });
      expect(engine.logs).toContainEqual(entry);
    } finally {
      await given.stop();
    }
    const client = new EngineClient(engine.address, grpc.credentials.createInsecure());
    const reached = await new Promise<boolean>((resolve) =>
      client.waitForReady(Date.now() + 300, (error) => resolve(!error)),
    );
    client.close();
    expect(reached).toBe(false);
  });
});

describe("a host that dies", () => {
  it("fails to start with the reason the process printed", async () => {
    const start = startProviderHost({ env: { NODE_OPTIONS: "--require ./no-such-preload.js" } });
    await expect(start).rejects.toThrow(/exited \(1\) before printing its port[\s\S]*no-such-preload/);
  });

  it("fails the call in flight and reports what the host printed", async () => {
    const doomed = await startProviderHost();
    try {
      const urn = urnFor(type, "crash");
      const props = { __provider: providerText, file: storeFile("crash"), name: "lambda", crashHost: true };
      const error = await doomed.create(urn, props).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderHostError);
      expect((error as ProviderHostError).details).toContain("fatal: the provider ended its host");
    } finally {
      await doomed.stop();
    }
  });
});

describe("providers that capture module-level values", () => {
  it("run in the host with a captured secret Output restored", async () => {
    const [withSecret, withPlain] = await serializeProviders([
      { modulePath: "./test/host/fixtures/captured-values-provider.js", exportName: "withSecretOutput" },
      { modulePath: "./test/host/fixtures/captured-values-provider.js", exportName: "withPlainString" },
    ]);
    const urn = urnFor(type, "captured");
    const secret = await host.create(urn, { __provider: withSecret.text, tag: "s" });
    expect(secret).toMatchObject({ id: "secret-capture", properties: { tag: "s", length: 21 } });
    const plain = await host.create(urn, { __provider: withPlain.text, tag: "p" });
    expect(plain).toMatchObject({ id: "plain-capture", properties: { tag: "p", length: 20 } });
  });
});

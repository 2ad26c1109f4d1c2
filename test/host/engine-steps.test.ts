import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckFailedError, destroy, preview, refresh, up } from "../support/engine-steps";
import { ProviderHost, dynamicResourceType, startProviderHost, urnFor } from "../support/provider-host";
import { serializeProvider, serializeProviders } from "../support/serialize";
import { isSecretValue } from "../support/wire";

const type = dynamicResourceType("fixture", "JsonObject");

let host: ProviderHost;
let __provider: string;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-steps-"));
  [host, { text: __provider }] = await Promise.all([
    startProviderHost(),
    serializeProvider("./test/host/fixtures/json-file-provider.js", "jsonFileProvider"),
  ]);
});

afterAll(async () => {
  await host?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function store(file: string): Record<string, { name: string; value: unknown; secret?: unknown }> {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

describe("engine steps over the real host", () => {
  it("keeps the promises of a well-behaved provider: no-op re-apply, empty refresh, clean destroy", async () => {
    const file = path.join(dir, "promises.json");
    const urn = urnFor(type, "promises");
    const inputs = { __provider, file, name: "alpha", value: 1 };

    const first = await up(host, urn, inputs);
    expect(first.op).toBe("create");
    expect(first.state).toMatchObject({ urn, id: "obj-alpha", outputs: { value: 1, objectId: "obj-alpha" } });

    expect((await up(host, urn, inputs, first.state)).op).toBe("same");
    expect((await preview(host, urn, inputs, first.state)).op).toBe("same");
    expect(await refresh(host, first.state)).toMatchObject({ changed: false });

    await destroy(host, first.state);
    expect(store(file)).toEqual({});
  });

  it("updates in place, replaces on a replacing change, and previews without touching anything", async () => {
    const file = path.join(dir, "changes.json");
    const urn = urnFor(type, "changes");
    const inputs = { __provider, file, name: "beta", value: 1 };
    let { state } = await up(host, urn, inputs);

    expect((await preview(host, urn, { ...inputs, value: 2 }, state)).op).toBe("update");
    expect(store(file)["obj-beta"].value).toBe(1);

    const updated = await up(host, urn, { ...inputs, value: 2 }, state);
    expect(updated.op).toBe("update");
    expect(store(file)["obj-beta"].value).toBe(2);
    state = updated.state;

    const replaced = await up(host, urn, { ...inputs, name: "gamma", value: 2 }, state);
    expect(replaced.op).toBe("replace");
    expect(replaced.plan.diff).toMatchObject({ replaces: ["name"], deleteBeforeReplace: true });
    expect(Object.keys(store(file))).toEqual(["obj-gamma"]);
    expect(replaced.state.id).toBe("obj-gamma");
  });

  it("refresh reports drift made out of band and a deletion made out of band", async () => {
    const file = path.join(dir, "drift.json");
    const urn = urnFor(type, "drift");
    const { state } = await up(host, urn, { __provider, file, name: "delta", value: 1 });

    fs.writeFileSync(file, JSON.stringify({ "obj-delta": { name: "delta", value: 7 } }));
    const drifted = await refresh(host, state);
    expect(drifted).toMatchObject({ changed: true, state: { outputs: { value: 7 }, inputs: { value: 7 } } });

    fs.writeFileSync(file, "{}");
    expect(await refresh(host, state)).toBeUndefined();
  });

  it("stores a secret input's same-named output as secret through create and update", async () => {
    const file = path.join(dir, "secret.json");
    const urn = urnFor(type, "secret");
    const inputs = { __provider, file, name: "epsilon", value: 1, secret: pulumi.secret("s3cr3t-one") };
    const created = await up(host, urn, inputs);
    expect(isSecretValue(created.state.inputs.secret)).toBe(true);
    expect(isSecretValue(created.state.outputs.secret)).toBe(true);
    expect(isSecretValue(created.state.outputs.objectId)).toBe(false);

    const updated = await up(host, urn, { ...inputs, secret: pulumi.secret("s3cr3t-two") }, created.state);
    expect(updated.op).toBe("update");
    expect(updated.state.outputs.secret).toEqual(expect.objectContaining({ value: "s3cr3t-two" }));
    expect(isSecretValue(updated.state.outputs.secret)).toBe(true);

    const refreshed = await refresh(host, updated.state);
    expect(refreshed?.changed).toBe(false);
    expect(isSecretValue(refreshed?.state.inputs.secret)).toBe(true);
    expect(isSecretValue(refreshed?.state.outputs.secret)).toBe(true);
  });

  it("stores additionalSecretOutputs as secret through create, update and refresh", async () => {
    const file = path.join(dir, "additional.json");
    const urn = urnFor(type, "additional");
    const inputs = { __provider, file, name: "zeta", value: 1 };
    const created = await up(host, urn, inputs, undefined, { additionalSecretOutputs: ["objectId"] });
    expect(isSecretValue(created.state.outputs.objectId)).toBe(true);
    expect(isSecretValue(created.state.outputs.value)).toBe(false);

    const updated = await up(host, urn, { ...inputs, value: 2 }, created.state);
    expect(updated.op).toBe("update");
    expect(isSecretValue(updated.state.outputs.objectId)).toBe(true);

    const refreshed = await refresh(host, updated.state);
    expect(refreshed?.changed).toBe(false);
    expect(isSecretValue(refreshed?.state.outputs.objectId)).toBe(true);
  });

  it("fails before any change when check reports failures", async () => {
    const urn = urnFor(type, "invalid");
    const error = await up(host, urn, { __provider, file: "", name: "ok" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckFailedError);
    expect((error as CheckFailedError).failures).toEqual([
      { property: "file", reason: "file must be a non-empty path" },
    ]);
  });
});

describe("engine steps for a provider without diff", () => {
  it("lets the engine compare inputs: equal is a no-op, any change (new provider code too) an update", async () => {
    const captured = "./test/host/fixtures/captured-values-provider.js";
    const [plain, otherCode] = await serializeProviders([
      { modulePath: captured, exportName: "withPlainString" },
      { modulePath: captured, exportName: "withSecretOutput" },
    ]);
    const urn = urnFor(type, "no-diff");
    const inputs = { __provider: plain.text, tag: "a" };
    const { state } = await up(host, urn, inputs);
    const same = await up(host, urn, inputs, state);
    expect(same.op).toBe("same");
    expect(same.plan.diff?.changes).toBe("unknown");
    expect((await up(host, urn, { ...inputs, tag: "b" }, state)).op).toBe("update");
    expect((await preview(host, urn, { ...inputs, __provider: otherCode.text }, state)).op).toBe("update");
  });
});

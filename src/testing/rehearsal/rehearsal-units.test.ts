import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { azureResourceId, diffAzureInputs, refreshedAzureInputs } from "./azure-native";
import { up } from "./engine-steps";
import { kindOf, replacementTriggered } from "./registration-rules";
import type { ProviderHost } from "./provider-host";
import { countSteps, displayType, formatStep, formatSummary } from "./progress";
import { resolveProgramFile } from "./program";
import { ResourceRecord, dependencyOrder, loadState, saveState } from "./state";
import { secretValue } from "./wire";

const record = (urn: string, extra: Partial<ResourceRecord> = {}): ResourceRecord => ({
  urn,
  type: "t",
  name: urn,
  kind: "dynamic",
  id: urn,
  inputs: {},
  outputs: {},
  dependencies: [],
  ...extra,
});

describe("dependencyOrder", () => {
  it("puts parents and dependencies first, whatever the file order", () => {
    const ordered = dependencyOrder([
      record("link", { dependencies: ["dag", "trust"] }),
      record("dag", { parent: "component", dependencies: ["ag"] }),
      record("trust"),
      record("ag", { parent: "component" }),
      record("component"),
    ]).map((r) => r.urn);
    const before = (a: string, b: string) => ordered.indexOf(a) < ordered.indexOf(b);
    expect(ordered).toHaveLength(5);
    expect(before("component", "ag")).toBe(true);
    expect(before("ag", "dag")).toBe(true);
    expect(before("dag", "link")).toBe(true);
    expect(before("trust", "link")).toBe(true);
  });

  it("ignores dependencies on resources not in the list and survives cycles", () => {
    expect(dependencyOrder([record("a", { dependencies: ["gone"] })]).map((r) => r.urn)).toEqual(["a"]);
    const cyclic = dependencyOrder([
      record("a", { dependencies: ["b"] }),
      record("b", { dependencies: ["a"] }),
    ]);
    expect(cyclic.map((r) => r.urn).sort()).toEqual(["a", "b"]);
  });
});

describe("state file", () => {
  it("round-trips, keeps secrets marked and starts empty when absent", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rehearsal-state-"));
    const file = path.join(dir, "nested", "stack.json");
    expect(loadState(file).resources).toEqual([]);
    const state = {
      version: 1 as const,
      resources: [record("a", { inputs: { password: secretValue("p@ss") } })],
    };
    saveState(file, state);
    expect(loadState(file)).toEqual(state);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["stack.json"]);
    fs.writeFileSync(file, "{}");
    expect(() => loadState(file)).toThrow(/not a rehearsal state file/);
  });
});

describe("azure-native diff and ids", () => {
  const target = { endpoint: "https://127.0.0.1:1", subscriptionId: "sub" };
  const type = "azure-native:sql:ServerTrustCertificate";
  const inputs = {
    resourceGroupName: "rg",
    managedInstanceName: "mi1",
    certificateName: "Cert A",
    publicBlob: "AB",
  };

  it("addresses the resource under the managed instance, names escaped", () => {
    expect(azureResourceId(target, type, inputs, "res")).toBe(
      "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/mi1/serverTrustCertificates/Cert%20A",
    );
    const link = "azure-native:sql:DistributedAvailabilityGroup";
    expect(
      azureResourceId(target, link, { resourceGroupName: "rg", managedInstanceName: "mi1" }, "DAG_x"),
    ).toMatch(/\/distributedAvailabilityGroups\/DAG_x$/);
  });

  it("same inputs are the same, id inputs replace, others update", () => {
    expect(diffAzureInputs(type, inputs, { ...inputs })).toBe("same");
    expect(diffAzureInputs(type, inputs, { ...inputs, publicBlob: "CD" })).toBe("update");
    expect(diffAzureInputs(type, inputs, { ...inputs, certificateName: "B" })).toBe("replace");
    expect(diffAzureInputs(type, inputs, { ...inputs, managedInstanceName: "mi2" })).toBe("replace");
  });

  it("replaceOnChanges turns the update of a named input (or of any, with *) into a replacement", () => {
    const blob = { ...inputs, publicBlob: "CD" };
    expect(diffAzureInputs(type, inputs, blob, ["publicBlob"])).toBe("replace");
    expect(diffAzureInputs(type, inputs, blob, ["*"])).toBe("replace");
    expect(diffAzureInputs(type, inputs, blob, ["certificateName"])).toBe("update");
    expect(diffAzureInputs(type, inputs, { ...inputs }, ["publicBlob"])).toBe("same");
  });

  it("a read carries into the inputs what changed in ARM's answer, nested objects kept to the inputs' fields", () => {
    const link = "azure-native:sql:DistributedAvailabilityGroup";
    const inputs = {
      resourceGroupName: "rg",
      replicationMode: "Async",
      databases: [{ databaseName: "Sales" }],
    };
    const before = {
      replicationMode: "Async",
      databases: [{ databaseName: "Sales", synchronizationHealth: "NOT_HEALTHY" }],
      partnerEndpoint: "TCP://10.0.0.4:5022",
    };
    const after = { ...before, databases: [{ databaseName: "Sales", synchronizationHealth: "HEALTHY" }] };
    expect(refreshedAzureInputs(link, inputs, before, after)).toEqual(inputs);
    expect(refreshedAzureInputs(link, inputs, before, { ...after, replicationMode: "Sync" })).toEqual({
      ...inputs,
      replicationMode: "Sync",
    });
    const renamed = { ...after, databases: [{ databaseName: "Orders", synchronizationHealth: "HEALTHY" }] };
    expect(refreshedAzureInputs(link, inputs, before, renamed).databases).toEqual([
      { databaseName: "Orders" },
    ]);
  });

  it("ARM's own spelling of a blob is no change; another blob is", () => {
    const trust = "azure-native:sql:ServerTrustCertificate";
    const given = { publicBlob: "0xab" };
    expect(refreshedAzureInputs(trust, given, { publicBlob: "AB" }, { publicBlob: "AB" })).toEqual(given);
    expect(refreshedAzureInputs(trust, given, { publicBlob: "AB" }, { publicBlob: "CD" })).toEqual({
      publicBlob: "CD",
    });
    // A property ARM no longer answers keeps the value given.
    expect(refreshedAzureInputs(trust, given, { publicBlob: "AB" }, {})).toEqual(given);
    // A secret input changed out of band stays a secret.
    const secret = { publicBlob: secretValue("0xab") };
    expect(refreshedAzureInputs(trust, secret, { publicBlob: "AB" }, { publicBlob: "AB" })).toEqual(secret);
    expect(refreshedAzureInputs(trust, secret, { publicBlob: "AB" }, { publicBlob: "CD" })).toEqual({
      publicBlob: secretValue("CD"),
    });
  });

  it("refuses types it does not serve", () => {
    expect(() => diffAzureInputs("azure-native:sql:Database", {}, {})).toThrow(/does not serve/);
  });
});

describe("progress", () => {
  const step = { kind: "step" as const, urn: "u", custom: true, seconds: 0.234 };

  it("one line per step, type shortened", () => {
    expect(displayType("pulumi-nodejs:dynamic/mi-link:MasterKey")).toBe("mi-link:MasterKey");
    const line = formatStep({
      ...step,
      op: "create",
      type: "pulumi-nodejs:dynamic/mi-link:MasterKey",
      name: "k",
    });
    expect(line).toMatch(/^\+\s+create\s+mi-link:MasterKey\s+k\s+\(0\.2s\)$/);
    const failed = formatStep({ ...step, op: "create", type: "t", name: "k", error: "boom\nmore" });
    expect(failed.split("\n")).toEqual([expect.stringMatching(/^✗/), "     boom", "     more"]);
  });

  it("summarizes what providers did, components and failures aside", () => {
    const counts = countSteps([
      { ...step, op: "create", type: "t", name: "a" },
      { ...step, op: "create", type: "t", name: "b", custom: false },
      { ...step, op: "same", type: "t", name: "c" },
      { ...step, op: "update", type: "t", name: "d", error: "x" },
    ]);
    expect(counts).toMatchObject({ create: 1, same: 1, update: 0 });
    expect(formatSummary("up", counts, 1.25, [])).toBe("up done in 1.3s: 1 create, 1 unchanged");
    expect(formatSummary("up", countSteps([]), 0, ["e"])).toMatch(
      /^up failed \(1 error\) in 0\.0s: no resources$/,
    );
  });
});

describe("program resolution", () => {
  it("follows Pulumi.yaml main, then index.ts", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rehearsal-program-"));
    fs.mkdirSync(path.join(dir, "app"));
    fs.writeFileSync(path.join(dir, "app", "index.ts"), "export const x = 1;\n");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime: nodejs\nmain: app/\n");
    expect(resolveProgramFile(dir)).toBe(path.join(dir, "app", "index.ts"));
    expect(resolveProgramFile(path.join(dir, "app"))).toBe(path.join(dir, "app", "index.ts"));
    expect(() => resolveProgramFile(path.join(dir, "missing"))).toThrow(/does not exist/);
  });

  it("resolves the repository's Pulumi.yaml to the SQL Server → MI example", () => {
    const root = path.resolve(__dirname, "..", "..", "..");
    expect(resolveProgramFile(root)).toBe(path.join(root, "examples", "sqlserver-to-mi", "index.ts"));
  });
});

describe("a partially created resource", () => {
  /** A provider whose diff finds no change: only the engine's own rule can make it update. */
  const quietHost = (calls: string[]) =>
    ({
      check: async (_urn: string, _olds: unknown, news: Record<string, unknown>) => ({
        inputs: news,
        state: news,
        failures: [],
      }),
      diff: async () => ({ changes: "none", replaces: [], deleteBeforeReplace: false }),
      update: async (_id: string, _urn: string, _olds: unknown, news: Record<string, unknown>) => {
        calls.push("update");
        return { properties: news, state: { ...news, done: true } };
      },
    }) as unknown as ProviderHost;

  it("is updated by the next up even when the diff finds no change, as the engine does", async () => {
    const calls: string[] = [];
    const prior = { urn: "u", id: "x", inputs: { a: 1 }, outputs: { a: 1 }, initErrors: ["reply lost"] };
    const next = await up(quietHost(calls), "u", { a: 1 }, prior);
    expect(next.op).toBe("update");
    expect(calls).toEqual(["update"]);
    expect(next.state.outputs).toEqual({ a: 1, done: true });
    expect(next.state.initErrors).toBeUndefined();
    const { initErrors: _none, ...complete } = prior;
    expect((await up(quietHost(calls), "u", { a: 1 }, complete)).op).toBe("same");
  });
});

describe("kindOf", () => {
  it("serves each kind, and refuses replaceOnChanges on a dynamic resource rather than ignore it", () => {
    const dynamic = "pulumi-nodejs:dynamic/mi-link:MasterKey";
    expect(kindOf({ type: "mi-link:index:MiLink", custom: false })).toBe("component");
    expect(kindOf({ type: dynamic, custom: true, replaceOnChanges: [] })).toBe("dynamic");
    expect(kindOf({ type: "azure-native:sql:ServerTrustCertificate", custom: true })).toBe("azure-native");
    expect(() => kindOf({ type: dynamic, custom: true, replaceOnChanges: ["name"] })).toThrow(
      /does not apply replaceOnChanges .*MasterKey/,
    );
    expect(() => kindOf({ type: "aws:s3:Bucket", custom: true })).toThrow(/cannot create aws:s3:Bucket/);
  });
});

describe("replacementTrigger", () => {
  it("replaces on a new value, secrets compared by value; never without the option", () => {
    const id = "sql1:1433/distributed-availability-group/DAG_Sales#A1";
    expect(replacementTriggered(id, id)).toBe(false);
    expect(replacementTriggered(secretValue(id), id)).toBe(false);
    expect(replacementTriggered(id, id.replace("A1", "B2"))).toBe(true);
    expect(replacementTriggered(undefined, id)).toBe(true);
    expect(replacementTriggered(id, undefined)).toBe(false);
    expect(replacementTriggered(undefined, undefined)).toBe(false);
  });

  it("turns a dynamic resource's 'same' into a replacement, created before the original is deleted", async () => {
    const calls: string[] = [];
    const host = {
      check: async (_urn: string, _olds: unknown, news: Record<string, unknown>) => ({
        inputs: news,
        state: news,
        failures: [],
      }),
      diff: async () => ({ changes: "none", replaces: [], deleteBeforeReplace: false }),
      create: async () => (calls.push("create"), { id: "y", state: { a: 1 } }),
      delete: async () => void calls.push("delete"),
    } as unknown as ProviderHost;
    const prior = { urn: "u", id: "x", inputs: { a: 1 }, outputs: { a: 1 } };
    expect((await up(host, "u", { a: 1 }, prior)).op).toBe("same");
    const replaced = await up(host, "u", { a: 1 }, prior, { replace: true });
    expect(replaced.op).toBe("replace");
    expect(replaced.state.id).toBe("y");
    expect(calls).toEqual(["create", "delete"]);
  });
});

import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  UNKNOWN,
  WireMap,
  annotateSecrets,
  markSecret,
  plaintextPaths,
  secretKeys,
  secretValue,
  stripSecrets,
  toWire,
} from "./wire";

describe("toWire", () => {
  it("marks pulumi.secret values and turns unknown Outputs into the sentinel", async () => {
    const wire = await toWire({ user: "sa", password: pulumi.secret("pw"), later: pulumi.unknown, n: 1 });
    expect(wire).toEqual({ user: "sa", password: secretValue("pw"), later: UNKNOWN, n: 1 });
  });

  it("keeps values already in wire form", async () => {
    expect(await toWire({ password: secretValue("pw") })).toEqual({ password: secretValue("pw") });
  });
});

describe("stripSecrets", () => {
  it("replaces nested secrets by their plaintext", () => {
    const wire: WireMap = { a: secretValue("x"), b: [secretValue(1), 2], c: { d: secretValue({ e: "f" }) } };
    expect(stripSecrets(wire)).toEqual({ a: "x", b: [1, 2], c: { d: { e: "f" } } });
  });
});

describe("annotateSecrets (the engine's rule for providers that do not accept secrets)", () => {
  it("marks an output secret when the input of the same key held a secret, and only then", () => {
    const ins: WireMap = { password: secretValue("pw"), user: "sa" };
    const outs: WireMap = { password: "pw", user: "sa", connectionString: "Password=pw" };
    const state = annotateSecrets(outs, ins);
    expect(state).toEqual({ password: secretValue("pw"), user: "sa", connectionString: "Password=pw" });
    expect(secretKeys(state)).toEqual(["password"]);
  });

  it("recurses into objects but marks a whole array that held any secret", () => {
    const ins: WireMap = { auth: { user: "sa", password: secretValue("pw") }, keys: ["a", secretValue("b")] };
    const outs: WireMap = { auth: { user: "sa", password: "pw" }, keys: ["b", "a"] };
    expect(annotateSecrets(outs, ins)).toEqual({
      auth: { user: "sa", password: secretValue("pw") },
      keys: secretValue(["b", "a"]),
    });
  });

  it("leaves outputs that are already secret as they are", () => {
    expect(annotateSecrets({ a: secretValue("x") }, { a: secretValue("x") })).toEqual({
      a: secretValue("x"),
    });
  });
});

describe("plaintextPaths", () => {
  it("finds a secret stored in clear under another key, and ignores it inside secret wrappers", () => {
    const state: WireMap = {
      password: secretValue("pw-123"),
      connectionString: "Server=x;Password=pw-123",
      nested: { list: ["ok", "pw-123"] },
    };
    expect(plaintextPaths(state, ["pw-123"])).toEqual(["$.connectionString", "$.nested.list[1]"]);
    expect(plaintextPaths(state, ["absent"])).toEqual([]);
  });
});

describe("markSecret", () => {
  it("wraps the listed keys that exist, once", () => {
    expect(markSecret({ a: "x", b: secretValue("y"), c: 1 }, ["a", "b", "missing"])).toEqual({
      a: secretValue("x"),
      b: secretValue("y"),
      c: 1,
    });
  });
});

describe("toWire under concurrency", () => {
  it("marks secrets in every one of many overlapping serializations", async () => {
    const slowSecret = (i: number) =>
      pulumi.secret(new Promise<string>((r) => setTimeout(() => r(`s${i}`), i % 3)));
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => toWire({ password: slowSecret(i) })),
    );
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => ({ password: secretValue(`s${i}`) })));
  });
});

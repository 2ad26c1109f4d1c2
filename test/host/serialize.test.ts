import { describe, expect, it } from "vitest";
import { serializeProvider, serializeProviders, serializeThroughResource } from "../support/serialize";

const fixtures = "./test/host/fixtures";

describe("serializeProvider", () => {
  it("produces the same __provider text as registering a pulumi.dynamic.Resource", async () => {
    const [direct, registered] = await Promise.all([
      serializeProvider(`${fixtures}/json-file-provider.js`, "jsonFileProvider"),
      serializeThroughResource(`${fixtures}/json-file-provider.js`, "jsonFileProvider"),
    ]);
    expect(direct.text).toContain("exports.handler");
    expect(direct).toEqual(registered);
    expect(direct.containsSecrets).toBe(false);
  });

  it("reports a captured secret Output and leaves a captured plain string in clear", async () => {
    const [secret, plain] = await serializeProviders([
      { modulePath: `${fixtures}/captured-values-provider.js`, exportName: "withSecretOutput" },
      { modulePath: `${fixtures}/captured-values-provider.js`, exportName: "withPlainString" },
    ]);
    expect(secret.containsSecrets).toBe(true);
    expect(plain.containsSecrets).toBe(false);
    expect(plain.text).toContain("captured-plain-value");
  });

  it("fails with the module and export named when the export does not exist", async () => {
    await expect(serializeProvider(`${fixtures}/json-file-provider.js`, "noSuchProvider")).rejects.toThrow(
      /json-file-provider\.js exports no noSuchProvider/,
    );
  });
});

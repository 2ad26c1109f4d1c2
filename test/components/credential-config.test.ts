/**
 * MiLink with credentials by stack config reference (`sqlServer.passwordConfig`, `masterKeyPasswordConfig`)
 * under Pulumi's mocks, loaded from dist/ so the providers serialize as in a real program. The read-only
 * lookup runs against the SQL Server emulator with the password read from the stack config; no registered
 * input (components, dynamic resources, `__provider`) contains either secret, not even wrapped.
 */
import { createRequire } from "node:module";
import type * as PulumiModule from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import type * as Package from "../../src/index";
import { buildIfStale } from "../support/build";

const nativeRequire = createRequire(__filename);
const pulumi = nativeRequire("@pulumi/pulumi") as typeof PulumiModule;

const MASTER_KEY_PASSWORD = "Mk-Config!c0mp0nent";
const ARM_TOKEN = "arm-token-by-config-reference";
const SUBSCRIPTION = "00000000-0000-0000-0000-0000000000bb";
const MI_FQDN = "sqlmi2.abc123.database.windows.net";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
let registrations: Registered[] = [];

void pulumi.runtime.setMocks(
  {
    newResource(args) {
      registrations.push({ type: args.type, name: args.name, inputs: args.inputs });
      const outputs: Record<string, unknown> = { ...args.inputs };
      if (args.type.endsWith(":EndpointCertificate"))
        Object.assign(outputs, { publicKey: "0x30", thumbprint: "AB" });
      if (args.type.endsWith(":ManagedInstanceEndpointCertificate")) {
        Object.assign(outputs, { publicKey: "0x31", thumbprint: "CD", fqdn: MI_FQDN });
      }
      return { id: `${args.name}-id`, state: outputs };
    },
    call(args) {
      if (args.token === "azure-native:sql:getManagedInstance") {
        return {
          id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/sqlmi2`,
          name: "sqlmi2",
          fullyQualifiedDomainName: MI_FQDN,
          databaseFormat: "SQLServer2022",
          collation: "SQL_Latin1_General_CP1_CI_AS",
        };
      }
      throw new Error(`unexpected invoke ${args.token}`);
    },
  },
  "project",
  "stack",
  false,
);

const pkg = nativeRequire("../../dist/index.js") as typeof Package;

function promiseOf<T>(output: PulumiModule.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
}

describe("MiLink with credentials by config reference", () => {
  const emulator = new SqlServerEmulator({
    databases: [{ name: "Sales", recoveryModel: "FULL", fullBackup: true }],
  });
  let sqlPassword: string;

  beforeAll(async () => {
    await buildIfStale();
    await emulator.start();
    sqlPassword = emulator.connectionInfo().password;
  }, 120_000);

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => {
    registrations = [];
    pulumi.runtime.setAllConfig(
      {
        "project:sqlPassword": sqlPassword,
        "project:masterKeyPassword": MASTER_KEY_PASSWORD,
        "shared:sqlPassword": sqlPassword,
        "project:armAccessToken": ARM_TOKEN,
      },
      ["project:sqlPassword", "project:masterKeyPassword", "shared:sqlPassword", "project:armAccessToken"],
    );
  });

  function newLink(
    name: string,
    sqlServer: Partial<Package.SqlServerArgs>,
    extra: Partial<Package.MiLinkArgs> = {},
  ) {
    const info = emulator.connectionInfo();
    return new pkg.MiLink(name, {
      sqlServer: {
        host: info.host,
        port: info.port,
        user: info.user,
        trustServerCertificate: true,
        endpointHost: "10.0.0.4",
        ...sqlServer,
      },
      managedInstance: { resourceGroupName: "rg", name: "sqlmi2" },
      databases: ["Sales"],
      ...extra,
    });
  }

  it("registers no input holding the password, the master key password or the ARM token, wrapped or not", async () => {
    const link = newLink(
      "cfg",
      { passwordConfig: "sqlPassword" },
      {
        masterKeyPasswordConfig: "masterKeyPassword",
        managedInstance: { resourceGroupName: "rg", name: "sqlmi2", accessTokenConfig: "armAccessToken" },
      },
    );
    // The read-only lookup ran with the password read from the config.
    expect((await promiseOf(link.sqlServerInfo)).databases.map((d) => d.name)).toContain("Sales");
    await promiseOf(link.links);
    await settle();

    const mine = registrations.filter((r) => r.name === "cfg" || r.name.startsWith("cfg-"));
    expect(mine.length).toBeGreaterThan(10);
    for (const r of mine) {
      const text = JSON.stringify(r.inputs);
      expect(text, r.name).not.toContain(sqlPassword);
      expect(text, r.name).not.toContain(MASTER_KEY_PASSWORD);
      expect(text, r.name).not.toContain(ARM_TOKEN);
    }
    const miCertificate = mine.find((r) => r.type.endsWith(":ManagedInstanceEndpointCertificate"))!;
    expect(miCertificate.inputs.accessTokenConfig).toBe("project:armAccessToken");
    expect(miCertificate.inputs.accessToken).toBeUndefined();
    const sqlResources = mine.filter(
      (r) =>
        r.type.startsWith("pulumi-nodejs:dynamic/mi-link:") &&
        !r.type.endsWith(":ManagedInstanceEndpointCertificate"),
    );
    expect(sqlResources.length).toBeGreaterThan(5);
    for (const r of sqlResources) {
      expect(r.inputs.passwordConfig, r.name).toBe("project:sqlPassword");
      expect(r.inputs.password, r.name).toBeUndefined();
    }
    const masterKey = mine.find((r) => r.type.endsWith(":MasterKey"))!;
    expect(masterKey.inputs.masterKeyPasswordConfig).toBe("project:masterKeyPassword");
    expect(masterKey.inputs.masterKeyPassword).toBeUndefined();
  });

  it("reads a namespaced key as given", async () => {
    const link = newLink(
      "ns",
      { passwordConfig: "shared:sqlPassword" },
      { masterKeyPassword: MASTER_KEY_PASSWORD },
    );
    await promiseOf(link.links);
    await settle();
    const ag = registrations.find((r) => r.name === "ns-sales-ag")!;
    expect(ag.inputs.passwordConfig).toBe("shared:sqlPassword");
  });

  it("refuses a password given both ways, a key not in the config, and a missing master key password", () => {
    const thrown = (() => {
      try {
        newLink(
          "bad",
          { password: sqlPassword, passwordConfig: "sqlPassword" },
          { masterKeyPasswordConfig: "nope" },
        );
      } catch (error) {
        return error as Error & { problems: Package.Problem[] };
      }
      throw new Error("no error");
    })();
    expect(thrown.name).toBe("MiLinkArgsError");
    expect(thrown.problems.map((p) => p.field)).toEqual([
      "sqlServer.passwordConfig",
      "masterKeyPasswordConfig",
    ]);
    expect(thrown.message).toContain("is given together with sqlServer.password");
    expect(thrown.message).toContain('names stack config key "project:nope", which is not set');
    expect(thrown.message).toContain("pulumi config set --secret nope <value>");
    expect(thrown.message).not.toContain(sqlPassword);

    expect(() => newLink("none", { passwordConfig: "sqlPassword" })).toThrow(
      /masterKeyPassword: is required/,
    );
    expect(() => newLink("unset", { passwordConfig: "missing" }, { masterKeyPassword: "x" })).toThrow(
      /sqlServer\.passwordConfig: names stack config key "project:missing", which is not set/,
    );
    expect(registrations.filter((r) => ["bad", "none", "unset"].includes(r.name))).toEqual([]);
  });

  it("warns about a referenced key stored in plaintext", () => {
    const { plaintextConfigWarnings } = nativeRequire("../../dist/components/credential-config.js") as {
      plaintextConfigWarnings(references: Record<string, string | undefined>): string[];
    };
    pulumi.runtime.setAllConfig({ "project:sqlPassword": "plain", "project:masterKeyPassword": "mk" }, [
      "project:masterKeyPassword",
    ]);
    expect(
      plaintextConfigWarnings({
        "sqlServer.passwordConfig": "sqlPassword",
        masterKeyPasswordConfig: "masterKeyPassword",
        "sqlServer.accessTokenConfig": undefined,
      }),
    ).toEqual([
      'sqlServer.passwordConfig: stack config key "project:sqlPassword" is not a secret, so its value is stored in ' +
        "plaintext in the stack's config file. Set it again with `pulumi config set --secret sqlPassword <value>`.",
    ]);
  });

  it("the documented value form keeps working", async () => {
    const cfg = new pulumi.Config();
    const link = newLink(
      "val",
      { password: cfg.requireSecret("sqlPassword") },
      { masterKeyPassword: cfg.requireSecret("masterKeyPassword") },
    );
    await promiseOf(link.links);
    await settle();
    const masterKey = registrations.find((r) => r.name === "val-trust-master-key")!;
    expect(masterKey.inputs.passwordConfig).toBeUndefined();
    expect(JSON.stringify(masterKey.inputs)).toContain(sqlPassword); // present, inside its secret wrapper
  });
});

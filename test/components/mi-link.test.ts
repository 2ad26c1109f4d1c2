/**
 * The MiLink component under Pulumi's mocks, loaded from the compiled package (dist/) so its dynamic
 * providers serialize as in a real program. SQL Server is the emulator: the read-only lookup and the
 * preflight run against it for real. The managed instance's facts come from the mocked
 * getManagedInstance invoke.
 */
import { createRequire } from "node:module";
import type * as PulumiModule from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import type * as Package from "../../src/index";
import { buildIfStale } from "../support/build";

// Native require: vitest-transformed modules do not serialize, and the component must share the
// @pulumi/pulumi instance the mocks are installed in.
const nativeRequire = createRequire(__filename);
const pulumi = nativeRequire("@pulumi/pulumi") as typeof PulumiModule;
const rpc = nativeRequire("@pulumi/pulumi/runtime/rpc") as {
  specialSigKey: string;
  specialSecretSig: string;
};
const mocksModule = nativeRequire("@pulumi/pulumi/runtime/mocks") as {
  MockMonitor: { prototype: { registerResource(req: RegisterRequest, cb: unknown): unknown } };
};

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getIgnorechangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
}

const MASTER_KEY_PASSWORD = "Mk-Secret!c0mp0nent";
const MI_TOKEN = "mi-token-5ecret-value";
const SUBSCRIPTION = "00000000-0000-0000-0000-0000000000aa";
const MI_FQDN = "sqlmi1.abc123.database.windows.net";

/** What the engine receives for one registration. */
interface Registration {
  type: string;
  name: string;
  urn: string;
  parent: string;
  custom: boolean;
  dependencies: string[];
  ignoreChanges: string[];
  additionalSecretOutputs: string[];
  inputs: Record<string, unknown>;
}

let registrations: Registration[] = [];
const pendingWire = new Map<string, Omit<Registration, "inputs" | "urn">>();
let miFacts: Record<string, unknown> = {};

// The mock monitor hides parents and dependencies from `newResource`: record them from the request.
const originalRegister = mocksModule.MockMonitor.prototype.registerResource;
mocksModule.MockMonitor.prototype.registerResource = function (req: RegisterRequest, cb: unknown) {
  pendingWire.set(`${req.getType()}::${req.getName()}`, {
    type: req.getType(),
    name: req.getName(),
    parent: req.getParent(),
    custom: req.getCustom(),
    dependencies: req.getDependenciesList(),
    ignoreChanges: req.getIgnorechangesList(),
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
  });
  return originalRegister.call(this, req, cb);
};

function fakeOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "pulumi-nodejs:dynamic/mi-link:EndpointCertificate":
      return { ...inputs, publicKey: "0x3082ABCD", thumbprint: "AB12", certificateId: 257, adopted: false };
    case "pulumi-nodejs:dynamic/mi-link:ManagedInstanceEndpointCertificate":
      return { ...inputs, publicKey: "0x3082EF01", thumbprint: "CD34", fqdn: MI_FQDN };
    case "pulumi-nodejs:dynamic/mi-link:TrustedCertificate":
      return { ...inputs, thumbprint: "EF56", expiryDate: "2027-01-01T00:00:00.000Z", chainValid: true };
    case "pulumi-nodejs:dynamic/mi-link:MirroringEndpoint":
      return { ...inputs, name: inputs.name ?? "database_mirroring_endpoint" };
    case "pulumi-nodejs:dynamic/mi-link:LinkReadiness":
      return {
        ...inputs,
        connectedState: "CONNECTED",
        synchronizationState: "SYNCHRONIZING",
        seedingProgressPercent: 100,
        lastHardenedLsn: "42",
      };
    case "azure-native:sql:DistributedAvailabilityGroup":
      return {
        ...inputs,
        distributedAvailabilityGroupId: `guid-${name}`,
        databases: (inputs.databases as { databaseName: string }[]).map((d) => ({
          ...d,
          replicaState: "LinkSynchronizing",
        })),
      };
    default:
      return inputs;
  }
}

/** Host preparation commands finish only when the test lets them (as over SSH, they take a while). */
let releaseCommands: () => void = () => undefined;
let commandsReleased = Promise.resolve();
const commandsDone = new Map<string, Date>();

void pulumi.runtime.setMocks(
  {
    async newResource(args) {
      const key = `${args.type}::${args.name}`;
      const wire = pendingWire.get(key)!;
      const urn = `${wire.parent ? wire.parent.split("::")[2].split("$").pop() + "$" : ""}${args.type}::${args.name}`;
      registrations.push({ ...wire, urn, inputs: args.inputs });
      if (args.type === "command:remote:Command") {
        await commandsReleased;
        commandsDone.set(args.name, new Date());
        return { id: `${args.name}-id`, state: { ...args.inputs, stdout: "PREPARED hadr=enabled" } };
      }
      return { id: `${args.name}-id`, state: fakeOutputs(args.type, args.name, args.inputs) };
    },
    call(args) {
      if (args.token === "azure-native:sql:getManagedInstance") return miFacts;
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

/** Lets every pending registration reach the mock monitor. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
}

const isSecret = (value: unknown) =>
  typeof value === "object" &&
  value !== null &&
  (value as Record<string, unknown>)[rpc.specialSigKey] === rpc.specialSecretSig;

/** Paths where one of `secrets` appears outside a secret wrapper. */
function plaintext(value: unknown, secrets: string[], path = ""): string[] {
  if (isSecret(value)) return [];
  if (typeof value === "string") return secrets.some((s) => value.includes(s)) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => plaintext(v, secrets, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => plaintext(v, secrets, path ? `${path}.${k}` : k));
  }
  return [];
}

async function runAsAdmin(emulator: SqlServerEmulator, sqlText: string): Promise<void> {
  const sql: typeof import("mssql") = require("mssql");
  const info = emulator.connectionInfo();
  const pool = await new sql.ConnectionPool({
    server: info.host,
    port: info.port,
    user: info.user,
    password: info.password,
    options: { encrypt: false },
  }).connect();
  try {
    await pool.request().batch(sqlText);
  } finally {
    await pool.close();
  }
}

const BACKED_UP = (name: string) => ({ name, recoveryModel: "FULL" as const, fullBackup: true });

/**
 * A failed check rejects every output of the component with the same error object, and the SDK's
 * own promise chains leave those rejections unhandled: that is how the program fails, and the
 * Pulumi runtime reports an error object once. Recorded here instead of failing the test run.
 */
const unhandled: unknown[] = [];
let savedListeners: NodeJS.UnhandledRejectionListener[] = [];
const recordUnhandled = (reason: unknown) => void unhandled.push(reason);

describe("MiLink", () => {
  const emulators: Record<string, SqlServerEmulator> = {};

  beforeAll(() => {
    savedListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", recordUnhandled);
  });

  afterAll(() => {
    process.off("unhandledRejection", recordUnhandled);
    for (const listener of savedListeners) process.on("unhandledRejection", listener);
    // Nothing but the preflight errors went unhandled.
    expect(unhandled.filter((e) => (e as Error)?.name !== "MiLinkPreflightError")).toEqual([]);
  });

  beforeAll(async () => {
    await buildIfStale();
    const configs = {
      ready: { databases: ["Sales", "Inventory", "Orders"].map(BACKED_UP) },
      noHadr: { hadrEnabled: false, databases: [BACKED_UP("Sales")] },
      sql2019: { productVersion: "15.0.4312.2", databases: [BACKED_UP("Sales")] },
      collation: { collation: "Latin1_General_100_CI_AS", databases: [BACKED_UP("Sales")] },
      endpoint: { databases: [BACKED_UP("Sales")] },
      busy: { databases: [BACKED_UP("Sales")] },
      inUse: { databases: [BACKED_UP("Sales")] },
      named2016: {
        serverName: "HOST\\INST",
        productVersion: "13.0.7000.253",
        databases: [BACKED_UP("Sales")],
      },
    };
    for (const [key, options] of Object.entries(configs)) {
      emulators[key] = new SqlServerEmulator(options);
      await emulators[key].start();
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(emulators).map((e) => e.stop()));
  });

  beforeEach(() => {
    registrations = [];
    miFacts = {
      id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-data/providers/Microsoft.Sql/managedInstances/sqlmi1`,
      name: "sqlmi1",
      fullyQualifiedDomainName: MI_FQDN,
      databaseFormat: "SQLServer2022",
      collation: "SQL_Latin1_General_CP1_CI_AS",
    };
  });

  function newLink(name: string, emulator: SqlServerEmulator, extra: Partial<Package.MiLinkArgs> = {}) {
    const info = emulator.connectionInfo();
    return new pkg.MiLink(name, {
      sqlServer: {
        host: info.host,
        port: info.port,
        user: info.user,
        password: info.password,
        trustServerCertificate: true,
        endpointHost: "10.0.0.4",
      },
      managedInstance: { resourceGroupName: "rg-data", name: "sqlmi1", accessToken: MI_TOKEN },
      databases: ["Sales"],
      masterKeyPassword: MASTER_KEY_PASSWORD,
      ...extra,
    });
  }

  it("registers exactly the trust and one link's children for one database, each under its parent", async () => {
    const link = newLink("one", emulators.ready);
    await promiseOf(link.links);
    await settle();
    const shape = registrations
      .filter((r) => r.name === "one" || r.name.startsWith("one-"))
      .map((r) => `${r.urn} <- ${r.parent.split("::").slice(2).join("::")}`)
      .sort();
    expect(shape).toEqual(
      [
        "mi-link:index:MiLink::one <- ",
        "mi-link:index:MiLink$mi-link:index:SqlServerTrust::one-trust <- mi-link:index:MiLink::one",
        "mi-link:index:MiLink$mi-link:index:DatabaseLink::one-sales <- mi-link:index:MiLink::one",
        // One check of the endpoint certificate for all the component's links.
        "mi-link:index:MiLink$pulumi-nodejs:dynamic/mi-link:LinkCertificateCheck::one-link-certificate <- mi-link:index:MiLink::one",
        ...[
          "pulumi-nodejs:dynamic/mi-link:MasterKey::one-trust-master-key",
          "pulumi-nodejs:dynamic/mi-link:EndpointCertificate::one-trust-endpoint-cert",
          "azure-native:sql:ServerTrustCertificate::one-trust-sql-cert-on-mi",
          "pulumi-nodejs:dynamic/mi-link:ManagedInstanceEndpointCertificate::one-trust-mi-endpoint-cert",
          "pulumi-nodejs:dynamic/mi-link:TrustedCertificate::one-trust-root-microsoftpki",
          "pulumi-nodejs:dynamic/mi-link:TrustedCertificate::one-trust-root-digicertpki",
          "pulumi-nodejs:dynamic/mi-link:TrustedCertificate::one-trust-mi-cert",
          "pulumi-nodejs:dynamic/mi-link:MirroringEndpoint::one-trust-endpoint",
        ].map(
          (u) =>
            `mi-link:index:SqlServerTrust$${u} <- mi-link:index:MiLink$mi-link:index:SqlServerTrust::one-trust`,
        ),
        ...[
          "pulumi-nodejs:dynamic/mi-link:DatabaseReadiness::one-sales-readiness",
          "pulumi-nodejs:dynamic/mi-link:AvailabilityGroup::one-sales-ag",
          "pulumi-nodejs:dynamic/mi-link:DistributedAvailabilityGroup::one-sales-dag",
          "azure-native:sql:DistributedAvailabilityGroup::one-sales-link",
          "pulumi-nodejs:dynamic/mi-link:LinkReadiness::one-sales-link-readiness",
        ].map(
          (u) =>
            `mi-link:index:DatabaseLink$${u} <- mi-link:index:MiLink$mi-link:index:DatabaseLink::one-sales`,
        ),
      ].sort(),
    );
  });

  it("three databases share one trust; names, link properties and outputs per database", async () => {
    const link = newLink("three", emulators.ready, {
      databases: ["Sales", "Inventory", "Orders"],
      replicationMode: "Sync",
    });
    const links = await promiseOf(link.links);
    await settle();
    const mine = registrations.filter((r) => r.name === "three" || r.name.startsWith("three-"));
    const count = (type: string) => mine.filter((r) => r.type === type).length;
    expect(count("mi-link:index:SqlServerTrust")).toBe(1);
    expect(count("pulumi-nodejs:dynamic/mi-link:MasterKey")).toBe(1);
    expect(count("pulumi-nodejs:dynamic/mi-link:MirroringEndpoint")).toBe(1);
    expect(count("mi-link:index:DatabaseLink")).toBe(3);
    expect(count("azure-native:sql:DistributedAvailabilityGroup")).toBe(3);
    // The component, the trust and its 8 children, 3 links of 1 + 5 children, and one certificate
    // check of all 3 links.
    expect(count("pulumi-nodejs:dynamic/mi-link:LinkCertificateCheck")).toBe(1);
    expect(mine).toHaveLength(1 + 1 + 8 + 3 * (1 + 5) + 1);
    const check = registrations.find((r) => r.name === "three-link-certificate")!;
    expect(check.inputs.links).toEqual([
      { dagName: "DAG_Sales", database: "Sales" },
      { dagName: "DAG_Inventory", database: "Inventory" },
      { dagName: "DAG_Orders", database: "Orders" },
    ]);

    const azureLink = registrations.find((r) => r.name === "three-inventory-link")!;
    expect(azureLink.inputs).toMatchObject({
      resourceGroupName: "rg-data",
      managedInstanceName: "sqlmi1",
      distributedAvailabilityGroupName: "DAG_Inventory",
      partnerAvailabilityGroupName: "AG_Inventory",
      instanceAvailabilityGroupName: "AG_Inventory_MI",
      partnerEndpoint: "TCP://10.0.0.4:5022",
      instanceLinkRole: "Secondary",
      databases: [{ databaseName: "Inventory" }],
      failoverMode: "Manual",
      replicationMode: "Sync",
      seedingMode: "Automatic",
    });
    expect(azureLink.ignoreChanges).toEqual(["instanceLinkRole"]);
    const dag = registrations.find((r) => r.name === "three-inventory-dag")!;
    expect(dag.inputs).toMatchObject({
      name: "DAG_Inventory",
      agName: "AG_Inventory",
      miAgName: "AG_Inventory_MI",
      managedInstanceFqdn: MI_FQDN,
      managedInstanceName: "sqlmi1",
      sqlServerListenerUrl: "TCP://10.0.0.4:5022",
      availabilityMode: "SYNCHRONOUS_COMMIT",
      initialPrimary: "SqlServer",
    });
    const ag = registrations.find((r) => r.name === "three-orders-ag")!;
    expect(ag.inputs).toMatchObject({
      name: "AG_Orders",
      database: "Orders",
      replicaServerName: "SQL1",
      productVersion: "16.0.4125.3",
    });
    const miCert = registrations.find((r) => r.name === "three-trust-mi-cert")!;
    expect(miCert.inputs).toMatchObject({ name: MI_FQDN, publicKey: "0x3082EF01", validateChain: true });
    const roots = registrations.filter((r) => r.name.startsWith("three-trust-root-"));
    expect(roots.map((r) => r.inputs)).toMatchObject([
      { name: "MicrosoftPKI", trustedIssuerFor: "*.database.windows.net" },
      { name: "DigiCertPKI", trustedIssuerFor: "*.database.windows.net" },
    ]);
    // Dropped on destroy when created by this stack and no other link relies on them.
    expect(roots.map((r) => r.inputs.dropOnDelete)).toEqual([undefined, undefined]);
    const trustCert = registrations.find((r) => r.name === "three-trust-sql-cert-on-mi")!;
    expect(trustCert.inputs).toMatchObject({
      certificateName: "Cert_SQL1_endpoint",
      publicBlob: "0x3082ABCD",
    });
    const miEndpointCert = registrations.find((r) => r.name === "three-trust-mi-endpoint-cert")!;
    expect(miEndpointCert.inputs).toMatchObject({
      subscriptionId: SUBSCRIPTION,
      managedInstanceName: "sqlmi1",
    });

    expect(Object.keys(links)).toEqual(["Sales", "Inventory", "Orders"]);
    expect(links.Sales).toMatchObject({
      agName: "AG_Sales",
      miAgName: "AG_Sales_MI",
      dagName: "DAG_Sales",
      linkId: "three-sales-link-id",
      connectedState: "CONNECTED",
      synchronizationState: "SYNCHRONIZING",
      seedingProgressPercent: 100,
      replicaState: "LinkSynchronizing",
    });
    expect(await promiseOf(link.sqlServerCertificate)).toMatchObject({
      name: "Cert_SQL1_endpoint",
      thumbprint: "AB12",
    });
    expect(await promiseOf(link.managedInstanceCertificate)).toMatchObject({
      name: MI_FQDN,
      thumbprint: "EF56",
    });
  });

  it("orders the work by data flow and dependsOn", async () => {
    const link = newLink("order", emulators.ready);
    await promiseOf(link.links);
    await settle();
    const urnOf = (name: string) => {
      const r = registrations.find((x) => x.name === name)!;
      return `urn:pulumi:stack::project::${r.urn.split("::")[0]}::${name}`;
    };
    const depends = (name: string, ...on: string[]) => {
      const deps = registrations.find((r) => r.name === name)!.dependencies;
      for (const other of on) expect(deps, `${name} after ${other}`).toContain(urnOf(other));
    };
    depends("order-trust-endpoint-cert", "order-trust-master-key");
    depends("order-trust-sql-cert-on-mi", "order-trust-endpoint-cert");
    // The chain to the upload (master key, endpoint certificate) has SQL Server's server-level
    // connections and the provider host to itself; the rest of the trust follows it.
    depends("order-trust-root-microsoftpki", "order-trust-endpoint-cert");
    depends("order-trust-root-digicertpki", "order-trust-endpoint-cert");
    depends("order-trust-mi-endpoint-cert", "order-trust-endpoint-cert");
    depends(
      "order-trust-mi-cert",
      "order-trust-root-microsoftpki",
      "order-trust-root-digicertpki",
      "order-trust-mi-endpoint-cert",
    );
    // No endpoint yet: it is created while its certificate is uploaded; the link waits for both.
    depends("order-trust-endpoint", "order-trust-endpoint-cert");
    expect(registrations.find((r) => r.name === "order-trust-endpoint")!.dependencies).not.toContain(
      urnOf("order-trust-sql-cert-on-mi"),
    );
    depends("order-sales-ag", "order-trust-endpoint", "order-sales-readiness");
    depends("order-sales-dag", "order-sales-ag", "order-trust-mi-cert");
    depends(
      "order-sales-link",
      "order-sales-dag",
      "order-trust-endpoint",
      "order-trust-sql-cert-on-mi",
      "order-trust-mi-cert",
    );
    depends("order-sales-link-readiness", "order-sales-link");
    depends("order-link-certificate", "order-sales-link-readiness", "order-trust-endpoint");
    // The expiry comes from what SQL Server has (none yet: 2 years from now); later runs keep it
    // from the lookup, so nothing is ignored.
    const certificate = registrations.find((r) => r.name === "order-trust-endpoint-cert")!;
    expect(certificate.ignoreChanges).toEqual([]);
    const inTwoYears = new Date();
    inTwoYears.setUTCFullYear(inTwoYears.getUTCFullYear() + 2);
    expect(certificate.inputs.expiryDate).toBe(inTwoYears.toISOString().slice(0, 10));
  });

  it("an endpoint already in use switches certificates only once the managed instance trusts the new one", async () => {
    await runAsAdmin(
      emulators.inUse,
      "CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022) FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES);",
    );
    const link = newLink("inuse", emulators.inUse);
    await promiseOf(link.links);
    await settle();
    const endpoint = registrations.find((r) => r.name === "inuse-trust-endpoint")!;
    expect(endpoint.dependencies).toContain(
      "urn:pulumi:stack::project::mi-link:index:SqlServerTrust$azure-native:sql:ServerTrustCertificate::inuse-trust-sql-cert-on-mi",
    );
  });

  it("with host preparation enabled: the host first, Always On off not refused, its commands in the script", async () => {
    const sshPassword = "ssh-Secret-pw1";
    emulators.noHadr.tds.resetCounters();
    commandsReleased = new Promise((resolve) => (releaseCommands = resolve));
    const link = newLink("host", emulators.noHadr, {
      hostPreparation: {
        enabled: true,
        os: "linux",
        ssh: { host: "sql1.contoso.com", user: "admin", password: sshPassword },
      },
    });
    // While the host is being prepared (and restarted), the lookup does not touch SQL Server: far
    // longer than a lookup takes, nothing arrives.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(emulators.noHadr.tds.requestLog()).toEqual([]);
    releaseCommands();
    const script = await promiseOf(link.script);
    await promiseOf(link.links);
    await settle();
    expect(script).toContain("sudo /opt/mssql/bin/mssql-conf set hadr.hadrenabled 1");
    expect(script.indexOf("sudo systemctl restart mssql-server")).toBeLessThan(
      script.indexOf("-- 1. SQL Server"),
    );
    expect(script).not.toContain(sshPassword);
    const prepare = registrations.find((r) => r.name === "host-host-prepare")!;
    expect(prepare.type).toBe("command:remote:Command");
    // The lookup of up waited for the preparation (whose restart would cut its connection).
    const lookup = emulators.noHadr.tds.requestLog();
    expect(lookup.length).toBeGreaterThan(0);
    for (const entry of lookup) expect(entry.at >= commandsDone.get("host-host-prepare")!).toBe(true);
    expect(registrations.find((r) => r.name === "host-host")!.parent).toMatch(/::host$/);
    const steps = registrations.filter(
      (r) => r.custom && r.name.startsWith("host-") && !r.name.startsWith("host-host"),
    );
    // 13 steps of one link, plus the check that the link connects with the endpoint's certificate.
    expect(steps.length).toBe(14);
    expect(steps.map((r) => r.name)).toContain("host-link-certificate");
    // Every SQL Server step waits for the prepared host (the Azure steps wait for those).
    const sqlSteps = steps.filter((r) => r.inputs.connection !== undefined);
    expect(sqlSteps.length).toBeGreaterThanOrEqual(9);
    for (const step of sqlSteps) {
      expect(
        step.dependencies.some((urn) => urn.endsWith("::host-host-prepare")),
        step.name,
      ).toBe(true);
    }
  });

  it("keeps every secret wrapped: nothing in clear in registered inputs or __provider", async () => {
    const info = emulators.ready.connectionInfo();
    const link = newLink("secret", emulators.ready);
    const script = await promiseOf(link.script);
    await promiseOf(link.links);
    await settle();
    const secrets = [info.password, MASTER_KEY_PASSWORD, MI_TOKEN];
    for (const r of registrations) {
      expect(plaintext(r.inputs, secrets), r.name).toEqual([]);
      if (typeof r.inputs.__provider === "string") {
        for (const s of secrets) expect(r.inputs.__provider).not.toContain(s);
      }
    }
    const mk = registrations.find((r) => r.name === "secret-trust-master-key")!;
    expect(isSecret(mk.inputs.masterKeyPassword)).toBe(true);
    expect(isSecret(mk.inputs.password)).toBe(true);
    expect(mk.additionalSecretOutputs).toEqual(expect.arrayContaining(["password", "masterKeyPassword"]));
    expect(
      isSecret(registrations.find((r) => r.name === "secret-trust-mi-endpoint-cert")!.inputs.accessToken),
    ).toBe(true);
    for (const s of secrets) expect(script).not.toContain(s);
    expect(script).toContain("N'<masterKeyPassword>'");
  });

  it("registers each dynamic resource with its class's provider source: one text per class, forwarding to an implementation that exists", async () => {
    const link = newLink("source", emulators.ready, { databases: ["Sales", "Orders"] });
    await promiseOf(link.links);
    await settle();
    const textsByType = new Map<string, Set<unknown>>();
    for (const r of registrations.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/mi-link:"))) {
      textsByType.set(r.type, (textsByType.get(r.type) ?? new Set()).add(r.inputs.__provider));
    }
    expect(textsByType.size).toBeGreaterThanOrEqual(9);
    for (const [type, texts] of textsByType) {
      expect(texts.size, type).toBe(1);
      const [text] = [...texts] as string[];
      const target = /require\("pulumi-mi-link\/(dist\/dynamic\/[\w/-]+\.js)"\)\["(\w+)"\]/.exec(text);
      expect(target, `${type}: ${text}`).not.toBeNull();
      const implementation = nativeRequire(`../../${target![1]}`)[target![2]] as { create?: unknown };
      expect(typeof implementation.create, type).toBe("function");
    }
  });

  it("renders the script for the SQL Server it found", async () => {
    const link = newLink("script", emulators.ready, {
      databases: ["Sales", "Orders"],
      certificateExpiry: "2030-01-31",
    });
    const script = await promiseOf(link.script);
    expect(script).toContain("-- Managed Instance link: SQL1 (SQL Server 16.0.4125.3) <-> " + MI_FQDN);
    expect(script).toContain("EXPIRY_DATE = '20300131'");
    expect(script).toContain(`/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-data/`);
    expect(script).toContain("CREATE AVAILABILITY GROUP [DAG_Orders]");
    expect(script).toContain("CREATE ENDPOINT [database_mirroring_endpoint]");
  });

  const byName = (n: string) => registrations.find((r) => r.name === n)!;

  it("named SQL Server 2016 instance: a certificate name without \\, its replica name and version on the AG", async () => {
    const link = newLink("n16", emulators.named2016, {
      failoverMode: "None",
      links: { Sales: { agName: "AG_S16", dagName: "DAG_S16" } },
    });
    const script = await promiseOf(link.script);
    await promiseOf(link.links);
    await settle();
    expect(byName("n16-trust-endpoint-cert").inputs).toMatchObject({ name: "Cert_HOST_INST_endpoint" });
    expect(byName("n16-trust-endpoint").inputs).toMatchObject({
      certificateName: "Cert_HOST_INST_endpoint",
      port: 5022,
    });
    expect(byName("n16-sales-dag").inputs).toMatchObject({
      name: "DAG_S16",
      agName: "AG_S16",
      miAgName: "AG_Sales_MI",
    });
    expect(byName("n16-sales-link").inputs).toMatchObject({
      distributedAvailabilityGroupName: "DAG_S16",
      partnerAvailabilityGroupName: "AG_S16",
    });
    expect(byName("n16-sales-ag").inputs).toMatchObject({
      name: "AG_S16",
      replicaServerName: "HOST\\INST",
      productVersion: "13.0.7000.253",
      database: "Sales",
    });
    expect(byName("n16-sales-link").inputs).toMatchObject({ failoverMode: "None" });
    expect(script).not.toContain("CLUSTER_TYPE");
    expect(script).toContain("N'HOST\\INST' WITH");
  });

  it("managed instance as initial primary: no database preparation, an empty AG, the link's role Primary", async () => {
    const link = newLink("mip", emulators.ready, {
      initialPrimary: "ManagedInstance",
      databases: ["Remote"],
    });
    await promiseOf(link.links);
    await settle();
    const mine = registrations.filter((r) => r.name.startsWith("mip-"));
    expect(mine.some((r) => r.type.endsWith(":DatabaseReadiness"))).toBe(false);
    expect(byName("mip-remote-ag").inputs.database).toBeUndefined();
    expect(byName("mip-remote-dag").inputs).toMatchObject({
      initialPrimary: "ManagedInstance",
      database: "Remote",
    });
    expect(byName("mip-remote-link").inputs).toMatchObject({ instanceLinkRole: "Primary" });
  });

  it("with primary given, each link gets a LinkRole after it replicates", async () => {
    const link = newLink("role", emulators.ready, { primary: "SqlServer", databases: ["Sales", "Orders"] });
    await promiseOf(link.links);
    await settle();
    const role = byName("role-orders-role");
    expect(role.type).toBe("pulumi-nodejs:dynamic/mi-link:LinkRole");
    expect(role.parent).toBe(
      "urn:pulumi:stack::project::mi-link:index:MiLink$mi-link:index:DatabaseLink::role-orders",
    );
    expect(role.inputs).toMatchObject({
      primary: "SqlServer",
      subscriptionId: SUBSCRIPTION,
      resourceGroupName: "rg-data",
      managedInstanceName: "sqlmi1",
      dagName: "DAG_Orders",
      agName: "AG_Orders",
      miAgName: "AG_Orders_MI",
      database: "Orders",
      productVersion: "16.0.4125.3",
      databaseFormat: "SQLServer2022",
      failoverMode: "Manual",
      replicationMode: "Async",
    });
    expect(isSecret(role.inputs.armAccessToken)).toBe(true);
    expect(role.dependencies).toContain(
      "urn:pulumi:stack::project::mi-link:index:DatabaseLink$pulumi-nodejs:dynamic/mi-link:LinkReadiness::role-orders-link-readiness",
    );
    expect(registrations.filter((r) => r.type.endsWith(":LinkRole")).length).toBe(2);
  });

  it("several links share one trust passed in: no second set of certificates", async () => {
    const info = emulators.ready.connectionInfo();
    const trust = new pkg.SqlServerTrust("pair", {
      connection: { host: info.host, port: info.port, user: info.user, trustServerCertificate: true },
      password: info.password,
      serverName: "SQL1",
      managedInstance: { subscriptionId: SUBSCRIPTION, resourceGroupName: "rg-data", name: "sqlmi1" },
      masterKeyPassword: MASTER_KEY_PASSWORD,
      certificateExpiry: "2030-06-30",
    });
    const a = newLink("team-a", emulators.ready, { databases: ["Sales"], trust });
    const b = newLink("team-b", emulators.ready, { databases: ["Orders"], trust });
    await Promise.all([promiseOf(a.links), promiseOf(b.links)]);
    await settle();
    expect(
      registrations.filter((r) => r.type === "azure-native:sql:ServerTrustCertificate").map((r) => r.name),
    ).toEqual(["pair-sql-cert-on-mi"]);
    expect(
      registrations.some((r) => r.name.startsWith("team-a-trust") || r.name.startsWith("team-b-trust")),
    ).toBe(false);
    expect(byName("pair-endpoint-cert").ignoreChanges).toEqual([]);
    expect(byName("pair-endpoint-cert").inputs).toMatchObject({ expiryDate: "2030-06-30" });
    const trustCertUrn =
      "urn:pulumi:stack::project::mi-link:index:SqlServerTrust$azure-native:sql:ServerTrustCertificate::pair-sql-cert-on-mi";
    expect(byName("team-b-orders-link").dependencies).toContain(trustCertUrn);
    expect(byName("team-a-sales-link").dependencies).toContain(trustCertUrn);
  });

  it("a hostile but legal database name: quoted in SQL, sanitized in child and Azure names", async () => {
    const hostile = "a]; DROP DATABASE x--";
    const link = newLink("hostile", emulators.ready, { databases: [hostile], preflight: false });
    const links = await promiseOf(link.links);
    await settle();
    const children = registrations.filter(
      (r) => r.name.startsWith("hostile-") && r.type === "mi-link:index:DatabaseLink",
    );
    expect(children.map((r) => r.name)).toEqual([
      expect.stringMatching(/^hostile-a---drop-database-x---[0-9a-f]{6}$/),
    ]);
    const names = links[hostile];
    for (const n of [names.agName, names.miAgName, names.dagName]) expect(n).toMatch(/^[#a-zA-Z_][\w@#$]*$/);
    const readiness = registrations.find(
      (r) => r.type.endsWith(":DatabaseReadiness") && r.name.startsWith("hostile-"),
    )!;
    expect(readiness.inputs.database).toBe(hostile);
  });

  it("refuses invalid arguments before registering anything", () => {
    expect(() => newLink("bad", emulators.ready, { databases: ["Sales", "sales", "master"] })).toThrow(
      /Invalid arguments for MiLink "bad" \(2\):\n {2}- databases\[1\]: .*listed twice.*\n {2}- databases\[2\]: .*system database/,
    );
    expect(registrations).toEqual([]);
  });

  describe("preflight failures: one message per problem, no resource created", () => {
    async function expectPreflightFailure(link: Package.MiLink, ...patterns: RegExp[]): Promise<void> {
      const outcomes = await Promise.allSettled(
        [link.script, link.links, link.sqlServerCertificate, link.managedInstanceCertificate].map((o) =>
          promiseOf(o as PulumiModule.Output<unknown>),
        ),
      );
      const error = outcomes[0].status === "rejected" ? (outcomes[0].reason as Error) : undefined;
      // Every output fails with the same error object, which Pulumi reports once.
      for (const outcome of outcomes) expect(outcome.status === "rejected" && outcome.reason).toBe(error);
      await settle();
      const component = /MiLink "([^"]+)"/.exec(error?.message ?? "")?.[1];
      const seen = new Set(unhandled.filter((e) => (e as Error).message.includes(`MiLink "${component}"`)));
      expect([...seen]).toEqual([error]);
      expect(error?.name).toBe("MiLinkPreflightError");
      for (const pattern of patterns) expect(error?.message).toMatch(pattern);
      await settle();
      // Only the MiLink component itself (no inputs, no state): no child, no SQL Server or Azure object.
      expect(registrations.map((r) => r.type)).toEqual(["mi-link:index:MiLink"]);
    }

    it("Always On disabled", async () => {
      await expectPreflightFailure(
        newLink("nohadr", emulators.noHadr),
        /sqlServer\.alwaysOn: Always On .* disabled.*restart/,
      );
    });

    it("SQL Server 2019 with failover mode Manual (two-way needs 2022)", async () => {
      await expectPreflightFailure(newLink("v2019", emulators.sql2019), /sqlServer\.version: .*failing back/);
    });

    it("collation differs from the managed instance's", async () => {
      await expectPreflightFailure(
        newLink("coll", emulators.collation),
        /sqlServer\.collation: .*Latin1_General_100_CI_AS/,
      );
    });

    it("an Always-up-to-date managed instance with failover mode Manual", async () => {
      miFacts.databaseFormat = "AlwaysUpToDate";
      await expectPreflightFailure(
        newLink("auto", emulators.ready),
        /managedInstance\.updatePolicy: .*no way back/,
      );
    });

    it("a missing database", async () => {
      await expectPreflightFailure(
        newLink("missing", emulators.ready, { databases: ["Sales", "Nope"] }),
        /databases\[1\]: database \[Nope\] does not exist/,
      );
    });

    it("an existing mirroring endpoint on another port", async () => {
      await runAsAdmin(
        emulators.endpoint,
        "CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5023) FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES);",
      );
      await expectPreflightFailure(
        newLink("port", emulators.endpoint),
        /sqlServer\.endpointPort: .*\[Hadr_endpoint\] listens on port 5023.*endpointPort: 5023/,
      );
    });

    it("a database already in another availability group", async () => {
      await runAsAdmin(
        emulators.busy,
        [
          "CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022) FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES);",
          "CREATE AVAILABILITY GROUP [OtherAG] WITH (CLUSTER_TYPE = NONE) FOR DATABASE [Sales] REPLICA ON N'SQL1' WITH (ENDPOINT_URL = N'TCP://sql1:5022', AVAILABILITY_MODE = SYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC);",
        ].join("\n"),
      );
      await expectPreflightFailure(
        newLink("busy", emulators.busy),
        /databases\[0\]: database \[Sales\] already belongs to availability group \[OtherAG\]/,
      );
    });

    it("primary given while the managed instance reports no update policy", async () => {
      delete miFacts.databaseFormat;
      await expectPreflightFailure(
        newLink("nopolicy", emulators.ready, { primary: "SqlServer" }),
        /managedInstance\.updatePolicy: .*no known update policy/,
      );
    });

    it("a certificate expiry in the past known only at run time", async () => {
      await expectPreflightFailure(
        newLink("expired", emulators.ready, { certificateExpiry: pulumi.output("2020-01-01") }),
        /certificateExpiry: 2020-01-01 is in the past/,
      );
    });

    it("lists several problems at once, and preflight: false skips them", async () => {
      await expectPreflightFailure(
        newLink("many", emulators.noHadr, { databases: ["Sales", "Gone"] }),
        /sqlServer\.alwaysOn/,
        /databases\[1\]/,
      );
      const skipped = newLink("skipped", emulators.noHadr, { preflight: false });
      await promiseOf(skipped.links);
      await settle();
      expect(registrations.filter((r) => r.custom).length).toBe(14);
    });
  });
});

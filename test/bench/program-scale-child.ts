/**
 * One measurement of program scale, in its own process (peak RSS is per process): a MiLink with N
 * databases built under Pulumi's mocks. Registrations are answered by the mocks (no engine, no provider
 * call); the managed instance lookup is a mocked invoke; the read-only SQL Server lookup and the list of
 * the managed instance's links (the preflight's inputs) run for real against a SQL Server emulator and
 * an ARM emulator started by the parent.
 *
 * argv: <databases> <connection JSON> <ARM emulator JSON: endpoint, tlsCaPem>. Prints one JSON line: {databases, seconds (building: from the
 * package loaded to every registration answered), loadSeconds (@pulumi/pulumi, the package), processSeconds
 * (the whole process, Node's start included), peakRssMb, providerSerializations, registrations,
 * distinctProviderTexts}.
 */
import type * as PulumiModule from "@pulumi/pulumi";
import type * as Package from "pulumi-mi-link";
import type { SqlServerConnectionInfo } from "pulumi-mi-link/testing";
import { benchDatabaseNames } from "./names";

const started = process.hrtime.bigint();
const databases = Number(process.argv[2]);
const sqlInfo = JSON.parse(process.argv[3]) as SqlServerConnectionInfo;
const arm = JSON.parse(process.argv[4]) as { endpoint: string; tlsCaPem?: string };

// A provider's `__provider` text is written by the package's forwardingProvider (once per provider class, at
// load) or produced by Pulumi's closure serializer (pulumi.dynamic.Resource): count both.
const closure = require("@pulumi/pulumi/runtime/closure/serializeClosure") as {
  serializeFunction: (...args: unknown[]) => Promise<{ text: string }>;
};
const serializeFunction = closure.serializeFunction;
let serializations = 0;
closure.serializeFunction = (...args: unknown[]) => {
  serializations++;
  return serializeFunction(...args);
};
const delegate = require("pulumi-mi-link/dist/dynamic/common/delegate.js") as {
  forwardingProvider: (...args: unknown[]) => unknown;
};
const forwardingProvider = delegate.forwardingProvider;
delegate.forwardingProvider = (...args: unknown[]) => {
  serializations++;
  return forwardingProvider(...args);
};

const pulumi = require("@pulumi/pulumi") as typeof PulumiModule;
const providerTexts = new Set<unknown>();
let registrations = 0;

void pulumi.runtime.setMocks(
  {
    newResource(args) {
      registrations++;
      if (args.inputs.__provider) providerTexts.add(args.inputs.__provider);
      return { id: `${args.name}-id`, state: fakeOutputs(args.type, args.name, args.inputs) };
    },
    call(args) {
      if (args.token !== "azure-native:sql:getManagedInstance") throw new Error(`unexpected ${args.token}`);
      return {
        id: "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/sqlmi1",
        name: "sqlmi1",
        fullyQualifiedDomainName: "sqlmi1.abc123.database.windows.net",
        databaseFormat: "SQLServer2022",
        collation: "SQL_Latin1_General_CP1_CI_AS",
      };
    },
  },
  "bench",
  "dev",
  false,
);

/** Outputs the children read from their dependencies (what a provider would return). */
function fakeOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "pulumi-nodejs:dynamic/mi-link:EndpointCertificate":
      return { ...inputs, publicKey: "0x3082ABCD", thumbprint: "AB12", certificateId: 257, adopted: false };
    case "pulumi-nodejs:dynamic/mi-link:ManagedInstanceEndpointCertificate":
      return {
        ...inputs,
        publicKey: "0x3082EF01",
        thumbprint: "CD34",
        fqdn: "sqlmi1.abc123.database.windows.net",
      };
    case "pulumi-nodejs:dynamic/mi-link:TrustedCertificate":
      return { ...inputs, thumbprint: "EF56", expiryDate: "2027-01-01T00:00:00.000Z", chainValid: true };
    case "pulumi-nodejs:dynamic/mi-link:LinkReadiness":
      return { ...inputs, connectedState: "CONNECTED", synchronizationState: "SYNCHRONIZING" };
    case "azure-native:sql:DistributedAvailabilityGroup":
      return { ...inputs, distributedAvailabilityGroupId: `guid-${name}` };
    default:
      return inputs;
  }
}

// Internal to the SDK (no typings): resolves once every registration has been answered.
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

async function main(): Promise<void> {
  const pkg = require("pulumi-mi-link") as typeof Package;
  const loaded = process.hrtime.bigint();
  const link = new pkg.MiLink("bench", {
    sqlServer: {
      host: sqlInfo.host,
      port: sqlInfo.port,
      user: sqlInfo.user,
      password: sqlInfo.password,
      trustServerCertificate: true,
      endpointHost: "10.0.0.4",
    },
    managedInstance: {
      resourceGroupName: "rg",
      name: "sqlmi1",
      armEndpoint: arm.endpoint,
      tlsCaPem: arm.tlsCaPem,
      accessToken: "token",
    },
    databases: benchDatabaseNames(databases),
    masterKeyPassword: "Bench-Master-Key-1!",
  });
  await (link.links as unknown as { promise(): Promise<unknown> }).promise();
  await settings.waitForRPCs();
  const done = process.hrtime.bigint();
  const seconds = Number(done - loaded) / 1e9;
  const processSeconds = process.uptime();
  process.stdout.write(
    JSON.stringify({
      databases,
      seconds,
      loadSeconds: Number(loaded - started) / 1e9,
      processSeconds,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      providerSerializations: serializations,
      registrations,
      distinctProviderTexts: providerTexts.size,
    }) + "\n",
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

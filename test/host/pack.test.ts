/**
 * The published package, as a user installs it: `npm run build` when dist/ is stale, `npm pack`, install the
 * tarball into a fresh project, load every entry point of the `exports` map and every module under
 * dist/dynamic/, and serialize every dynamic provider found there exactly as a registration would, restoring
 * each in a fresh process as the dynamic-provider host does, then asking the real host (started in the consumer
 * project) to `check` empty inputs with each: a provider must answer with failures, not crash. Providers are
 * discovered, so new ones are covered.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BuildOutcome,
  ConsumerProject,
  buildIfStale,
  installPacked,
  packProject,
  run,
  runNode,
} from "../support/pack";
import { PackageReport, probePackage } from "../support/package-probe";
import { dynamicResourceType, repoRoot, startProviderHost, urnFor } from "../support/provider-host";

/** Serialized providers land in every resource's state: anything this large captured more than code. */
const maxProviderBytes = 256 * 1024;

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
  name: string;
  main: string;
  exports: Record<string, string | Record<string, string>>;
};

let scratch: string;
let build: BuildOutcome;
let tarballFiles: string[];
let consumer: ConsumerProject | undefined;
let report: PackageReport;

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pack-project-"));
  build = await buildIfStale();
  const tarball = await packProject(scratch);
  const listing = await run("tar", ["-tzf", tarball], scratch);
  tarballFiles = listing.stdout
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""));
  consumer = await installPacked(tarball);
  report = await probePackage(consumer);
}, 300_000);

afterAll(() => {
  consumer?.cleanup();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** Files the manifest points at, without wildcards: `main` and each `exports` target. */
function declaredFiles(): string[] {
  const targets = [manifest.main];
  for (const target of Object.values(manifest.exports)) {
    const leaves = typeof target === "string" ? [target] : Object.values(target);
    targets.push(...leaves.filter((leaf) => !leaf.includes("*")));
  }
  return [...new Set(targets.map((t) => path.posix.normalize(t)))];
}

describe(`the packed ${manifest.name}`, () => {
  it("builds dist/ from the sources", () => {
    // tsc emits despite type errors (the typecheck step reports those); an empty dist/ is a broken build.
    expect(fs.existsSync(path.join(repoRoot, "dist")), build.output).toBe(true);
  });

  it("contains every file its manifest points at", () => {
    const missing = declaredFiles().filter((file) => !tarballFiles.includes(file));
    expect(missing, `the tarball lists ${tarballFiles.length} files; src/ must produce these`).toEqual([]);
  });

  it("loads the main entry point and pulumi-mi-link/testing in a fresh project", () => {
    const specifiers = report.entryPoints.map((e) => e.specifier);
    expect(specifiers).toEqual(expect.arrayContaining([manifest.name, `${manifest.name}/testing`]));
    expect(report.entryPoints.filter((e) => !e.ok)).toEqual([]);
  });

  it("loads every module under dist/dynamic", () => {
    expect(report.modules.filter((m) => !m.ok)).toEqual([]);
  });

  it("serializes every exported dynamic provider and restores it as the host does", () => {
    const problems = report.providers
      .filter(
        (p) =>
          !p.serialized ||
          !p.restored ||
          p.containsSecrets ||
          (p.absolutePaths?.length ?? 0) > 0 ||
          (p.bytes ?? 0) > maxProviderBytes,
      )
      .map(({ text: _text, ...rest }) => rest);
    expect(problems).toEqual([]);
    // Every module that exports a provider was probed; printed so a run shows what was covered.
    console.info(
      `serialized ${report.providers.length} provider(s): ${report.providers.map((p) => p.name).join(", ")}`,
    );
  });

  it("answers check on empty inputs from the real host in the consumer project, with failures, not a crash", async () => {
    const host = await startProviderHost({ cwd: consumer!.dir });
    try {
      const outcomes = [];
      for (const provider of report.providers.filter((p) => p.text !== undefined)) {
        const urn = urnFor(dynamicResourceType("probe"), "empty");
        const outcome = await host.check(urn, {}, { __provider: provider.text }).then(
          (r) => ({ name: provider.name, failures: r.failures.length }),
          (e: Error) => ({ name: provider.name, error: e.message }),
        );
        outcomes.push(outcome);
      }
      expect(outcomes.filter((o) => "error" in o)).toEqual([]);
    } finally {
      await host.stop();
    }
  });

  it("builds a MiLink under mocks in the consumer project, its dynamic providers serialized from the package", async () => {
    // The program a user writes, run in the consumer project with Pulumi's mocks; SQL Server is the
    // package's own emulator (pulumi-mi-link/testing), the managed instance a mocked invoke.
    const result = await runNode(consumer!.dir, MI_LINK_UNDER_MOCKS, [], 120_000);
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout.trim().split("\n").pop()!) as {
      types: string[];
      providers: string[];
      plaintext: boolean;
    };
    expect(outcome.types).toEqual(
      expect.arrayContaining([
        "mi-link:index:MiLink",
        "mi-link:index:SqlServerTrust",
        "mi-link:index:DatabaseLink",
        "azure-native:sql:ServerTrustCertificate",
        "azure-native:sql:DistributedAvailabilityGroup",
      ]),
    );
    expect(outcome.providers.length).toBeGreaterThan(5);
    for (const text of outcome.providers)
      expect(text).toMatch(/require\(modulePath\)|pulumi-mi-link\/dist\/dynamic\//);
    expect(outcome.plaintext, result.stderr).toBe(false);
  });
});

const MI_LINK_UNDER_MOCKS = `
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks({
  newResource: (args) => { registered.push(args); return { id: args.name + "-id", state: args.inputs }; },
  call: (args) => args.token === "azure-native:sql:getManagedInstance"
    ? { fullyQualifiedDomainName: "sqlmi1.0a1b2c3d4e5f.database.windows.net", databaseFormat: "SQLServer2022",
        collation: "SQL_Latin1_General_CP1_CI_AS", name: "sqlmi1" }
    : args.inputs,
}, "consumer", "dev", false);
const { SqlServerEmulator } = require("pulumi-mi-link/testing");
const { MiLink } = require("pulumi-mi-link");
(async () => {
  const emulator = new SqlServerEmulator({ databases: [{ name: "Sales" }] });
  const sql = await emulator.start();
  const link = new MiLink("sales", {
    sqlServer: { host: sql.host, port: sql.port, user: sql.user, password: sql.password,
      trustServerCertificate: true, endpointHost: "10.0.0.4" },
    managedInstance: { resourceGroupName: "rg", name: "sqlmi1", subscriptionId: "00000000-0000-0000-0000-000000000001" },
    databases: ["Sales"],
    masterKeyPassword: "Consumer-Mk!Secret1",
    backupTarget: { disk: "/var/opt/mssql/backup" },
  });
  await new Promise((resolve) => link.links.apply(resolve));
  await new Promise((resolve) => setTimeout(resolve, 200));
  await emulator.stop();
  const providers = [...new Set(registered.map((r) => r.inputs.__provider).filter((p) => typeof p === "string"))];
  // A secret arrives wrapped ({ [sig]: secretSig, value }); a password anywhere else is in clear.
  const secrets = ["Consumer-Mk!Secret1", sql.password];
  const inClear = (value) => {
    if (typeof value === "string") return secrets.some((s) => value.includes(s));
    if (value === null || typeof value !== "object") return false;
    if (value[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return false;
    return Object.values(value).some(inClear);
  };
  const plaintext = registered.some((r) => inClear(r.inputs));
  process.stdout.write(JSON.stringify({ types: [...new Set(registered.map((r) => r.type))], providers, plaintext }) + "\\n");
  process.exit(0);
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsumerProject, installPacked, packProject } from "../support/pack";
import { PackageReport, probePackage } from "../support/package-probe";
import { startProviderHost, urnFor } from "../support/provider-host";

const fixturePackage = path.join(__dirname, "fixtures", "packed-package");
const provider = "fixture-widgets/lib/dynamic/widget.js#widgetProvider";

let scratch: string;
const consumers: ConsumerProject[] = [];

async function packAndProbe(
  packageDir: string,
): Promise<{ consumer: ConsumerProject; report: PackageReport }> {
  const consumer = await installPacked(await packProject(scratch, packageDir));
  consumers.push(consumer);
  return { consumer, report: await probePackage(consumer, { providersDir: "lib/dynamic" }) };
}

function variantOfFixture(): string {
  const dir = fs.mkdtempSync(path.join(scratch, "variant-"));
  fs.cpSync(fixturePackage, dir, { recursive: true });
  return dir;
}

/** A copy of the fixture package whose `exports` map is replaced. */
function withExports(exportsMap: Record<string, string>): string {
  const dir = variantOfFixture();
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ ...manifest, exports: exportsMap }, null, 2),
  );
  return dir;
}

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pack-harness-"));
});

afterAll(() => {
  for (const consumer of consumers) consumer.cleanup();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("pack, install and probe (on a fixture package)", () => {
  let consumer: ConsumerProject;
  let report: PackageReport;
  beforeAll(async () => {
    ({ consumer, report } = await packAndProbe(fixturePackage));
  }, 60_000);

  it("installs the tarball like npm: the package's own files, outside the repo", () => {
    expect(fs.realpathSync(consumer.packageDir)).toBe(
      path.join(fs.realpathSync(consumer.dir), "node_modules/fixture-widgets"),
    );
    expect(fs.existsSync(path.join(consumer.packageDir, "lib/dynamic/widget.js"))).toBe(true);
  });

  it("loads the entry points and finds the providers without being told their names", () => {
    expect(report.entryPoints).toEqual([
      { specifier: "fixture-widgets", ok: true, exportNames: ["widgetProvider"] },
    ]);
    expect(report.modules).toEqual([
      {
        specifier: "fixture-widgets/lib/dynamic/widget.js",
        ok: true,
        exportNames: ["widgetProvider", "widgetDefaults"],
      },
    ]);
    expect(report.providers.map((p) => p.name)).toEqual([provider]);
  });

  it("serializes a provider so it requires the package's modules by name and restores in a fresh process", () => {
    const [probe] = report.providers;
    expect(probe).toMatchObject({
      serialized: true,
      restored: true,
      containsSecrets: false,
      absolutePaths: [],
    });
    expect(probe.text).toContain('require("fixture-widgets/lib/util/names.js")');
  });

  it("runs the serialized provider in the dynamic-provider host started in the consumer project", async () => {
    const host = await startProviderHost({ cwd: consumer.dir });
    try {
      const urn = urnFor("pulumi-nodejs:dynamic:Widget", "w");
      const created = await host.create(urn, { __provider: report.providers[0].text!, name: "w" });
      expect(created.id).toBe("widget-w");
    } finally {
      await host.stop();
    }
  });
});

describe("pack, install and probe catch what only a published package shows", () => {
  it("an exports map that hides a module the provider needs fails serialization, naming the module", async () => {
    const dir = withExports({ ".": "./lib/index.js", "./lib/dynamic/*": "./lib/dynamic/*" });
    const { report } = await packAndProbe(dir);
    expect(report.providers).toEqual([
      expect.objectContaining({
        name: provider,
        serialized: false,
        error: expect.stringContaining(
          'package.json export path for "fixture-widgets/lib/util/names.js" not found',
        ),
      }),
    ]);
  }, 60_000);

  it("an exports map that hides the provider modules fails to load them", async () => {
    const { report } = await packAndProbe(withExports({ ".": "./lib/index.js" }));
    expect(report.entryPoints.every((e) => e.ok)).toBe(true);
    expect(report.modules).toEqual([
      expect.objectContaining({ ok: false, error: expect.stringContaining('is not defined by "exports"') }),
    ]);
  }, 60_000);
});

describe("a package that lists its providers", () => {
  it("has exactly the listed providers probed, not every object with a create method", async () => {
    const dir = variantOfFixture();
    fs.writeFileSync(
      path.join(dir, "lib/dynamic/index.js"),
      'module.exports = { providers: { widget: require("./widget").widgetProvider } };\n',
    );
    fs.writeFileSync(
      path.join(dir, "lib/dynamic/operations.js"),
      "module.exports = { ops: { create() {} } };\n",
    );
    const { report } = await packAndProbe(dir);
    expect(report.modules.map((m) => m.specifier)).toContain("fixture-widgets/lib/dynamic/operations.js");
    expect(report.providers.map((p) => [p.name, p.restored])).toEqual([
      ["fixture-widgets/lib/dynamic/index.js#providers.widget", true],
    ]);
  }, 60_000);
});

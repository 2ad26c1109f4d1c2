/**
 * Looks at an installed package from the outside, the way a user's Pulumi program and the dynamic-provider
 * host see it (plain node, cwd = the consumer project).
 *
 *   const report = await probePackage(consumer, { providersDir? });   // default "dist/dynamic"
 *   report.entryPoints  // every subpath of the `exports` map: loaded or the error
 *   report.modules      // every <providersDir>/**.js: loaded or the error
 *   report.providers    // the entries of exported `providers` lists or records when there are any, else every
 *                       // exported object with a `create` method (serialized) or a provider source `{ text }`
 *                       // (taken as is), then restored in a fresh process
 *
 * Providers are discovered, not listed, so ones added later are covered without touching the tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConsumerProject, runNode } from "./pack";
import { repoRoot } from "./provider-host";

export interface EntryPointProbe {
  specifier: string;
  ok: boolean;
  error?: string;
  exportNames?: string[];
}
export interface ProviderProbe {
  /** `<module specifier>#<export>`. */
  name: string;
  serialized: boolean;
  error?: string;
  bytes?: number;
  containsSecrets?: boolean;
  /** Restored by `require-from-string(text).handler()` in a fresh process, with a `create` method. */
  restored?: boolean;
  restoreError?: string;
  /** The `__provider` text, as a registration would store it. */
  text?: string;
  /** Absolute paths found in the text (a sign local files were captured by value instead of required). */
  absolutePaths?: string[];
}
export interface PackageReport {
  entryPoints: EntryPointProbe[];
  modules: EntryPointProbe[];
  providers: ProviderProbe[];
}

const discoverScript = `
const fs = require("fs");
const path = require("path");
const cwd = process.cwd();
const [pkgName, outFile, providersDir] = process.argv.slice(1);
const pkgDir = path.join(cwd, "node_modules", pkgName);
const manifest = require(path.join(pkgDir, "package.json"));
const sc = require(require.resolve("@pulumi/pulumi/runtime/closure/serializeClosure", { paths: [cwd] }));
const errorText = (e) => String((e && e.message) || e);
const report = { entryPoints: [], modules: [], providers: [], texts: {} };

const subpaths = Object.keys(manifest.exports || { ".": null }).filter((k) => !k.includes("*") && !k.endsWith(".json"));
for (const sub of subpaths) {
  const specifier = sub === "." ? pkgName : pkgName + sub.slice(1);
  try {
    report.entryPoints.push({ specifier, ok: true, exportNames: Object.keys(require(specifier)) });
  } catch (e) {
    report.entryPoints.push({ specifier, ok: false, error: errorText(e) });
  }
}

const dynamicDir = path.join(pkgDir, providersDir);
const files = fs.existsSync(dynamicDir)
  ? fs.readdirSync(dynamicDir, { recursive: true }).map(String).filter((f) => f.endsWith(".js") && !f.endsWith(".test.js")).sort()
  : [];
// A provider object (create method), or a provider's source as the package registers it ({ text }).
const isSource = (v) => v !== null && typeof v === "object" && typeof v.text === "string" && typeof v.create !== "function";
const isProvider = (v) => v !== null && typeof v === "object" && (typeof v.create === "function" || isSource(v));
const listed = [];
const discovered = [];
for (const file of files) {
  const specifier = pkgName + "/" + providersDir + "/" + file.split(path.sep).join("/");
  let mod;
  try {
    mod = require(specifier);
    report.modules.push({ specifier, ok: true, exportNames: Object.keys(mod) });
  } catch (e) {
    report.modules.push({ specifier, ok: false, error: errorText(e) });
    continue;
  }
  if (mod.providers && typeof mod.providers === "object") {
    for (const [k, v] of Object.entries(mod.providers)) listed.push({ name: specifier + "#providers." + k, value: v });
  }
  for (const [exportName, value] of Object.entries(mod)) {
    if (isProvider(value)) discovered.push({ name: specifier + "#" + exportName, value });
  }
}
// An exported \`providers\` list is the package's own word on what it registers; without one, every object
// with a create method is taken. Each provider is probed once, under the first name it was found by.
const seen = new Set();
const candidates = (listed.length > 0 ? listed : discovered).filter(({ value }) => {
  if (seen.has(value)) return false;
  seen.add(value);
  return true;
});

function serializeProvider(provider) {
  return sc.serializeFunction(() => provider, { allowSecrets: true });
}
(async () => {
  for (const { name, value } of candidates) {
    try {
      const sf = isSource(value) ? { text: value.text, containsSecrets: false } : await serializeProvider(value);
      report.providers.push({ name, serialized: true, bytes: Buffer.byteLength(sf.text), containsSecrets: sf.containsSecrets });
      report.texts[name] = sf.text;
    } catch (e) {
      report.providers.push({ name, serialized: false, error: errorText(e) });
    }
  }
  fs.writeFileSync(outFile, JSON.stringify(report));
})();
`;

/** Mirrors the host's getProvider: evaluate the text with no filename, call `handler()`. */
const restoreScript = `
const fs = require("fs");
const cwd = process.cwd();
const requireFromString = require(require.resolve("require-from-string", {
  paths: [require.resolve("@pulumi/pulumi/package.json", { paths: [cwd] })],
}));
const texts = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).texts;
const results = {};
for (const [name, text] of Object.entries(texts)) {
  try {
    const provider = requireFromString(text).handler();
    results[name] = typeof provider.create === "function" ? { restored: true } : { restored: false, restoreError: "no create method" };
  } catch (e) {
    results[name] = { restored: false, restoreError: String((e && e.message) || e) };
  }
}
process.stdout.write(JSON.stringify(results));
`;

function absolutePathsIn(text: string, roots: string[]): string[] {
  return roots.filter((root) => text.includes(root));
}

export async function probePackage(
  consumer: ConsumerProject,
  options: { providersDir?: string } = {},
): Promise<PackageReport> {
  const reportFile = path.join(consumer.dir, "probe-report.json");
  const providersDir = options.providersDir ?? "dist/dynamic";
  const discovered = await runNode(consumer.dir, discoverScript, [
    consumer.packageName,
    reportFile,
    providersDir,
  ]);
  if (discovered.code !== 0) throw new Error(`probing ${consumer.packageName} failed:\n${discovered.stderr}`);
  const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as PackageReport & {
    texts: Record<string, string>;
  };
  const restored = await runNode(consumer.dir, restoreScript, [reportFile]);
  if (restored.code !== 0) throw new Error(`restoring serialized providers failed:\n${restored.stderr}`);
  const outcomes = JSON.parse(restored.stdout) as Record<
    string,
    Pick<ProviderProbe, "restored" | "restoreError">
  >;
  for (const provider of report.providers) {
    const text = report.texts[provider.name];
    if (text === undefined) continue;
    Object.assign(provider, outcomes[provider.name], {
      text,
      absolutePaths: absolutePathsIn(text, [consumer.dir, repoRoot]),
    });
  }
  return { entryPoints: report.entryPoints, modules: report.modules, providers: report.providers };
}

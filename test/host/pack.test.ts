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
});

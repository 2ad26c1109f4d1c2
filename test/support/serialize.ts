/**
 * The `__provider` text of dynamic providers. A provider of this package is its source (`{ text }`, see
 * src/dynamic/common/delegate.ts): that text, as its resources register it. Any other provider object (the
 * fixtures) is serialized exactly as `pulumi.dynamic.Resource` does, in a separate plain node process: code
 * transformed by vitest does not serialize, tsc output and plain CommonJS do.
 *
 *   const { text, containsSecrets } = await serializeProvider("dist/dynamic/login.js", "loginProvider");
 *   const many = await serializeProviders([{ modulePath, exportName }, ...], { cwd });
 *   const registered = await serializeThroughResource(modulePath, exportName);  // via a real
 *     `new pulumi.dynamic.Resource(...)` under `pulumi.runtime.setMocks`: the reference the others must equal
 *
 * `modulePath` is resolved from `cwd` (default: the repo root) like `require` would (a relative path or a package
 * specifier); `exportName` may be dotted (`providers.login`). The text is what the host later evaluates with
 * `require-from-string(text).handler()`. For modules under dist/, call `buildIfStale()` (./build) first.
 */
import { execFile } from "node:child_process";
import { repoRoot } from "./provider-host";

export interface ProviderRef {
  modulePath: string;
  exportName: string;
}
export interface SerializedProvider {
  text: string;
  containsSecrets: boolean;
}

/**
 * Runs in the child. `serializeFunction(() => provider, { allowSecrets: true })` mirrors
 * `@pulumi/pulumi/dynamic` (same arrow, same captured name), so the text is byte-identical to a registration's.
 */
const childScript = `
const path = require("path");
const cwd = process.cwd();
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [cwd] }));
const sc = require(path.join(pulumiDir, "runtime/closure/serializeClosure"));
function serializeProvider(provider) {
  return sc.serializeFunction(() => provider, { allowSecrets: true });
}
async function main() {
  const refs = JSON.parse(process.argv[1]);
  const results = [];
  for (const ref of refs) {
    const spec = ref.modulePath.startsWith(".") ? path.resolve(cwd, ref.modulePath) : ref.modulePath;
    const mod = require(require.resolve(spec, { paths: [cwd] }));
    const provider = ref.exportName.split(".").reduce((o, k) => (o == null ? undefined : o[k]), mod);
    if (provider === undefined) throw new Error(ref.modulePath + " exports no " + ref.exportName);
    const sf = typeof provider.text === "string" ? { text: provider.text, containsSecrets: false } : await serializeProvider(provider);
    results.push({ text: sf.text, containsSecrets: sf.containsSecrets });
  }
  process.stdout.write(JSON.stringify(results));
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

export function serializeProviders(
  refs: ProviderRef[],
  options: { cwd?: string } = {},
): Promise<SerializedProvider[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", childScript, JSON.stringify(refs)],
      { cwd: options.cwd ?? repoRoot, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`serializing ${JSON.stringify(refs)} failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as SerializedProvider[]);
      },
    );
  });
}

export async function serializeProvider(
  modulePath: string,
  exportName: string,
  options: { cwd?: string } = {},
): Promise<SerializedProvider> {
  const [result] = await serializeProviders([{ modulePath, exportName }], options);
  return result;
}

/** Registers `new pulumi.dynamic.Resource(provider, ...)` under mocks and reports the `__provider` it sent. */
const resourceChildScript = `
const path = require("path");
const cwd = process.cwd();
const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [cwd] }));
const rpc = require(require.resolve("@pulumi/pulumi/runtime/rpc", { paths: [cwd] }));
const ref = JSON.parse(process.argv[1]);
let report;
const registered = new Promise((resolve) => (report = resolve));
pulumi.runtime.setMocks(
  {
    newResource(args) {
      const sent = args.inputs.__provider;
      report({ text: rpc.unwrapRpcSecret(sent), containsSecrets: rpc.isRpcSecret(sent) });
      return { id: args.name, state: args.inputs };
    },
    call: () => ({}),
  },
  "project",
  "stack",
  false,
);
const spec = ref.modulePath.startsWith(".") ? path.resolve(cwd, ref.modulePath) : ref.modulePath;
const mod = require(require.resolve(spec, { paths: [cwd] }));
const provider = ref.exportName.split(".").reduce((o, k) => (o == null ? undefined : o[k]), mod);
const resource = new pulumi.dynamic.Resource(provider, "probe", {});
// Waiting for the URN lets the runtime settle every promise, so the process exits cleanly on its own.
Promise.all([registered, new Promise((resolve) => resource.urn.apply(resolve))]).then(([result]) => {
  process.stdout.write(JSON.stringify(result));
});
`;

export function serializeThroughResource(
  modulePath: string,
  exportName: string,
  options: { cwd?: string } = {},
): Promise<SerializedProvider> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", resourceChildScript, JSON.stringify({ modulePath, exportName })],
      { cwd: options.cwd ?? repoRoot, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`registering ${modulePath}#${exportName} failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as SerializedProvider);
      },
    );
  });
}

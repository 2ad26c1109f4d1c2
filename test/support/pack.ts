/**
 * Packs the project as npm would publish it and installs the tarball into a fresh consumer project, to catch
 * what only a published package shows: files missing from the tarball, an `exports` map hiding the files the
 * closure serializer must `require`, dependencies used but not declared.
 *
 *   const build = await buildIfStale();               // from ./build: `npm run build` when dist/ is stale
 *   const tarball = await packProject(destDir);       // `npm pack` → absolute path of the .tgz
 *   const consumer = await installPacked(tarball);    // { dir, packageDir, cleanup() }
 *   const { stdout } = await runNode(consumer.dir, "require('pulumi-mi-link')");
 *
 * The consumer's node_modules holds the unpacked tarball, a real copy of the repo's `@pulumi/pulumi` (the
 * closure serializer looks packages up from its own location, so it must sit in the consumer's node_modules as
 * after an install), and links to the repo's copies of exactly the package's `dependencies` and
 * `peerDependencies` and of `@pulumi/pulumi`'s dependencies (their own dependencies resolve from the repo
 * through the links' real paths). That is what an install gives, without the network and in about a second;
 * a dependency the package forgot to declare is missing, as it would be for a user. Known difference: linked
 * packages that require `@pulumi/pulumi` themselves (azure-native) get the repo's copy, a second instance.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "./build";
import { repoRoot } from "./provider-host";

export { BuildOutcome, CommandResult, buildIfStale, run, runNode } from "./build";

/** `npm pack` into `destination`; returns the tarball's absolute path. */
export async function packProject(destination: string, root = repoRoot): Promise<string> {
  const result = await run("npm", ["pack", "--json", "--pack-destination", destination], root);
  if (result.code !== 0) throw new Error(`npm pack failed (${result.code}):\n${result.stderr}`);
  const [info] = JSON.parse(result.stdout) as { filename: string }[];
  return path.join(destination, info.filename);
}

export interface ConsumerProject {
  dir: string;
  /** Where the tarball was unpacked: `<dir>/node_modules/<name>`. */
  packageDir: string;
  packageName: string;
  cleanup(): void;
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;
}

function installFromRepo(nodeModules: string, name: string, root: string, how: "link" | "copy"): void {
  const target = path.join(nodeModules, name);
  if (fs.existsSync(target)) return;
  const source = path.join(root, "node_modules", name);
  if (!fs.existsSync(source))
    throw new Error(`${name} is declared but not installed in ${root}/node_modules`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (how === "copy") fs.cpSync(fs.realpathSync(source), target, { recursive: true });
  else fs.symlinkSync(source, target, "dir");
}

const pulumiSdk = "@pulumi/pulumi";

/** Creates a consumer project in a temp dir with the tarball installed (see the file comment). */
export async function installPacked(tarball: string, root = repoRoot): Promise<ConsumerProject> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-consumer-"));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const unpacked = path.join(dir, "unpacked");
    fs.mkdirSync(unpacked);
    const untar = await run("tar", ["-xzf", tarball, "-C", unpacked], dir);
    if (untar.code !== 0) throw new Error(`cannot unpack ${tarball}: ${untar.stderr}`);
    const manifest = readManifest(path.join(unpacked, "package"));
    const nodeModules = path.join(dir, "node_modules");
    const packageDir = path.join(nodeModules, manifest.name);
    fs.mkdirSync(path.dirname(packageDir), { recursive: true });
    fs.renameSync(path.join(unpacked, "package"), packageDir);
    fs.rmSync(unpacked, { recursive: true });
    installFromRepo(nodeModules, pulumiSdk, root, "copy");
    const declared = { ...manifest.peerDependencies, ...manifest.dependencies };
    const sdkDependencies = readManifest(path.join(nodeModules, pulumiSdk)).dependencies ?? {};
    for (const name of Object.keys({ ...declared, ...sdkDependencies })) {
      installFromRepo(nodeModules, name, root, "link");
    }
    fs.writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({
        name: "pack-consumer",
        private: true,
        dependencies: { [manifest.name]: `file:${tarball}` },
      }),
    );
    return { dir, packageDir, packageName: manifest.name, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/**
 * Loading a Pulumi program the way the Node language host does: a directory means its `main` (Pulumi.yaml
 * `main`, then package.json `main`, then index.ts/index.js); TypeScript is transpiled on load (the language
 * host uses ts-node; here `typescript.transpileModule`, no type check); the module's exports are the stack
 * outputs, or, when it exports a default function, what that function returns.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The `main: <path>` of a Pulumi.yaml, relative to its directory (a tiny parser for that one key). */
function pulumiYamlMain(dir: string): string | undefined {
  const file = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(file)) return undefined;
  const match = /^main:\s*["']?([^"'\n#]+?)["']?\s*(#.*)?$/m.exec(fs.readFileSync(file, "utf8"));
  return match ? path.resolve(dir, match[1].trim()) : undefined;
}

/** The file the program starts from. */
export function resolveProgramFile(program: string): string {
  let target = path.resolve(program);
  if (!fs.existsSync(target)) throw new Error(`program ${program} does not exist`);
  if (fs.statSync(target).isDirectory()) {
    const main = pulumiYamlMain(target);
    if (main && path.resolve(main) !== target) return resolveProgramFile(main);
    const pkg = path.join(target, "package.json");
    const pkgMain = fs.existsSync(pkg)
      ? (JSON.parse(fs.readFileSync(pkg, "utf8")) as { main?: string }).main
      : undefined;
    const candidates = [pkgMain, "index.ts", "index.js"].filter((c): c is string => !!c);
    const found = candidates.map((c) => path.join(target, c)).find((c) => fs.existsSync(c));
    if (!found) throw new Error(`program directory ${program} has no index.ts or index.js`);
    target = found;
  }
  return target;
}

/** Makes `require` of `.ts` files transpile them (once per process). */
function registerTypeScript(from: string): void {
  const extensions = require.extensions as NodeJS.RequireExtensions;
  if (extensions[".ts"]) return;
  const ts = require(
    require.resolve("typescript", { paths: [from, __dirname] }),
  ) as typeof import("typescript");
  extensions[".ts"] = (module, filename) => {
    const output = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2020,
        esModuleInterop: true,
        inlineSourceMap: true,
      },
    });
    (module as unknown as { _compile(code: string, file: string): void })._compile(
      output.outputText,
      filename,
    );
  };
}

/** Requires the program and returns its stack outputs. */
export async function runProgram(program: string): Promise<Record<string, unknown>> {
  const file = resolveProgramFile(program);
  if (file.endsWith(".ts")) registerTypeScript(path.dirname(file));
  const exported = require(file) as Record<string, unknown> & { default?: unknown };
  if (typeof exported.default === "function") {
    const result = await (exported.default as () => unknown)();
    return (result ?? {}) as Record<string, unknown>;
  }
  const outputs = { ...exported };
  delete outputs.__esModule;
  return outputs;
}

/**
 * The rehearsal's front: `up`, `refresh` and `destroy` of a Pulumi program against the local emulators,
 * each run in a fresh Node process (Pulumi's runtime is process-global) that loads the previous run's state
 * file.
 *
 *   const rehearsal = new Rehearsal({ program: "examples/sqlserver-to-mi", stateFile, config, arm });
 *   const first = await rehearsal.up();        // first.counts.create, first.outputs, first.ok
 *   const again = await rehearsal.up();        // again.changes === 0
 *   await rehearsal.destroy();
 *
 * It is Pulumi's mock runtime with registrations served for real (dynamic resources through the real
 * dynamic-provider host, azure-native resources against ARM); it is neither the Pulumi engine nor the
 * azure-native provider.
 */
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ArmTarget } from "./arm-client";
import { StepCounts, countSteps, formatStep, formatSummary } from "./progress";
import type {
  DoneEvent,
  LogEvent,
  ProviderHostStart,
  RehearsalEvent,
  RehearsalJob,
  RehearsalOperation,
  StepEvent,
} from "./protocol";

export interface RehearsalOptions {
  /** Program file or directory (TypeScript or JavaScript). Needed for `up`. */
  program?: string;
  /** Where the stack state is kept between runs. */
  stateFile: string;
  /** Default "rehearsal". */
  project?: string;
  /** Default "dev". */
  stack?: string;
  /** Stack config; keys without a namespace get the project's. */
  config?: Record<string, string>;
  /** Config keys (as given in `config`) whose values are secret. */
  secretConfig?: string[];
  /** ARM target for azure-native resources. */
  arm?: ArmTarget;
  /**
   * Working directory of the dynamic-provider host: `pulumi-mi-link` must resolve from it. Default: the
   * program's directory when the package resolves there, else this package's root.
   */
  hostCwd?: string;
  /** Receives each progress line. Default: written to stdout. Pass `() => {}` for silence. */
  print?: (line: string) => void;
  /**
   * When the dynamic-provider host starts. Default `withProgram`: as the run begins, so its start
   * overlaps the program's (faster rehearsals). `onFirstUse`: when the first dynamic resource needs it,
   * as the Pulumi engine starts a provider plugin once its default provider is first needed.
   */
  providerHostStart?: ProviderHostStart;
}

/** When the dynamic-provider host of a run was spawned. */
export interface ProviderHostStarted {
  /** How many step events the run had reported by then. */
  afterSteps: number;
  /** Seconds from the run's start. */
  atSeconds: number;
}

export interface RunReport {
  operation: RehearsalOperation;
  ok: boolean;
  steps: StepEvent[];
  logs: LogEvent[];
  counts: StepCounts;
  /** Creates + updates + replaces + deletes of provider-managed resources. */
  changes: number;
  outputs: Record<string, unknown>;
  errors: string[];
  seconds: number;
  /** Undefined when the run needed no dynamic-provider host. */
  providerHost?: ProviderHostStarted;
}

const packageRoot = path.resolve(__dirname, "..", "..", "..");

/** The compiled child entry (also when this module runs from source, as in tests). */
function childScript(): string {
  const sibling = path.join(__dirname, "child.js");
  return fs.existsSync(sibling)
    ? sibling
    : path.join(packageRoot, "dist", "testing", "rehearsal", "child.js");
}

function resolvesPackage(dir: string): boolean {
  try {
    require.resolve("pulumi-mi-link/package.json", { paths: [dir] });
    return true;
  } catch {
    return false;
  }
}

export class Rehearsal {
  constructor(private readonly options: RehearsalOptions) {}

  up(): Promise<RunReport> {
    return this.run("up");
  }
  refresh(): Promise<RunReport> {
    return this.run("refresh");
  }
  destroy(): Promise<RunReport> {
    return this.run("destroy");
  }

  private job(operation: RehearsalOperation): RehearsalJob {
    const project = this.options.project ?? "rehearsal";
    const qualify = (key: string) => (key.includes(":") ? key : `${project}:${key}`);
    const config = Object.fromEntries(
      Object.entries(this.options.config ?? {}).map(([k, v]) => [qualify(k), v]),
    );
    const program = this.options.program ? path.resolve(this.options.program) : undefined;
    const programDir = program ? path.dirname(program) : process.cwd();
    const hostCwd =
      this.options.hostCwd ?? [programDir, process.cwd()].find((dir) => resolvesPackage(dir)) ?? packageRoot;
    return {
      operation,
      program,
      stateFile: path.resolve(this.options.stateFile),
      project,
      stack: this.options.stack ?? "dev",
      config,
      secretKeys: (this.options.secretConfig ?? []).map(qualify),
      arm: this.options.arm,
      hostCwd,
      providerHostStart: this.options.providerHostStart ?? "withProgram",
    };
  }

  /** One run in a fresh child process. Resolves with its report (failures included, `ok: false`). */
  run(operation: RehearsalOperation): Promise<RunReport> {
    const print = this.options.print ?? ((line: string) => process.stdout.write(line + "\n"));
    const started = Date.now();
    const steps: StepEvent[] = [];
    const logs: LogEvent[] = [];
    let done: DoneEvent | undefined;
    let providerHost: ProviderHostStarted | undefined;
    print(
      `${operation}${this.options.program ? ` ${path.relative(process.cwd(), this.options.program) || "."}` : ""}`,
    );
    return new Promise<RunReport>((resolve, reject) => {
      const child = fork(childScript(), [], {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        // Node's own deprecation warnings (TLS to an IP address, ...) are not the program's output.
        env: { NODE_NO_WARNINGS: "1", ...process.env },
        cwd: this.options.program ? path.dirname(path.resolve(this.options.program)) : process.cwd(),
      });
      child.on("message", (event: RehearsalEvent) => {
        if (event.kind === "step") {
          steps.push(event);
          if (
            event.type !== "pulumi:pulumi:Stack" &&
            ((event.op !== "same" && event.op !== "read") || event.error)
          ) {
            print(formatStep(event));
          }
        } else if (event.kind === "log") {
          logs.push(event);
          print(`   ${event.severity}: ${event.message}`);
        } else if (event.kind === "host") {
          providerHost = { afterSteps: steps.length, atSeconds: (Date.now() - started) / 1000 };
        } else done = event;
      });
      child.once("error", reject);
      // "close", not "exit": a process can exit before its last messages are read from the channel
      // (the report sent just before `process.exit` was then lost); "close" waits for the channel to end.
      child.once("close", (code, signal) => {
        const errors = done?.errors ?? [`the rehearsal process exited (${signal ?? code}) without a report`];
        const counts = countSteps(steps);
        const seconds = (Date.now() - started) / 1000;
        print(formatSummary(operation, counts, seconds, errors));
        for (const error of errors) print(`  error: ${error}`);
        resolve({
          operation,
          ok: !!done?.ok,
          steps,
          logs,
          counts,
          changes: counts.create + counts.update + counts.replace + counts.delete,
          outputs: done?.outputs ?? {},
          errors,
          seconds,
          providerHost,
        });
      });
      child.send(this.job(operation));
    });
  }
}

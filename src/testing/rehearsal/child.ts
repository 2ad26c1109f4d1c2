/**
 * Entry point of one rehearsal run, forked by ./runner with an IPC channel. Pulumi's runtime is
 * process-global, so every run gets a fresh process: it receives a {@link RehearsalJob}, runs it with a
 * {@link RehearsalEngine}, reports {@link RehearsalEvent}s and exits.
 */
import { RehearsalEngine } from "./engine";
import type { RegistrationHandler } from "./monitor";
import type { DoneEvent, RehearsalEvent, RehearsalJob } from "./protocol";
import { WireValue, isSecretValue } from "./wire";

// The SDK, the mock monitor and the program loader are required once the dynamic-provider host is spawned
// (see `run`): loading `@pulumi/pulumi` takes about half a second, which the host's own start overlaps.
type Sdk = typeof import("@pulumi/pulumi");
type Monitor = typeof import("./monitor");
type Program = typeof import("./program");

function send(event: RehearsalEvent): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      process.stdout.write(JSON.stringify(event) + "\n");
      return resolve();
    }
    process.send(event, () => resolve());
  });
}

const RUNTIME_WARNING = /^warning: \[runtime\] /;

/**
 * Without an engine, `pulumi.log.warn` in the program writes `warning: [runtime] <message>` to the
 * console: those lines are reported as warnings too, as `pulumi up` shows the program's warnings.
 */
function reportProgramWarnings(): void {
  const original = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(" ");
    if (RUNTIME_WARNING.test(text)) {
      void send({ kind: "log", severity: "warning", message: text.replace(RUNTIME_WARNING, "") });
      return;
    }
    original(...args);
  };
}

/** Stack outputs for the report: secrets never leave the child in clear. */
function redact(value: WireValue): unknown {
  if (isSecretValue(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  }
  return value;
}

/**
 * The engine as the monitor's handler, counting registrations in flight, so that a run with a failed step
 * can end once the others have finished.
 */
function trackRegistrations(engine: RehearsalEngine): {
  handler: RegistrationHandler;
  failedAndIdle(): Promise<void>;
} {
  let inFlight = 0;
  let lastSettled = Date.now();
  const handler: RegistrationHandler = {
    async register(registration) {
      inFlight++;
      try {
        return await engine.register(registration);
      } finally {
        inFlight--;
        lastSettled = Date.now();
      }
    },
    invoke: (token, args) => engine.invoke(token, args),
  };
  const QUIET_MS = 1000;
  const failedAndIdle = () =>
    new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (engine.errors.length > 0 && inFlight === 0 && Date.now() - lastSettled >= QUIET_MS) {
          clearInterval(timer);
          resolve();
        }
      }, 100);
      timer.unref();
    });
  return { handler, failedAndIdle };
}

async function runUp(job: RehearsalJob, engine: RehearsalEngine): Promise<Record<string, unknown>> {
  if (!job.program) throw new Error("up needs a program");
  const pulumi = require("@pulumi/pulumi") as Sdk;
  const { installRehearsalMonitor } = require("./monitor") as Monitor;
  const { runProgram } = require("./program") as Program;
  // Internal to the SDK (no typings): waits until every registration has been answered.
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  reportProgramWarnings();
  await engine.retirePendingDeletes();
  const tracked = trackRegistrations(engine);
  const resources = installRehearsalMonitor(tracked.handler, job.project, job.stack);
  pulumi.runtime.setAllConfig(job.config, job.secretKeys);
  const program = job.program;
  let programError: unknown;
  const completed = pulumi.runtime
    .runInPulumiStack(() => runProgram(program))
    .catch((error) => (programError = error))
    .then(() => settings.waitForRPCs());
  // After a failed step, the program and the registrations that wait on the failed resource's outputs
  // never complete under the mock runtime; like the engine, stop once nothing else is in flight.
  await Promise.race([completed, tracked.failedAndIdle()]);
  if (programError && engine.errors.length === 0) throw programError;
  if (engine.errors.length > 0) return {};
  await engine.deleteUnregistered();
  const stack = [...resources.values()].find((r) => r.urn.includes("::pulumi:pulumi:Stack::"));
  const state = stack?.state as { toJavaScript?: () => WireValue } | undefined;
  const outputs = state?.toJavaScript ? state.toJavaScript() : ((state ?? {}) as WireValue);
  return redact(outputs) as Record<string, unknown>;
}

async function run(job: RehearsalJob): Promise<DoneEvent> {
  const engine = new RehearsalEngine(job, (event) => void send(event));
  const unexpected: string[] = [];
  process.on("unhandledRejection", (reason) => {
    unexpected.push(reason instanceof Error ? reason.message : String(reason));
  });
  let outputs: Record<string, unknown> = {};
  // The server the host calls back listens from the start. The host starts (a Node process loading the
  // SDK) while this process loads the SDK and the program, unless the job asks for the engine's order:
  // when the first dynamic resource needs it.
  void engine.listen();
  if (job.providerHostStart === "withProgram") await engine.warmUp();
  try {
    if (job.operation === "up") outputs = await runUp(job, engine);
    else if (job.operation === "refresh") await engine.refresh();
    else await engine.destroy();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!engine.errors.some((e) => e.endsWith(message))) unexpected.push(message);
  } finally {
    await engine.stop().catch(() => undefined);
  }
  // A program error surfaces both as a rejection and through the stack: report each message once.
  const extra = [...new Set(unexpected)].filter((m) => !engine.errors.some((e) => e.endsWith(m)));
  const errors = [...engine.errors, ...extra];
  return { kind: "done", ok: errors.length === 0, outputs, errors };
}

process.once("message", (job: RehearsalJob) => {
  void run(job).then(async (done) => {
    await send(done);
    process.exit(done.ok ? 0 : 1);
  });
});

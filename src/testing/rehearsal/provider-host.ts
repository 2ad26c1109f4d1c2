/**
 * Drives Pulumi's real dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) over gRPC, the way the
 * engine does during `pulumi up`, without a Pulumi CLI.
 *
 *   const host = await startProviderHost({ cwd?, project?, logThroughEngine?, env? });
 *   await host.configure({ "project:greeting": "hi" });           // optional: done with {} on first use
 *   const urn = urnFor("pulumi-nodejs:dynamic:Resource", "a");
 *   const { inputs, failures } = await host.check(urn, {}, { __provider, file, name });
 *   const { changes, replaces, deleteBeforeReplace } = await host.diff(id, urn, olds, news);
 *   const { id, properties, state } = await host.create(urn, inputs);
 *   const { id, properties, inputs } = await host.read(id, urn, state, inputs?);
 *   const { properties, state } = await host.update(id, urn, olds, news);
 *   await host.delete(id, urn, state);
 *   host.logs();  await host.waitForLog((e) => e.message.includes("done"));  await host.stop();
 *
 * Inputs may hold plain values, `pulumi.secret(...)` / unknown Outputs, or values already in wire form; they
 * are serialized with Pulumi's own serializer, then secrets are stripped because the host declares
 * acceptSecrets=false (exactly what the engine does). Every result carries `raw` (the protobuf response) and
 * `rawText` (its JSON) to scan for leaked plaintext; `properties` is what the host returned, `state` the same
 * with the engine's secret annotation applied (what `pulumi up` would store). Failures reject with a
 * {@link ProviderHostError} (`code`, `details`, `initFailure` for partially created resources).
 */
import { ChildProcess, spawn } from "node:child_process";
import * as readline from "node:readline";
import * as grpc from "@grpc/grpc-js";
import type * as pulumi from "@pulumi/pulumi";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { HostLogEntry, startEngineServer, type EngineServer } from "./engine-server";
import { toProviderHostError, type ProviderHostError } from "./host-error";
import { WireMap, annotateSecrets, stripSecrets, toWire } from "./wire";

export { HostLogEntry } from "./engine-server";
export { ProviderHostError, ResourceInitFailure } from "./host-error";

export interface ProviderHostOptions {
  /** Working directory of the host; `require` in provider code resolves from here. Default: `process.cwd()`. */
  cwd?: string;
  /** Project name the host reports to `configure` (config keys without a namespace get it). Default "project". */
  project?: string;
  /**
   * Set PULUMI_NODEJS_ENGINE so `pulumi.log.*` in providers reaches the in-test engine as Log calls (default
   * true). When false, providers log to stdout, which the CLI shows as plain text: both are collected.
   */
  logThroughEngine?: boolean;
  env?: Record<string, string>;
  /** How long to wait for the host to print its port. Default 20 s. */
  startTimeoutMs?: number;
  /** Deadline of each gRPC call (providers with long waits need their own, shorter ones). Default 120 s. */
  callTimeoutMs?: number;
  /**
   * A file every reply of the host is appended to, one JSON line each (`{ method, reply }` or
   * `{ method, error }`), to audit what the host sends the engine (e.g. that no secret is in clear).
   * Default: the MI_LINK_HOST_REPLY_LOG environment variable; none when unset.
   */
  replyLog?: string;
  /** Called once the host's process is spawned, before it is ready. */
  onSpawned?: () => void;
  /**
   * The engine server the host calls (its Log calls land in the server's `logs`, with the host's stdout
   * and stderr lines), already listening: the host is then spawned without waiting for a bind. Default:
   * one started here. Stopped with the host either way.
   */
  engineServer?: EngineServer;
}

type Props = Record<string, unknown>;
export type ConfigVars = Record<string, string | pulumi.Output<string>>;

export interface Raw<T> {
  raw: T;
  rawText: string;
}
export interface ConfigureResult extends Raw<provproto.ConfigureResponse> {
  acceptSecrets: boolean;
}
export interface CheckResult extends Raw<provproto.CheckResponse> {
  inputs: WireMap;
  /** `inputs` with the engine's secret annotation (secret where the new input was secret). */
  state: WireMap;
  failures: { property: string; reason: string }[];
}
export interface DiffResult extends Raw<provproto.DiffResponse> {
  changes: "some" | "none" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}
export interface CreateResult extends Raw<provproto.CreateResponse> {
  id: string;
  properties: WireMap;
  state: WireMap;
}
export interface ReadResult extends Raw<provproto.ReadResponse> {
  id: string;
  properties: WireMap;
  state: WireMap;
  inputs?: WireMap;
}
export interface UpdateResult extends Raw<provproto.UpdateResponse> {
  properties: WireMap;
  state: WireMap;
}

export interface ProviderHost {
  readonly port: number;
  readonly pid: number;
  readonly engineAddress: string;
  /** Stack config as `"<namespace>:<key>"` → value (`pulumi.secret(...)` allowed), as the engine passes it. */
  configure(vars?: ConfigVars): Promise<ConfigureResult>;
  check(urn: string, olds: Props, news: Props): Promise<CheckResult>;
  diff(id: string, urn: string, olds: Props, news: Props): Promise<DiffResult>;
  create(urn: string, props: Props): Promise<CreateResult>;
  read(id: string, urn: string, props: Props, inputs?: Props): Promise<ReadResult>;
  update(id: string, urn: string, olds: Props, news: Props): Promise<UpdateResult>;
  delete(id: string, urn: string, props: Props): Promise<void>;
  logs(): HostLogEntry[];
  /**
   * Resolves with the first log entry matching `predicate`, waiting up to `timeoutMs` (default 5 s): providers
   * usually do not await `pulumi.log.*`, so a Log call may arrive after the response of the operation.
   */
  waitForLog(predicate: (entry: HostLogEntry) => boolean, timeoutMs?: number): Promise<HostLogEntry>;
  stop(): Promise<void>;
}

/** The type token `pulumi.dynamic.Resource` registers: `pulumi-nodejs:dynamic[/<module>]:<type>`. */
export function dynamicResourceType(module?: string, type = "Resource"): string {
  return `pulumi-nodejs:dynamic${module ? `/${module}` : ""}:${type}`;
}

/** URN of a resource in the default test stack, e.g. `urnFor("pulumi-nodejs:dynamic:Resource", "db1")`. */
export function urnFor(type: string, name: string, opts: { project?: string; stack?: string } = {}): string {
  return `urn:pulumi:${opts.stack ?? "test"}::${opts.project ?? "project"}::${type}::${name}`;
}

function structOf(map: WireMap): structproto.Struct {
  return structproto.Struct.fromJavaScript(map as Record<string, structproto.JavaScriptValue>);
}

function mapOf(struct: structproto.Struct | undefined): WireMap {
  return (struct?.toJavaScript() ?? {}) as WireMap;
}

function rawText(message: { toObject(): unknown }): string {
  return JSON.stringify(message.toObject());
}

const diffChanges: Record<number, DiffResult["changes"]> = {
  [provproto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
  [provproto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
  [provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
};

/** The host's first stdout line is its port; everything after it is logging. */
function waitForPort(
  child: ChildProcess,
  stdout: readline.Interface,
  stderr: () => string,
  timeoutMs: number,
  onLogLine: (line: string) => void,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`dynamic-provider host ${why}\n${stderr()}`));
    };
    const timer = setTimeout(() => fail(`printed no port within ${timeoutMs} ms`), timeoutMs);
    child.once("exit", (code, signal) => fail(`exited (${signal ?? code}) before printing its port`));
    child.once("error", (err) => fail(`could not start: ${err.message}`));
    stdout.on("line", (line) => {
      if (settled) return onLogLine(line);
      const port = Number(line.trim());
      if (!Number.isInteger(port) || port <= 0)
        return fail(`printed ${JSON.stringify(line)} instead of a port`);
      settled = true;
      clearTimeout(timer);
      resolve(port);
    });
  });
}

/** Appends one reply (or error) of the host to `file` as a JSON line. */
function logReply(file: string, method: string, err: unknown, res: unknown): void {
  const fs: typeof import("node:fs") = require("node:fs");
  const error = err
    ? (toProviderHostError(method, err) as Partial<ProviderHostError> & { message: string })
    : undefined;
  const entry = error
    ? {
        method,
        error: {
          code: error.code,
          details: error.details ?? error.message,
          initFailure: error.initFailure ?? null,
        },
      }
    : { method, reply: (res as { toObject?: () => unknown })?.toObject?.() ?? null };
  fs.appendFileSync(file, JSON.stringify(entry) + "\n");
}

export async function startProviderHost(options: ProviderHostOptions = {}): Promise<ProviderHost> {
  const cwd = options.cwd ?? process.cwd();
  const hostScript = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js", { paths: [cwd] });
  const engine = options.engineServer ?? (await startEngineServer());
  const logs = engine.logs;
  const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_NODEJS_PROJECT: options.project ?? "project" };
  delete env.PULUMI_NODEJS_ENGINE;
  if (options.logThroughEngine ?? true) env.PULUMI_NODEJS_ENGINE = engine.address;
  Object.assign(env, options.env);

  const child = spawn(process.execPath, [hostScript, engine.address], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  options.onSpawned?.();
  const killOnExit = () => child.kill("SIGKILL");
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  process.once("exit", killOnExit);
  let stderrText = "";
  const stdoutLines = readline.createInterface({ input: child.stdout! });
  const stderrLines = readline.createInterface({ input: child.stderr! });
  stderrLines.on("line", (line) => {
    stderrText += line + "\n";
    if (line.trim()) logs.push({ source: "stderr", severity: "error", message: line });
  });

  let port: number;
  try {
    port = await waitForPort(
      child,
      stdoutLines,
      () => stderrText,
      options.startTimeoutMs ?? 20_000,
      (line) => {
        if (line.trim()) logs.push({ source: "stdout", severity: "info", message: line });
      },
    );
  } catch (error) {
    child.kill("SIGKILL");
    process.removeListener("exit", killOnExit);
    await engine.stop();
    throw error;
  }

  const replyLog = options.replyLog ?? process.env.MI_LINK_HOST_REPLY_LOG;
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  type UnaryFn<Req, Res> = (r: Req, opts: grpc.CallOptions, cb: (e: unknown, res: Res) => void) => void;
  const unary = <Req, Res>(method: string, req: Req): Promise<Res> =>
    new Promise<Res>((resolve, reject) => {
      const fn = (client as unknown as Record<string, UnaryFn<Req, Res>>)[method];
      const deadline = new Date(Date.now() + (options.callTimeoutMs ?? 120_000));
      fn.call(client, req, { deadline }, async (err, res) => {
        if (replyLog) logReply(replyLog, method, err, res);
        if (!err) return resolve(res);
        // A host that died says nothing over gRPC, and the dropped connection may be seen before its exit:
        // give it a moment, then its stderr tells why.
        if ((err as grpc.ServiceError).code === grpc.status.UNAVAILABLE) {
          await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
        }
        const exited = child.exitCode !== null || child.signalCode !== null;
        reject(toProviderHostError(method, err, exited ? stderrText : undefined));
      });
    });

  let configured: Promise<ConfigureResult> | undefined;
  let acceptSecrets = false;
  const configure = (vars: ConfigVars = {}): Promise<ConfigureResult> => {
    configured = (async () => {
      // Like the engine: plaintext in the legacy variables map, secrets still marked in args.
      const args = await toWire(vars);
      const req = new provproto.ConfigureRequest().setArgs(structOf(args));
      for (const [key, value] of Object.entries(stripSecrets(args))) {
        req.getVariablesMap().set(key, typeof value === "string" ? value : JSON.stringify(value));
      }
      req.setAcceptsecrets(true).setAcceptresources(true);
      const raw = await unary<provproto.ConfigureRequest, provproto.ConfigureResponse>("configure", req);
      acceptSecrets = raw.getAcceptsecrets();
      return { raw, rawText: rawText(raw), acceptSecrets };
    })();
    return configured;
  };
  // The engine always configures a provider before using it; so does the harness when a test did not.
  const ready = () => configured ?? configure();
  const send = async (props: Props): Promise<{ wire: WireMap; struct: structproto.Struct }> => {
    await ready();
    const wire = await toWire(props);
    return { wire, struct: structOf(acceptSecrets ? wire : stripSecrets(wire)) };
  };

  let stopped = false;
  return {
    port,
    pid: child.pid!,
    engineAddress: engine.address,
    configure,

    async check(urn, olds, news) {
      const [o, n] = [await send(olds), await send(news)];
      const req = new provproto.CheckRequest().setUrn(urn).setOlds(o.struct).setNews(n.struct);
      const raw = await unary<provproto.CheckRequest, provproto.CheckResponse>("check", req);
      const inputs = mapOf(raw.getInputs());
      const failures = raw
        .getFailuresList()
        .map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
      return { raw, rawText: rawText(raw), inputs, state: annotateSecrets(inputs, n.wire), failures };
    },

    async diff(id, urn, olds, news) {
      const [o, n] = [await send(olds), await send(news)];
      const req = new provproto.DiffRequest().setId(id).setUrn(urn).setOlds(o.struct).setNews(n.struct);
      const raw = await unary<provproto.DiffRequest, provproto.DiffResponse>("diff", req);
      return {
        raw,
        rawText: rawText(raw),
        changes: diffChanges[raw.getChanges()] ?? "unknown",
        replaces: raw.getReplacesList(),
        deleteBeforeReplace: raw.getDeletebeforereplace(),
      };
    },

    async create(urn, props) {
      const p = await send(props);
      const req = new provproto.CreateRequest().setUrn(urn).setProperties(p.struct);
      const raw = await unary<provproto.CreateRequest, provproto.CreateResponse>("create", req);
      const properties = mapOf(raw.getProperties());
      return {
        raw,
        rawText: rawText(raw),
        id: raw.getId(),
        properties,
        state: annotateSecrets(properties, p.wire),
      };
    },

    async read(id, urn, props, inputs) {
      const p = await send(props);
      const i = inputs ? await send(inputs) : undefined;
      const req = new provproto.ReadRequest().setId(id).setUrn(urn).setProperties(p.struct);
      if (i) req.setInputs(i.struct);
      const raw = await unary<provproto.ReadRequest, provproto.ReadResponse>("read", req);
      const properties = mapOf(raw.getProperties());
      const result: ReadResult = {
        raw,
        rawText: rawText(raw),
        id: raw.getId(),
        properties,
        state: annotateSecrets(properties, p.wire),
      };
      if (raw.hasInputs()) result.inputs = annotateSecrets(mapOf(raw.getInputs()), i?.wire ?? p.wire);
      return result;
    },

    async update(id, urn, olds, news) {
      const [o, n] = [await send(olds), await send(news)];
      const req = new provproto.UpdateRequest().setId(id).setUrn(urn).setOlds(o.struct).setNews(n.struct);
      const raw = await unary<provproto.UpdateRequest, provproto.UpdateResponse>("update", req);
      const properties = mapOf(raw.getProperties());
      return { raw, rawText: rawText(raw), properties, state: annotateSecrets(properties, n.wire) };
    },

    async delete(id, urn, props) {
      const p = await send(props);
      const req = new provproto.DeleteRequest().setId(id).setUrn(urn).setProperties(p.struct);
      await unary<provproto.DeleteRequest, unknown>("delete", req);
    },

    logs: () => [...logs],

    async waitForLog(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(`no matching log within ${timeoutMs} ms; got:\n${JSON.stringify(logs, null, 1)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      client.close();
      process.removeListener("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
        await exited;
        clearTimeout(timer);
      }
      await engine.stop();
    },
  };
}

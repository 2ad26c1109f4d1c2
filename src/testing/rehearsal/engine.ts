/**
 * The engine side of one rehearsal run, inside the child process: serves the program's registrations (up),
 * reads (refresh) or deletes (destroy) each resource, keeping the state file current after every step.
 *
 * Dynamic resources go through the real dynamic-provider host (check → diff → create/update/replace, the
 * engine's rules in ./engine-steps); azure-native resources go to ARM (./azure-native); components and
 * providers only enter the state.
 */
import { startEngineServer, type EngineServer } from "./engine-server";
import { ProviderHostError, startProviderHost, type ProviderHost } from "./provider-host";
import {
  destroy as destroyStep,
  refresh as refreshStep,
  up as upStep,
  type ResourceState,
} from "./engine-steps";
import {
  createAzureResource,
  deleteAzureResource,
  diffAzureInputs,
  invokeAzureFunction,
  putAzureResource,
  readAzureResource,
  refreshedAzureInputs,
  azureResourceId,
} from "./azure-native";
import type { Registration, RegistrationHandler, RegistrationResult } from "./monitor";
import { applyIgnoreChanges, kindOf, replacementTriggered } from "./registration-rules";
import type { RehearsalEvent, RehearsalJob, StepOp } from "./protocol";
import { ResourceRecord, dependencyOrder, loadState, saveState } from "./state";
import { WireMap, annotateSecrets, markSecret, secretValue } from "./wire";

function messageOf(error: unknown): string {
  if (error instanceof ProviderHostError) return error.details;
  return error instanceof Error ? error.message : String(error);
}

export class RehearsalEngine implements RegistrationHandler {
  private readonly prior: Map<string, ResourceRecord>;
  /** The state as it stands: prior records, replaced as resources register. */
  private readonly current: Map<string, ResourceRecord>;
  private readonly registered = new Set<string>();
  /**
   * Originals of resources replaced create-before-delete, deleted after every other step of the up as
   * the engine does (the link must never lose the old object before its successor is in use).
   */
  private pendingDeletes: ResourceRecord[];
  private hostPromise?: Promise<ProviderHost>;
  private startedHost?: ProviderHost;
  private engineServer?: Promise<EngineServer>;
  private logsSent = 0;
  readonly errors: string[] = [];

  constructor(
    private readonly job: RehearsalJob,
    private readonly emit: (event: RehearsalEvent) => void,
  ) {
    const loaded = loadState(job.stateFile);
    this.prior = new Map(loaded.resources.map((r) => [r.urn, r]));
    this.current = new Map(this.prior);
    this.pendingDeletes = loaded.pendingDeletes ?? [];
  }

  /** Whether the run may need the dynamic-provider host: an up, or resources of the state served by it. */
  private mayNeedHost(): boolean {
    return this.job.operation === "up" || [...this.current.values()].some((r) => r.kind === "dynamic");
  }

  /**
   * Opens the server the provider host calls back (its logs) as the run begins, as the engine's own
   * server is up before the program starts. A host started on first use is then spawned as soon as the
   * first dynamic resource registers, not once the program's thread is next idle to complete a bind.
   * Resolves once the server listens (or could not).
   */
  listen(): Promise<void> {
    if (this.mayNeedHost()) this.engineServer ??= startEngineServer();
    // A failed bind surfaces where the host is started.
    return this.engineServer?.then(() => undefined).catch(() => undefined) ?? Promise.resolve();
  }

  /**
   * Starts the dynamic-provider host now rather than at the first dynamic resource, when the run may need
   * it. Resolves once its process is spawned (or could not be), so the caller can let the host start while
   * it loads the SDK and the program.
   */
  warmUp(): Promise<void> {
    if (!this.mayNeedHost()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.host(resolve).then(
        () => resolve(),
        () => resolve(),
      );
    });
  }

  private host(onSpawned?: () => void): Promise<ProviderHost> {
    this.hostPromise ??= (async () => {
      // Node's own warnings on the host's stderr are not the providers' messages.
      const host = await startProviderHost({
        ...(this.engineServer ? { engineServer: await this.engineServer } : {}),
        cwd: this.job.hostCwd,
        project: this.job.project,
        env: { NODE_NO_WARNINGS: "1" },
        // It starts while this process loads the SDK and the program; on a loaded machine (many rehearsals
        // at once, as in the reliability suite) that can take well over the default 20 s.
        startTimeoutMs: 60_000,
        onSpawned: () => {
          this.emit({ kind: "host" });
          onSpawned?.();
        },
      });
      const vars: Record<string, string | WireMap> = {};
      for (const [key, value] of Object.entries(this.job.config)) {
        vars[key] = this.job.secretKeys.includes(key) ? (secretValue(value) as WireMap) : value;
      }
      await host.configure(vars as Record<string, string>);
      this.startedHost = host;
      return host;
    })();
    return this.hostPromise;
  }

  private arm() {
    if (!this.job.arm)
      throw new Error("this program uses azure-native resources: give the rehearsal an ARM target");
    return this.job.arm;
  }

  private save(): void {
    saveState(this.job.stateFile, {
      version: 1,
      resources: dependencyOrder([...this.current.values()]),
      ...(this.pendingDeletes.length > 0 ? { pendingDeletes: this.pendingDeletes } : {}),
    });
  }

  /** Forwards the host's new warnings and errors; never waits for a host still starting. */
  private async flushLogs(): Promise<void> {
    if (!this.startedHost) return;
    const logs = this.startedHost.logs();
    for (const entry of logs.slice(this.logsSent)) {
      if (entry.severity === "warning" || entry.severity === "error") {
        this.emit({ kind: "log", severity: entry.severity, message: entry.message, urn: entry.urn });
      }
    }
    this.logsSent = logs.length;
  }

  /** Runs `work` as one step: times it, reports it, records failures. */
  private async step<T extends { op: StepOp }>(
    record: Pick<ResourceRecord, "urn" | "type" | "name"> & { custom: boolean },
    fallbackOp: StepOp,
    work: () => Promise<T>,
  ): Promise<T> {
    const started = Date.now();
    const seconds = () => (Date.now() - started) / 1000;
    const base = {
      kind: "step" as const,
      urn: record.urn,
      type: record.type,
      name: record.name,
      custom: record.custom,
    };
    try {
      const result = await work();
      await this.flushLogs();
      this.emit({ ...base, op: result.op, seconds: seconds() });
      return result;
    } catch (error) {
      await this.flushLogs().catch(() => undefined);
      const message = messageOf(error);
      this.errors.push(`${record.type} ${record.name}: ${message}`);
      this.emit({ ...base, op: fallbackOp, seconds: seconds(), error: message });
      throw error;
    }
  }

  // ---- up ----

  async register(registration: Registration): Promise<RegistrationResult> {
    this.registered.add(registration.urn);
    const kind = kindOf(registration);
    const prior = this.prior.get(registration.urn);
    const inputs = applyIgnoreChanges(registration.inputs, prior?.inputs, registration.ignoreChanges);
    const record = (id: string, outputs: WireMap, checked = inputs): ResourceRecord => ({
      urn: registration.urn,
      type: registration.type,
      name: registration.name,
      kind,
      id,
      inputs: checked,
      outputs,
      ...(registration.parent ? { parent: registration.parent } : {}),
      dependencies: registration.dependencies,
      ...(registration.additionalSecretOutputs.length > 0
        ? { additionalSecretOutputs: registration.additionalSecretOutputs }
        : {}),
      ...(registration.replacementTrigger !== undefined
        ? { replacementTrigger: registration.replacementTrigger }
        : {}),
    });
    const replace =
      prior !== undefined && replacementTriggered(prior.replacementTrigger, registration.replacementTrigger);
    const { result } = await this.step(
      { ...registration, custom: kind !== "component" },
      prior ? "update" : "create",
      async () => {
        let next: ResourceRecord;
        let op: StepOp;
        if (kind === "component" || kind === "provider") {
          op = prior ? "same" : "create";
          next = record(
            kind === "provider" ? (prior?.id ?? `${registration.name}-id`) : "",
            kind === "provider" ? inputs : {},
          );
        } else if (kind === "dynamic") {
          ({ op, next } = await this.dynamicUp(registration, inputs, prior, record, replace));
        } else {
          ({ op, next } = await this.azureUp(registration, inputs, prior, record, replace));
        }
        this.current.set(registration.urn, next);
        this.save();
        return { op, result: { id: next.id, outputs: next.outputs } };
      },
    );
    return result;
  }

  private async dynamicUp(
    registration: Registration,
    inputs: WireMap,
    prior: ResourceRecord | undefined,
    record: (id: string, outputs: WireMap, checked?: WireMap) => ResourceRecord,
    replace: boolean,
  ): Promise<{ op: StepOp; next: ResourceRecord }> {
    const host = await this.host();
    const priorState: ResourceState | undefined =
      prior?.kind === "dynamic"
        ? {
            urn: prior.urn,
            id: prior.id,
            inputs: prior.inputs,
            outputs: prior.outputs,
            ...(prior.additionalSecretOutputs
              ? { additionalSecretOutputs: prior.additionalSecretOutputs }
              : {}),
            ...(prior.initErrors ? { initErrors: prior.initErrors } : {}),
          }
        : undefined;
    try {
      const { op, state, replaced } = await upStep(host, registration.urn, inputs, priorState, {
        additionalSecretOutputs: registration.additionalSecretOutputs,
        deferReplacedDelete: true,
        replace,
      });
      if (replaced && prior)
        this.pendingDeletes.push({ ...prior, id: replaced.id, outputs: replaced.outputs });
      return { op, next: record(state.id, state.outputs, state.inputs) };
    } catch (error) {
      // A partially created resource is kept in state, as the engine keeps it: the next up continues it.
      const failure = error instanceof ProviderHostError ? error.initFailure : undefined;
      if (failure?.id) {
        const outputs = markSecret(
          annotateSecrets(failure.properties as WireMap, inputs),
          registration.additionalSecretOutputs,
        );
        const reasons = failure.reasons.length > 0 ? failure.reasons : ["partially created"];
        this.current.set(registration.urn, { ...record(failure.id, outputs), initErrors: reasons });
        this.save();
      }
      throw error;
    }
  }

  private async azureUp(
    registration: Registration,
    inputs: WireMap,
    prior: ResourceRecord | undefined,
    record: (id: string, outputs: WireMap) => ResourceRecord,
    replace: boolean,
  ): Promise<{ op: StepOp; next: ResourceRecord }> {
    const target = this.arm();
    const { type, name } = registration;
    if (!prior || prior.kind !== "azure-native") {
      const created = await createAzureResource(target, type, name, inputs);
      return { op: "create", next: record(created.id, created.outputs) };
    }
    const plan = replace
      ? "replace"
      : diffAzureInputs(type, prior.inputs, inputs, registration.replaceOnChanges);
    if (plan === "same") return { op: "same", next: record(prior.id, prior.outputs) };
    if (plan === "update") {
      return { op: "update", next: record(prior.id, await putAzureResource(target, type, prior.id, inputs)) };
    }
    const newId = azureResourceId(target, type, inputs, name);
    if (newId === prior.id || registration.deleteBeforeReplace) {
      await deleteAzureResource(target, prior.id);
      const created = await createAzureResource(target, type, name, inputs);
      return { op: "replace", next: record(created.id, created.outputs) };
    }
    const created = await createAzureResource(target, type, name, inputs);
    this.pendingDeletes.push(prior);
    return { op: "replace", next: record(created.id, created.outputs) };
  }

  async invoke(token: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (token.startsWith("azure-native:")) return invokeAzureFunction(this.arm(), token, args);
    throw new Error(`the rehearsal does not serve the function ${token}`);
  }

  /**
   * After a successful up: the originals of replaced resources and what the program no longer declares
   * are deleted, dependents first, once every create and update is done.
   */
  async deleteUnregistered(): Promise<void> {
    const stale = [...this.current.values()].filter((r) => !this.registered.has(r.urn));
    await this.deleteAll(stale, [...this.pendingDeletes]);
  }

  /** Before an up registers anything: originals a failed up left behind are deleted first, as the engine does. */
  async retirePendingDeletes(): Promise<void> {
    await this.deleteAll([], [...this.pendingDeletes]);
  }

  // ---- destroy ----

  async destroy(): Promise<void> {
    // Originals share their URN with the current resource: they go first, on their own.
    await this.retirePendingDeletes();
    await this.deleteAll([...this.current.values()]);
  }

  /**
   * Deletes `records` (current resources) and `replaced` (pending originals), dependents first. Their
   * URNs are distinct: an original's URN is registered again, a stale resource's is not.
   */
  private async deleteAll(records: ResourceRecord[], replaced: ResourceRecord[] = []): Promise<void> {
    const originals = new Set(replaced);
    for (const record of dependencyOrder([...records, ...replaced]).reverse()) {
      const original = originals.has(record);
      const op = original ? ("delete-replaced" as const) : ("delete" as const);
      await this.step({ ...record, custom: record.kind !== "component" }, op, async () => {
        if (record.kind === "dynamic") await destroyStep(await this.host(), this.stateOf(record));
        if (record.kind === "azure-native") await deleteAzureResource(this.arm(), record.id);
        if (original) this.pendingDeletes = this.pendingDeletes.filter((r) => r !== record);
        else this.current.delete(record.urn);
        this.save();
        return { op };
      });
    }
  }

  private stateOf(record: ResourceRecord): ResourceState {
    return {
      urn: record.urn,
      id: record.id,
      inputs: record.inputs,
      outputs: record.outputs,
      ...(record.additionalSecretOutputs ? { additionalSecretOutputs: record.additionalSecretOutputs } : {}),
    };
  }

  // ---- refresh ----

  async refresh(): Promise<void> {
    for (const record of dependencyOrder([...this.current.values()])) {
      if (record.kind !== "dynamic" && record.kind !== "azure-native") continue;
      await this.step({ ...record, custom: true }, "read", async () => {
        let outputs: WireMap | undefined;
        let id = record.id;
        let inputs = record.inputs;
        if (record.kind === "dynamic") {
          const read = await refreshStep(await this.host(), this.stateOf(record));
          if (read) ({ outputs, id, inputs } = read.state);
        } else {
          outputs = await readAzureResource(this.arm(), record.type, record.id, record.inputs);
          if (outputs) inputs = refreshedAzureInputs(record.type, record.inputs, record.outputs, outputs);
        }
        if (!outputs) {
          this.current.delete(record.urn);
          this.save();
          return { op: "gone" as const };
        }
        const changed = JSON.stringify(outputs) !== JSON.stringify(record.outputs) || id !== record.id;
        this.current.set(record.urn, { ...record, id, inputs, outputs });
        this.save();
        return { op: changed ? ("drift" as const) : ("read" as const) };
      });
    }
  }

  async stop(): Promise<void> {
    if (!this.hostPromise) {
      // A server no host took (the run needed none): close it here; a host closes its own.
      const server = await this.engineServer?.catch(() => undefined);
      await server?.stop();
      return;
    }
    const host = await this.hostPromise;
    // Providers rarely await their log calls: give the last ones a moment to arrive.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await this.flushLogs();
    await host.stop();
  }
}

/**
 * The engine's steps for one custom resource, played against a {@link ProviderHost}: what `pulumi preview`,
 * `up`, `refresh` and `destroy` ask of a provider, in the engine's order, with state kept as the engine keeps
 * it (inputs and outputs, secrets re-marked).
 *
 *   let state = (await up(host, urn, { __provider, ...inputs }, undefined, { additionalSecretOutputs? })).state;
 *   const plan = await preview(host, urn, news, state);                           // check → diff: plan.op
 *   ({ state } = await up(host, urn, news, state));                               // same | update | replace
 *   const refreshed = await refresh(host, state);   // read: undefined when gone; `changed` when drifted
 *   await destroy(host, state);                                                   // delete
 *
 * Without a provider `diff` (host answers "unknown") the engine compares old and new inputs itself, so any
 * change, including new provider code in `__provider`, is an update.
 */
import { isDeepStrictEqual } from "node:util";
import { CheckResult, DiffResult, ProviderHost } from "./provider-host";
import { WireMap, markSecret } from "./wire";

export interface ResourceState {
  urn: string;
  id: string;
  /** Checked inputs, secrets marked: the engine's `inputs` of the resource. */
  inputs: WireMap;
  /** The provider's outputs, secrets re-marked: the engine's `outputs`. */
  outputs: WireMap;
  /** The resource option: these outputs are stored as secret whatever the inputs were. */
  additionalSecretOutputs?: readonly string[];
  /**
   * Why the resource is only partially created (a create or update failed carrying its id): the
   * engine updates such a resource on the next up even when the diff finds no change.
   */
  initErrors?: readonly string[];
}

export interface StepOptions {
  /** As the resource option of that name (product resources list their credential outputs). */
  additionalSecretOutputs?: readonly string[];
  /**
   * A create-before-delete replacement leaves the original for the caller to delete (returned as
   * `replaced`), as the engine deletes originals only after every other step of the update.
   */
  deferReplacedDelete?: boolean;
  /** The resource's `replacementTrigger` changed: replace it whatever the diff says. */
  replace?: boolean;
}

export type StepOp = "create" | "update" | "replace" | "same";

export interface Plan {
  op: StepOp;
  /** Checked inputs the step would apply. */
  inputs: WireMap;
  check: CheckResult;
  diff?: DiffResult;
}

export class CheckFailedError extends Error {
  constructor(
    readonly urn: string,
    readonly failures: CheckResult["failures"],
  ) {
    super(`check of ${urn} failed: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
    this.name = "CheckFailedError";
  }
}

/** `pulumi preview` for one resource: check, then diff against the prior state. Nothing is changed. */
export async function preview(
  host: ProviderHost,
  urn: string,
  news: Record<string, unknown>,
  prior?: ResourceState,
): Promise<Plan> {
  const check = await host.check(urn, prior?.inputs ?? {}, news);
  if (check.failures.length > 0) throw new CheckFailedError(urn, check.failures);
  const inputs = check.state;
  if (!prior) return { op: "create", inputs, check };
  const diff = await host.diff(prior.id, urn, prior.outputs, inputs);
  let op: StepOp;
  if (diff.replaces.length > 0) op = "replace";
  else if (diff.changes === "some") op = "update";
  else if (diff.changes === "none") op = "same";
  else op = isDeepStrictEqual(prior.inputs, inputs) ? "same" : "update";
  if (op === "same" && (prior.initErrors?.length ?? 0) > 0) op = "update";
  return { op, inputs, check, diff };
}

/** `pulumi up` for one resource: the plan of {@link preview}, then the provider calls it implies. */
export async function up(
  host: ProviderHost,
  urn: string,
  news: Record<string, unknown>,
  prior?: ResourceState,
  options: StepOptions = {},
): Promise<{ op: StepOp; state: ResourceState; plan: Plan; replaced?: ResourceState }> {
  const planned = await preview(host, urn, news, prior);
  const plan: Plan = prior && options.replace ? { ...planned, op: "replace" } : planned;
  const { inputs } = plan;
  const secretOutputs = options.additionalSecretOutputs ?? prior?.additionalSecretOutputs ?? [];
  const stateOf = (id: string, outputs: WireMap): ResourceState => ({
    urn,
    id,
    inputs,
    outputs: markSecret(outputs, secretOutputs),
    ...(secretOutputs.length > 0 ? { additionalSecretOutputs: secretOutputs } : {}),
  });
  const create = async (): Promise<ResourceState> => {
    const created = await host.create(urn, inputs);
    return stateOf(created.id, created.state);
  };
  if (!prior || plan.op === "create") return { op: "create", state: await create(), plan };
  if (plan.op === "same") return { op: "same", state: prior, plan };
  if (plan.op === "update") {
    const updated = await host.update(prior.id, urn, prior.outputs, inputs);
    return { op: "update", state: stateOf(prior.id, updated.state), plan };
  }
  if (plan.diff?.deleteBeforeReplace) {
    await host.delete(prior.id, urn, prior.outputs);
    return { op: "replace", state: await create(), plan };
  }
  const replacement = await create();
  if (options.deferReplacedDelete) return { op: "replace", state: replacement, plan, replaced: prior };
  await host.delete(prior.id, urn, prior.outputs);
  return { op: "replace", state: replacement, plan };
}

/** `pulumi refresh` for one resource: undefined when the provider reports it gone (empty id). */
export async function refresh(
  host: ProviderHost,
  state: ResourceState,
): Promise<{ state: ResourceState; changed: boolean } | undefined> {
  const read = await host.read(state.id, state.urn, state.outputs, state.inputs);
  if (read.id === "") return undefined;
  const refreshed: ResourceState = {
    ...state,
    id: read.id,
    inputs: read.inputs ?? state.inputs,
    outputs: markSecret(read.state, state.additionalSecretOutputs ?? []),
  };
  const changed = !isDeepStrictEqual(refreshed.outputs, state.outputs) || refreshed.id !== state.id;
  return { state: refreshed, changed };
}

/** `pulumi destroy` for one resource. */
export async function destroy(host: ProviderHost, state: ResourceState): Promise<void> {
  await host.delete(state.id, state.urn, state.outputs);
}

/**
 * Pulumi's mock resource monitor with registrations served for real. `MockMonitor` hands its `newResource`
 * callback only the type, name and inputs; the rehearsal also needs what the engine gets (parent,
 * dependencies, `additionalSecretOutputs`, `ignoreChanges`, `replaceOnChanges`, `deleteBeforeReplace`,
 * `replacementTrigger`) and the inputs in wire form (secrets still marked), so `registerResource` is served
 * here from the request itself.
 */
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type { WireMap, WireValue } from "./wire";

// setMockOptions and the store are internal to the SDK (no typings); setMocks uses them the same way.
const settings = require("@pulumi/pulumi/runtime/settings") as {
  setMockOptions(monitor: unknown, project?: string, stack?: string, preview?: boolean): void;
};
const runtimeState = require("@pulumi/pulumi/runtime/state") as {
  getStore(): Record<string, unknown>;
};

/** One registration as the engine sees it. */
export interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  dependencies: string[];
  /** Inputs in wire form, secrets marked. */
  inputs: WireMap;
  additionalSecretOutputs: string[];
  ignoreChanges: string[];
  /** Inputs whose change replaces the resource, as the resource option of that name. */
  replaceOnChanges: string[];
  deleteBeforeReplace: boolean;
  /** The `replacementTrigger` option's value in wire form; absent when the option is not set. */
  replacementTrigger?: WireValue;
}

export interface RegistrationResult {
  id: string;
  /** Outputs in wire form, secrets marked. */
  outputs: WireMap;
}

export interface RegistrationHandler {
  register(registration: Registration): Promise<RegistrationResult>;
  invoke(token: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): structproto.Struct | undefined;
  getDependenciesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
  hasReplacementTrigger(): boolean;
  getReplacementTrigger(): structproto.Value | undefined;
}

type Callback = (err: unknown, response: unknown) => void;

class RehearsalMonitor extends MockMonitor {
  constructor(private readonly handler: RegistrationHandler) {
    super({
      newResource: () => {
        throw new Error("registrations are served by RehearsalMonitor.registerResource");
      },
      call: (args) => handler.invoke(args.token, args.inputs as Record<string, unknown>),
    });
  }

  override async registerResource(req: RegisterRequest, callback: Callback): Promise<void> {
    try {
      const newUrn = (this as unknown as { newUrn(p: string, t: string, n: string): string }).newUrn;
      const urn = newUrn.call(this, req.getParent(), req.getType(), req.getName());
      const result = await this.handler.register({
        urn,
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        ...(req.getParent() ? { parent: req.getParent() } : {}),
        dependencies: [...new Set(req.getDependenciesList())],
        inputs: (req.getObject()?.toJavaScript() ?? {}) as WireMap,
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        ...(req.hasReplacementTrigger()
          ? { replacementTrigger: req.getReplacementTrigger()?.toJavaScript() as WireValue }
          : {}),
      });
      this.resources.set(urn, { urn, id: result.id, state: result.outputs });
      const response = new resproto.RegisterResourceResponse();
      response.setUrn(urn);
      response.setId(result.id);
      response.setObject(
        structproto.Struct.fromJavaScript(result.outputs as Record<string, structproto.JavaScriptValue>),
      );
      callback(null, response);
    } catch (error) {
      callback(error, undefined);
    }
  }
}

/**
 * Installs the rehearsal monitor as `pulumi.runtime.setMocks` installs a mock one (same feature flags), for a
 * non-preview run. Returns the monitor's registered resources (for the stack's outputs).
 */
export function installRehearsalMonitor(
  handler: RegistrationHandler,
  project: string,
  stack: string,
): MockMonitor["resources"] {
  const monitor = new RehearsalMonitor(handler);
  settings.setMockOptions(monitor, project, stack, false);
  Object.assign(runtimeState.getStore(), {
    supportsSecrets: true,
    supportsResourceReferences: true,
    supportsOutputValues: false,
    supportsDeletedWith: true,
    supportsAliasSpecs: true,
    supportsTransforms: false,
  });
  return monitor.resources;
}

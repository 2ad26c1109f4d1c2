/**
 * What the rehearsal's parent sends its child (one {@link RehearsalJob}) and what the child reports back
 * (a stream of {@link RehearsalEvent}s ending with `done`), over the Node IPC channel.
 */
import type { ArmTarget } from "./arm-client";

export type RehearsalOperation = "up" | "refresh" | "destroy";

export interface RehearsalJob {
  operation: RehearsalOperation;
  /** Program module (file or directory); not needed for refresh and destroy. */
  program?: string;
  stateFile: string;
  project: string;
  stack: string;
  /** Stack config, `"<namespace>:<key>"` → value. */
  config: Record<string, string>;
  /** Config keys whose values are secret. */
  secretKeys: string[];
  arm?: ArmTarget;
  /** Working directory of the dynamic-provider host (where `pulumi-mi-link` resolves). */
  hostCwd?: string;
  /** When the dynamic-provider host starts (RehearsalOptions.providerHostStart). */
  providerHostStart: ProviderHostStart;
}

/**
 * `withProgram`: as the run begins, while the program loads. `onFirstUse`: when the first dynamic
 * resource needs it, as the Pulumi engine loads a provider plugin once its default provider is needed.
 */
export type ProviderHostStart = "withProgram" | "onFirstUse";

export type StepOp =
  | "create"
  | "update"
  | "replace"
  | "same"
  | "delete"
  /** The original of a replaced resource, deleted once every other step of the up is done. */
  | "delete-replaced"
  | "read"
  | "drift"
  | "gone";

export interface StepEvent {
  kind: "step";
  op: StepOp;
  urn: string;
  type: string;
  name: string;
  /** True for resources a provider manages (components and the stack are false). */
  custom: boolean;
  seconds: number;
  /** Set when the step failed. */
  error?: string;
}

export interface LogEvent {
  kind: "log";
  severity: string;
  message: string;
  urn?: string;
}

export interface DoneEvent {
  kind: "done";
  ok: boolean;
  /** Stack outputs in wire form with every secret replaced by "[secret]". */
  outputs: Record<string, unknown>;
  errors: string[];
}

/** The dynamic-provider host was spawned. */
export interface HostEvent {
  kind: "host";
}

export type RehearsalEvent = StepEvent | LogEvent | HostEvent | DoneEvent;

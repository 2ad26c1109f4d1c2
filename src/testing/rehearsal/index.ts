/**
 * The local rehearsal: `up`, `refresh` and `destroy` of a Pulumi program against the emulators, with
 * Pulumi's mock runtime serving registrations for real (see ./runner).
 */
export { Rehearsal, type RehearsalOptions, type RunReport, type ProviderHostStarted } from "./runner";
export type { ArmTarget } from "./arm-client";
export type { StepEvent, LogEvent, StepOp, RehearsalOperation, ProviderHostStart } from "./protocol";
export { formatStep, displayType } from "./progress";
export { loadState, type StackState, type ResourceRecord } from "./state";

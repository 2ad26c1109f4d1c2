import { ArmError } from "./errors";

export interface FaultSpec {
  match: { method?: string; pathRegex?: RegExp | string };
  status: 429 | 409 | 500;
  /** How many matching requests fail before the fault is used up. */
  times: number;
  retryAfterSeconds?: number;
  code?: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  /** e.g. "PUT distributedAvailabilityGroups", "GET managedInstances". */
  operation: string;
  /** When the emulator answered it (after the added latency). */
  at?: Date;
}

export interface RequestCounters {
  requests: number;
  byOperation: Record<string, number>;
}

const DEFAULT_CODES: Record<FaultSpec["status"], string> = {
  429: "TooManyRequests",
  409: "AnotherOperationInProgress",
  500: "InternalServerError",
};

const DEFAULT_MESSAGES: Record<FaultSpec["status"], string> = {
  429: "The request is being throttled. Retry after the interval in the Retry-After header.",
  409: "There is an operation in progress on the resource. Retry the request when it has completed.",
  500: "An unexpected error occured while processing the request.",
};

/** Injected latency and failures, and the record of every request, for reliability tests. */
export class FaultInjector {
  private latencyMs: number;
  private readonly faults: Array<FaultSpec & { remaining: number }> = [];
  private log: RequestLogEntry[] = [];

  constructor(latencyMs = 0) {
    this.latencyMs = latencyMs;
  }

  setLatencyMs(ms: number): void {
    this.latencyMs = ms;
  }

  getLatencyMs(): number {
    return this.latencyMs;
  }

  addFault(fault: FaultSpec): void {
    this.faults.push({ ...fault, remaining: fault.times });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The error to answer this request with, if an active fault matches it. */
  takeFault(method: string, path: string): ArmError | undefined {
    const fault = this.faults.find((candidate) => {
      if (candidate.remaining <= 0) return false;
      if (candidate.match.method && candidate.match.method.toUpperCase() !== method.toUpperCase())
        return false;
      const regex = candidate.match.pathRegex;
      return !regex || new RegExp(regex).test(path);
    });
    if (!fault) return undefined;
    fault.remaining -= 1;
    const headers: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined || fault.status === 429) {
      const seconds = fault.retryAfterSeconds ?? 1;
      headers["Retry-After"] = String(Math.ceil(seconds));
      headers["retry-after-ms"] = String(Math.round(seconds * 1000));
    }
    return new ArmError(
      fault.status,
      fault.code ?? DEFAULT_CODES[fault.status],
      DEFAULT_MESSAGES[fault.status],
      headers,
    );
  }

  record(entry: RequestLogEntry): void {
    this.log.push({ at: new Date(), ...entry });
  }

  counters(): RequestCounters {
    const byOperation: Record<string, number> = {};
    for (const entry of this.log) byOperation[entry.operation] = (byOperation[entry.operation] ?? 0) + 1;
    return { requests: this.log.length, byOperation };
  }

  requestLog(): RequestLogEntry[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  resetCounters(): void {
    this.log = [];
  }
}

import { randomUUID } from "node:crypto";
import { ArmError } from "./errors";

export type OperationStatus = "InProgress" | "Succeeded" | "Failed" | "Canceled";

/** What a finished operation returns from its Location URL. */
export interface OperationResult {
  status: 200 | 204;
  /** The body, or a function rendering it in the api-version of the polling request. */
  body?: unknown;
}

export interface AsyncOperation {
  id: string;
  name: string;
  status: OperationStatus;
  startTime: Date;
  endTime?: Date;
  error?: ArmError;
  result?: OperationResult;
}

/**
 * Long-running operations: each runs its work after a delay, then reports Succeeded or
 * Failed on the Azure-AsyncOperation URL and its result on the Location URL.
 */
export class OperationTracker {
  private readonly operations = new Map<string, AsyncOperation>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly delayMs: () => number) {}

  start(name: string, work: () => OperationResult | Promise<OperationResult>): AsyncOperation {
    const operation: AsyncOperation = { id: randomUUID(), name, status: "InProgress", startTime: new Date() };
    this.operations.set(operation.id, operation);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      Promise.resolve()
        .then(work)
        .then(
          (result) => {
            operation.result = result;
            operation.status = "Succeeded";
          },
          (error: unknown) => {
            operation.error =
              error instanceof ArmError
                ? error
                : new ArmError(
                    500,
                    "InternalServerError",
                    error instanceof Error ? error.message : String(error),
                  );
            operation.status = "Failed";
          },
        )
        .finally(() => {
          operation.endTime = new Date();
        });
    }, this.delayMs());
    this.timers.add(timer);
    return operation;
  }

  get(id: string): AsyncOperation | undefined {
    return this.operations.get(id);
  }

  /** The body of GET on the Azure-AsyncOperation URL. */
  statusBody(operation: AsyncOperation): Record<string, unknown> {
    return {
      name: operation.id,
      status: operation.status,
      startTime: operation.startTime.toISOString(),
      ...(operation.endTime ? { endTime: operation.endTime.toISOString() } : {}),
      ...(operation.error ? operation.error.body() : {}),
    };
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/**
 * The retry policy of every ARM call this package makes. It replaces the SDK's
 * default retry policy, which retries 429 only three times and never retries
 * 409 AnotherOperationInProgress (Azure's answer while another operation on the
 * managed instance runs, common while a link is being created or failed over).
 * Busy answers are retried until the call's deadline; transient failures (5xx,
 * 408, network errors) a few times with backoff, also within the deadline.
 */
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { parseArmErrorBody } from "./errors";

export const ARM_RETRY_POLICY_NAME = "miLinkArmRetryPolicy";
/** Response header the policy adds: how many times the request was retried, for error messages. */
export const RETRY_COUNT_HEADER = "x-mi-link-retry-count";
/** Response header the policy adds: the seconds spent retrying, for error messages. */
export const RETRY_SECONDS_HEADER = "x-mi-link-retry-seconds";

const MIN_BUSY_WAIT_MS = 10;

/** Azure error codes of a 409 that means "busy, try again later" rather than a real conflict. */
const BUSY_CONFLICT_CODES = new Set(["AnotherOperationInProgress"]);
/** Network failures worth another attempt. */
const TRANSIENT_SYSTEM_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "REQUEST_SEND_ERROR",
]);

export interface ArmRetryOptions {
  /** How long one request may keep being retried, from its first attempt. */
  timeoutMs: number;
  /** First wait after a busy answer without Retry-After; doubles up to `maxDelayMs`. */
  retryDelayMs: number;
  maxDelayMs: number;
  /** Attempts after a transient failure (5xx, 408, network). */
  maxTransientRetries: number;
}

type Verdict = { kind: "done" } | { kind: "busy"; waitMs?: number } | { kind: "transient"; waitMs?: number };

/** A pipeline policy for the "Retry" phase: see the module comment. */
export function armRetryPolicy(options: ArmRetryOptions): PipelinePolicy {
  return {
    name: ARM_RETRY_POLICY_NAME,
    async sendRequest(request, next) {
      const started = Date.now();
      const deadline = started + options.timeoutMs;
      let busyRetries = 0;
      let transientRetries = 0;
      for (;;) {
        let response: PipelineResponse | undefined;
        let failure: unknown;
        try {
          response = await next(request);
        } catch (error) {
          failure = error;
        }
        const verdict = classify(response, failure);
        const retries = busyRetries + transientRetries;
        let waitMs: number | undefined;
        if (verdict.kind === "busy") {
          // A Retry-After of 0 on a busy answer must not turn into a tight loop until the deadline.
          waitMs = Math.max(MIN_BUSY_WAIT_MS, verdict.waitMs ?? backoff(options, busyRetries));
        } else if (verdict.kind === "transient" && transientRetries < options.maxTransientRetries) {
          waitMs = verdict.waitMs ?? backoff(options, transientRetries);
        }
        const outOfTime = waitMs === undefined || Date.now() + waitMs > deadline;
        if (verdict.kind === "done" || outOfTime || request.abortSignal?.aborted) {
          if (failure !== undefined) throw failure;
          const final = response as PipelineResponse;
          final.headers.set(RETRY_COUNT_HEADER, String(retries));
          final.headers.set(RETRY_SECONDS_HEADER, ((Date.now() - started) / 1000).toFixed(1));
          return final;
        }
        if (verdict.kind === "busy") busyRetries += 1;
        else transientRetries += 1;
        await delay(waitMs as number, request);
      }
    },
  };
}

function classify(response: PipelineResponse | undefined, failure: unknown): Verdict {
  if (!response) {
    const code = (failure as { code?: unknown } | undefined)?.code;
    const aborted = (failure as { name?: unknown } | undefined)?.name === "AbortError";
    return !aborted && typeof code === "string" && TRANSIENT_SYSTEM_CODES.has(code)
      ? { kind: "transient" }
      : { kind: "done" };
  }
  const status = response.status;
  if (status === 429) return { kind: "busy", waitMs: retryAfterMs(response) };
  if (
    status === 409 &&
    BUSY_CONFLICT_CODES.has(parseArmErrorBody(response.bodyAsText ?? undefined).code ?? "")
  ) {
    return { kind: "busy", waitMs: retryAfterMs(response) };
  }
  if (status === 408 || status === 503 || (status >= 500 && status !== 501 && status !== 505)) {
    return { kind: "transient", waitMs: retryAfterMs(response) };
  }
  return { kind: "done" };
}

/** Retry-After in milliseconds: retry-after-ms / x-ms-retry-after-ms, else Retry-After (seconds or a date). */
export function retryAfterMs(response: PipelineResponse): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value = Number(response.headers.get(name));
    if (response.headers.get(name) !== undefined && Number.isFinite(value) && value >= 0) return value;
  }
  const header = response.headers.get("retry-after");
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function backoff(options: ArmRetryOptions, attempt: number): number {
  return Math.min(options.maxDelayMs, options.retryDelayMs * 2 ** attempt);
}

function delay(ms: number, request: PipelineRequest): Promise<void> {
  return new Promise((resolve) => {
    const signal = request.abortSignal;
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}

/**
 * Retrying what is worth retrying: a connection that failed for a passing reason (the server
 * restarting, a reset socket, an Azure-style transient login error). Never a SQL error such as
 * 15232 (object exists), never a failed login, never a statement that timed out (it may still run).
 */
import {
  driverCodeOf,
  isCertificateFailure,
  isConnectionFailure,
  serverErrorsOf,
  systemCodeOf,
} from "./driver-errors";
import { SqlServerOperationError } from "./errors";

/** Server error numbers that mean "try again shortly" (SqlClient's list and Azure's throttling). */
export const TRANSIENT_ERROR_NUMBERS: readonly number[] = [
  -2, 233, 4060, 4221, 10053, 10054, 10060, 10928, 10929, 40143, 40197, 40501, 40540, 40613, 49918, 49919,
  49920,
];

const TRANSIENT_SOCKET_CODES: readonly string[] = [
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
];

function numbersOf(err: unknown): number[] {
  if (err instanceof SqlServerOperationError) return [...err.numbers];
  return serverErrorsOf(err)
    .map((d) => d.number)
    .filter((n): n is number => n !== undefined);
}

function codesOf(err: unknown): { code?: string; systemCode?: string } {
  if (err instanceof SqlServerOperationError) return { code: err.code, systemCode: err.systemCode };
  return { code: driverCodeOf(err), systemCode: systemCodeOf(err) };
}

/**
 * True when opening a connection failed for a passing reason: worth another attempt.
 * (Login failures, unresolvable hosts, untrusted certificates and SQL errors are not.)
 */
export function isTransientConnectFailure(err: unknown): boolean {
  const numbers = numbersOf(err);
  if (numbers.some((n) => TRANSIENT_ERROR_NUMBERS.includes(n))) return true;
  if (numbers.length > 0 && numbers.some((n) => n > 0)) return false;
  if (!(err instanceof SqlServerOperationError) && isCertificateFailure(err)) return false;
  const { code, systemCode } = codesOf(err);
  if (systemCode) return TRANSIENT_SOCKET_CODES.includes(systemCode);
  return code === "ESOCKET" || code === "ETIMEOUT" || code === "ECONNCLOSED";
}

/**
 * True when an idempotent read (a catalog query) failed for a passing reason: the connection
 * could not be opened or was lost. A request timeout is not retried.
 */
export function isTransientReadFailure(err: unknown): boolean {
  const { code } = codesOf(err);
  const connecting = err instanceof SqlServerOperationError ? code !== "EREQUEST" : isConnectionFailure(err);
  if (code === "ETIMEOUT" && !connecting) return false;
  return isTransientConnectFailure(err);
}

export interface RetryOptions {
  /** Attempts in all, the first included. Default 4. */
  attempts?: number;
  /** Delay before the second attempt, in milliseconds; doubled each time. Default 500. */
  initialDelayMs?: number;
  /** Longest delay between attempts. Default 8 000. */
  maxDelayMs?: number;
  /** No attempt starts after this many milliseconds from the first. Default 60 000. */
  deadlineMs?: number;
  /** Which failures to retry. Default {@link isTransientConnectFailure}. */
  isRetryable?: (err: unknown) => boolean;
  /** Called before each new attempt (for progress logs). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `operation`, retrying retryable failures with exponential backoff (jittered) within a deadline. */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const initialDelayMs = options.initialDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 8_000;
  const deadlineMs = options.deadlineMs ?? 60_000;
  const isRetryable = options.isRetryable ?? isTransientConnectFailure;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const started = now();

  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      const base = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
      // Half fixed, half random: spreads reconnecting clients without making waits unpredictable.
      const delayMs = Math.round(base / 2 + (base / 2) * random());
      if (now() - started + delayMs > deadlineMs) throw error;
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}

/**
 * A {@link ProviderHost} that keeps every raw gRPC reply of the dynamic-provider host (and every error it
 * returned), so a test can scan all of them for a secret in clear: what the engine receives from the host,
 * before it re-marks anything secret.
 */
import type { ProviderHost } from "../../support/provider-host";
import { plaintextPaths, type WireValue } from "../../support/wire";

export interface RecordedReply {
  /** `Configure`, `Check`, ... or `Create (error)` for an error reply. */
  method: string;
  /** The reply as sent (protobuf as JSON; for errors: code, details and the partial-create detail). */
  rawText: string;
  /** The reply decoded: where a secret would sit, by path. */
  decoded: Record<string, unknown>;
}

export interface RecordingHost {
  host: ProviderHost;
  replies: RecordedReply[];
}

const METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

function title(method: string): string {
  return method[0].toUpperCase() + method.slice(1);
}

/** Wraps `host`: every call's reply (or error) is appended to `replies`. */
export function recordingHost(host: ProviderHost): RecordingHost {
  const replies: RecordedReply[] = [];
  const wrapped = { ...host } as ProviderHost;
  for (const method of METHODS) {
    const original = (host[method] as (...args: unknown[]) => Promise<unknown>).bind(host);
    (wrapped as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      try {
        const result = (await original(...args)) as Record<string, unknown> | undefined;
        const { raw: _raw, rawText, ...decoded } = result ?? {};
        replies.push({ method: title(method), rawText: String(rawText ?? ""), decoded });
        return result;
      } catch (error) {
        const e = error as { code?: unknown; details?: unknown; message?: unknown; initFailure?: unknown };
        const decoded = { details: e.details ?? e.message, initFailure: e.initFailure ?? null };
        replies.push({
          method: `${title(method)} (error)`,
          rawText: JSON.stringify({ code: e.code, ...decoded }),
          decoded,
        });
        throw error;
      }
    };
  }
  return { host: wrapped, replies };
}

/**
 * Where any of `secrets` appears in clear in `replies`, as `"<Method>: <path>"` (e.g.
 * `"Create: $.properties.password"`). A reply whose raw text holds a secret at no decoded path is reported as
 * `"<Method>: <raw>"`, so nothing hides behind the decoding.
 */
export function secretsInReplies(replies: readonly RecordedReply[], secrets: string[]): string[] {
  const hits = new Set<string>();
  for (const reply of replies) {
    const paths = plaintextPaths(reply.decoded as WireValue, secrets);
    for (const path of paths) hits.add(`${reply.method}: ${path}`);
    if (paths.length === 0 && secrets.some((s) => reply.rawText.includes(s)))
      hits.add(`${reply.method}: <raw>`);
  }
  return [...hits].sort();
}

/** The methods that were called, in order, e.g. `["Configure", "Check", "Create", ...]`. */
export function methodsCalled(replies: readonly RecordedReply[]): string[] {
  return replies.map((r) => r.method);
}

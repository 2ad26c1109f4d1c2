/**
 * A minimal ARM client for the rehearsal: JSON over HTTPS with a bearer token and a trusted CA, and the
 * long-running-operation polling every Microsoft.Sql write needs (Azure-AsyncOperation first, then
 * Location, as azure-native polls them).
 *
 *   const res = await armRequest(target, "GET", "/subscriptions/.../serverTrustCertificates/x?api-version=...");
 *   const done = await armLongRunning(target, "PUT", path, body);   // resolves once the operation finished
 */
import * as https from "node:https";
import * as http from "node:http";

/** Where and how the rehearsal reaches ARM (the emulator's connection info). */
export interface ArmTarget {
  /** e.g. `https://127.0.0.1:PORT`. */
  endpoint: string;
  subscriptionId: string;
  /** PEM of the CA to trust for the endpoint's TLS certificate. */
  tlsCaPem?: string;
  /** Bearer token sent with every request. Default "rehearsal-token" (the emulator accepts any). */
  token?: string;
  /** Interval between polls of a long-running operation. Default 20 ms. */
  pollIntervalMs?: number;
  /** Deadline of one long-running operation. Default 120 s. */
  operationTimeoutMs?: number;
}

export interface ArmResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** An ARM answer that is not a success: the status and ARM's `error.code`/`error.message`. */
export class ArmRequestError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`${method} ${url} failed with HTTP ${status}${code ? ` (${code})` : ""}: ${detail}`);
    this.name = "ArmRequestError";
  }
}

function absoluteUrl(target: ArmTarget, pathOrUrl: string): URL {
  return new URL(pathOrUrl, target.endpoint);
}

/** One request; resolves with any status (callers decide what is an error). */
export function armRequest(
  target: ArmTarget,
  method: string,
  pathOrUrl: string,
  body?: unknown,
): Promise<ArmResponse> {
  const url = absoluteUrl(target, pathOrUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${target.token ?? "rehearsal-token"}`,
          accept: "application/json",
          ...(payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
        },
        ...(url.protocol === "https:" && target.tlsCaPem ? { ca: target.tlsCaPem } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = undefined;
          if (text) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Throws an {@link ArmRequestError} unless the status is 2xx. */
export function ensureSuccess(method: string, pathOrUrl: string, res: ArmResponse): ArmResponse {
  if (res.status >= 200 && res.status < 300) return res;
  const error = (res.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  throw new ArmRequestError(
    method,
    pathOrUrl,
    res.status,
    error?.code,
    error?.message ?? (typeof res.body === "string" ? res.body : JSON.stringify(res.body ?? "")),
  );
}

function headerOf(res: ArmResponse, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A write that may be long-running: 200/204 finish at once; 201/202 are polled through
 * `Azure-AsyncOperation` (until Succeeded, or an error for Failed/Canceled) or else `Location`
 * (until it stops answering 202). Resolves with the first response.
 */
export async function armLongRunning(
  target: ArmTarget,
  method: string,
  pathOrUrl: string,
  body?: unknown,
): Promise<ArmResponse> {
  const first = ensureSuccess(method, pathOrUrl, await armRequest(target, method, pathOrUrl, body));
  if (first.status !== 201 && first.status !== 202) return first;
  const asyncOperation = headerOf(first, "azure-asyncoperation");
  const location = headerOf(first, "location");
  if (!asyncOperation && !location) return first;
  const deadline = Date.now() + (target.operationTimeoutMs ?? 120_000);
  for (;;) {
    if (Date.now() > deadline) {
      throw new Error(`${method} ${pathOrUrl}: the operation did not finish within its deadline`);
    }
    await sleep(target.pollIntervalMs ?? 20);
    if (asyncOperation) {
      const poll = ensureSuccess("GET", asyncOperation, await armRequest(target, "GET", asyncOperation));
      const status = (poll.body as { status?: string } | undefined)?.status ?? "";
      if (status === "Succeeded") return first;
      if (status === "Failed" || status === "Canceled") {
        const error = (poll.body as { error?: { code?: string; message?: string } }).error;
        throw new ArmRequestError(method, pathOrUrl, 200, error?.code, error?.message ?? status);
      }
    } else if (location) {
      const poll = ensureSuccess("GET", location, await armRequest(target, "GET", location));
      if (poll.status !== 202) return first;
    }
  }
}

/**
 * ARM calls through the SDK client's pipeline (authentication, TLS settings,
 * retries): plain requests for what @azure/arm-sql 10 lacks, long-running
 * operations polled with @azure/core-lro, and the translation of every failure
 * into an {@link AzureOperationError}.
 */
import type { ServiceClient } from "@azure/core-client";
import type { RawResponse } from "@azure/core-lro";
import { operationTimeoutMs, DEFAULT_POLL_INTERVAL_MS, type AzureTarget } from "./client";
import { AzureOperationError, genericFix, parseArmErrorBody, type ArmCallContext } from "./errors";
import { RETRY_COUNT_HEADER, RETRY_SECONDS_HEADER } from "./retry-policy";

/** Operation-specific fixes for Azure error codes; the generic ones apply otherwise. */
export type FixFinder = (statusCode: number | undefined, code: string | undefined) => string | undefined;

type HeaderBag = { get(name: string): string | undefined } | Record<string, string> | undefined;

function header(headers: HeaderBag, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | undefined }).get(name);
  }
  return (headers as Record<string, string>)[name];
}

/** "(retried 5 times over 12.0 s; ...)" when the retry policy retried before giving up. */
function retryDetail(target: AzureTarget, headers: HeaderBag): string | undefined {
  const retries = Number(header(headers, RETRY_COUNT_HEADER) ?? 0);
  if (!retries) return undefined;
  const seconds = header(headers, RETRY_SECONDS_HEADER) ?? "?";
  return (
    `(retried ${retries} times over ${seconds} s; the deadline is ` +
    `${operationTimeoutMs(target) / 1000} s).`
  );
}

function fixFor(fixes: FixFinder | undefined, statusCode: number | undefined, code: string | undefined) {
  return fixes?.(statusCode, code) ?? genericFix(statusCode, code);
}

const CREDENTIAL_ERRORS = new Set([
  "CredentialUnavailableError",
  "AuthenticationError",
  "AggregateAuthenticationError",
  "AuthenticationRequiredError",
]);

/** Any failure of an ARM call (SDK RestError, credential error, network error, abort) as an AzureOperationError. */
export function toAzureOperationError(
  error: unknown,
  target: AzureTarget,
  context: ArmCallContext,
  fixes?: FixFinder,
): AzureOperationError {
  if (error instanceof AzureOperationError) return error;
  const e = (error ?? {}) as {
    name?: string;
    message?: string;
    code?: string;
    statusCode?: number;
    response?: { headers?: HeaderBag; bodyAsText?: string };
  };
  if (e.name && CREDENTIAL_ERRORS.has(e.name)) {
    return new AzureOperationError({
      context,
      detail: `No Azure token: ${firstLine(e.message)}`,
      fix:
        "sign in (az login), or configure a managed/workload identity or AZURE_CLIENT_ID/AZURE_TENANT_ID/" +
        "AZURE_CLIENT_SECRET for DefaultAzureCredential, or pass accessToken.",
    });
  }
  if (e.name === "AbortError") {
    return new AzureOperationError({
      context,
      detail: `It did not finish within its deadline of ${operationTimeoutMs(target) / 1000} s.`,
      fix:
        "the operation may still be running in Azure: check the managed instance's Activity log, then run " +
        "the deployment again once it has finished: what is done is kept and the rest continues.",
    });
  }
  if (typeof e.statusCode === "number") {
    const body = parseArmErrorBody(e.response?.bodyAsText);
    const code = body.code ?? e.code;
    return new AzureOperationError({
      context,
      statusCode: e.statusCode,
      code,
      azureMessage: body.message ?? e.message,
      detail: retryDetail(target, e.response?.headers),
      fix: fixFor(fixes, e.statusCode, code),
    });
  }
  return new AzureOperationError({
    context,
    detail: `${e.code ? `${e.code}: ` : ""}${firstLine(e.message ?? String(error))}`,
    fix: `check that ${target.armEndpoint ?? "https://management.azure.com"} is reachable from here (proxy, DNS, firewall, TLS trust).`,
  });
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0].trim();
}

/** Runs an SDK call and describes its failure. */
export async function withArmErrors<T>(
  target: AzureTarget,
  context: ArmCallContext,
  call: () => Promise<T>,
  fixes?: FixFinder,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAzureOperationError(error, target, context, fixes);
  }
}

/** An ARM answer: status, lower-case headers and the parsed JSON body. */
export interface ArmAnswer extends RawResponse {
  body?: unknown;
}

export interface ArmRequestOptions {
  body?: unknown;
  /** Statuses returned instead of thrown (404 for reads that tolerate absence). */
  accept?: readonly number[];
  fixes?: FixFinder;
  abortSignal?: AbortSignal;
}

/** One ARM request through the client's pipeline; an error answer throws an AzureOperationError. */
export async function armRequest(
  client: ServiceClient,
  target: AzureTarget,
  context: ArmCallContext,
  method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE",
  url: string,
  options: ArmRequestOptions = {},
): Promise<ArmAnswer> {
  const pipeline: typeof import("@azure/core-rest-pipeline") = require("@azure/core-rest-pipeline");
  const request = pipeline.createPipelineRequest({
    url,
    method,
    headers: pipeline.createHttpHeaders({ "Content-Type": "application/json", Accept: "application/json" }),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
  const response = await withArmErrors(target, context, () => client.sendRequest(request), options.fixes);
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) headers[name.toLowerCase()] = value;
  if (response.status >= 400 && !options.accept?.includes(response.status)) {
    const error = parseArmErrorBody(response.bodyAsText ?? undefined);
    throw new AzureOperationError({
      context,
      statusCode: response.status,
      code: error.code,
      azureMessage: error.message,
      detail: retryDetail(target, headers),
      fix: fixFor(options.fixes, response.status, error.code),
    });
  }
  let body: unknown;
  if (response.bodyAsText) {
    try {
      body = JSON.parse(response.bodyAsText);
    } catch {
      body = undefined;
    }
  }
  return { statusCode: response.status, headers, body };
}

/**
 * A long-running ARM operation (202 + Azure-AsyncOperation/Location), polled with
 * @azure/core-lro until done, within operationTimeoutSeconds. A failed operation
 * throws an AzureOperationError with the operation's own error code.
 */
export async function armLongRunning(
  client: ServiceClient,
  target: AzureTarget,
  context: ArmCallContext,
  method: "PUT" | "PATCH" | "POST" | "DELETE",
  url: string,
  options: { body?: unknown; fixes?: FixFinder } = {},
): Promise<unknown> {
  const lro: typeof import("@azure/core-lro") = require("@azure/core-lro");
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), operationTimeoutMs(target));
  let operationError: { code?: string; message?: string } | undefined;
  const send = async (verb: typeof method | "GET", path: string, body?: unknown) => {
    const answer = await armRequest(client, target, context, verb, path, {
      body,
      fixes: options.fixes,
      abortSignal: abort.signal,
    });
    const status = (answer.body as { status?: unknown } | undefined)?.status;
    const error = (answer.body as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (typeof status === "string" && /^(failed|canceled|cancelled)$/i.test(status))
      operationError = error ?? {};
    return { flatResponse: answer.body, rawResponse: answer };
  };
  try {
    const poller = await lro.createHttpPoller(
      {
        requestMethod: method,
        requestPath: url,
        sendInitialRequest: () => send(method, url, options.body),
        sendPollRequest: (path: string) => send("GET", path),
      },
      { intervalInMs: target.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS },
    );
    return await poller.pollUntilDone({ abortSignal: abort.signal });
  } catch (error) {
    if (operationError) {
      throw new AzureOperationError({
        context,
        code: operationError.code,
        azureMessage: operationError.message ?? "The operation failed.",
        detail: "(the operation was accepted, then failed).",
        fix: fixFor(options.fixes, undefined, operationError.code),
      });
    }
    throw toAzureOperationError(
      abort.signal.aborted ? { name: "AbortError" } : error,
      target,
      context,
      options.fixes,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Errors returned by the dynamic-provider host, decoded the way the engine decodes them.
 *
 *   try { await host.create(urn, props) } catch (e) {
 *     if (e instanceof ProviderHostError) e.method, e.code, e.details, e.initFailure?.id
 *   }
 *
 * The host answers a thrown error with gRPC status UNKNOWN and the error's message. When the error carried an
 * `id` (the object exists but did not finish initializing) it also packs a `pulumirpc.ErrorResourceInitFailed`
 * into the `grpc-status-details-bin` trailer; the engine then records a partially created resource.
 */
import * as grpc from "@grpc/grpc-js";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";

export interface ResourceInitFailure {
  id: string;
  properties: Record<string, unknown>;
  reasons: string[];
}

export class ProviderHostError extends Error {
  constructor(
    readonly method: string,
    /** gRPC status code (`grpc.status`). */
    readonly code: number,
    /** The status message: for errors thrown by a provider, the error's `message`. */
    readonly details: string,
    /** Present when the host reported a partially created resource. */
    readonly initFailure?: ResourceInitFailure,
  ) {
    super(`${method} failed (${grpc.status[code] ?? code}): ${details}`);
    this.name = "ProviderHostError";
  }
}

const initFailedType = "pulumirpc.ErrorResourceInitFailed";

function decodeInitFailure(metadata: grpc.Metadata | undefined): ResourceInitFailure | undefined {
  const [bytes] = metadata?.get("grpc-status-details-bin") ?? [];
  if (!bytes || typeof bytes === "string") return undefined;
  const status = statusproto.Status.deserializeBinary(new Uint8Array(bytes));
  for (const detail of status.getDetailsList()) {
    if (detail.getTypeName() !== initFailedType) continue;
    const failure = provproto.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
    return {
      id: failure.getId(),
      properties: (failure.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
      reasons: failure.getReasonsList(),
    };
  }
  return undefined;
}

/** `hostStderr`: what a host that exited printed, added to the details. */
export function toProviderHostError(method: string, error: unknown, hostStderr?: string): Error {
  const serviceError = error as Partial<grpc.ServiceError>;
  if (typeof serviceError?.code !== "number") {
    return error instanceof Error ? error : new Error(String(error));
  }
  return new ProviderHostError(
    method,
    serviceError.code,
    (serviceError.details ?? serviceError.message ?? "") +
      (hostStderr ? `\nthe host exited:\n${hostStderr}` : ""),
    decodeInitFailure(serviceError.metadata),
  );
}

/**
 * A minimal in-process Pulumi **Engine** gRPC server for tests that run the real dynamic-provider host.
 *
 *   const engine = await startEngineServer(logs?); // listens on 127.0.0.1:<random>
 *   engine.address                              // "127.0.0.1:PORT", handed to the host
 *   engine.logs                                 // every Log call received, in order
 *   await engine.stop();
 *
 * Only `Log`, `GetRootResource` and `SetRootResource` are served; everything else answers UNIMPLEMENTED,
 * which is what a provider host must tolerate anyway.
 */
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";

export type LogSeverity = "debug" | "info" | "warning" | "error";

/** One message the host (or the provider code it runs) logged. */
export interface HostLogEntry {
  /** `engine`: a Log RPC; `stdout`/`stderr`: a line the host process printed (the CLI shows those too). */
  source: "engine" | "stdout" | "stderr";
  severity: LogSeverity;
  message: string;
  /** The resource the message was attached to, if any. */
  urn?: string;
}

export interface EngineServer {
  readonly address: string;
  readonly logs: HostLogEntry[];
  stop(): Promise<void>;
}

const severities: Record<number, LogSeverity> = {
  [engproto.LogSeverity.DEBUG]: "debug",
  [engproto.LogSeverity.INFO]: "info",
  [engproto.LogSeverity.WARNING]: "warning",
  [engproto.LogSeverity.ERROR]: "error",
};

/** Starts the server; Log calls are appended to `logs` (pass an array to share it with other log sources). */
export async function startEngineServer(logs: HostLogEntry[] = []): Promise<EngineServer> {
  let rootResource = "";
  const server = new grpc.Server();
  server.addService(engrpc.EngineService, {
    log(
      call: grpc.ServerUnaryCall<engproto.LogRequest, emptyproto.Empty>,
      callback: grpc.sendUnaryData<emptyproto.Empty>,
    ) {
      const req = call.request;
      logs.push({
        source: "engine",
        severity: severities[req.getSeverity()] ?? "info",
        message: req.getMessage(),
        ...(req.getUrn() ? { urn: req.getUrn() } : {}),
      });
      callback(null, new emptyproto.Empty());
    },
    getRootResource(
      _call: grpc.ServerUnaryCall<engproto.GetRootResourceRequest, engproto.GetRootResourceResponse>,
      callback: grpc.sendUnaryData<engproto.GetRootResourceResponse>,
    ) {
      callback(null, new engproto.GetRootResourceResponse().setUrn(rootResource));
    },
    setRootResource(
      call: grpc.ServerUnaryCall<engproto.SetRootResourceRequest, engproto.SetRootResourceResponse>,
      callback: grpc.sendUnaryData<engproto.SetRootResourceResponse>,
    ) {
      rootResource = call.request.getUrn();
      callback(null, new engproto.SetRootResourceResponse());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, boundPort) =>
      err ? reject(err) : resolve(boundPort),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    logs,
    stop: () =>
      new Promise<void>((resolve) => {
        // A host that is being killed may hold a call open; force rather than wait for it.
        const timer = setTimeout(() => server.forceShutdown(), 1000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

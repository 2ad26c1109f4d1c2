/**
 * Logging from inside a provider method. The SDK is required at call time: the
 * dynamic-provider host loads its own copy of @pulumi/pulumi, connected to the engine.
 */
type Sdk = typeof import("@pulumi/pulumi");

export function logInfo(message: string): void {
  withoutCallerStack((pulumi) => pulumi.log.info(message));
}

export function logWarning(message: string): void {
  withoutCallerStack((pulumi) => pulumi.log.warn(message));
}

/**
 * The SDK records a stack trace with every log call, shown only if the call is still pending when
 * the process exits; in the provider host each trace is mapped through the source maps of its
 * frames. The host's first one cost about 50 ms of CPU, which fell on the up's last steps (the
 * links' readiness). The message and its delivery are unchanged; only that trace is left empty.
 */
function withoutCallerStack(log: (pulumi: Sdk) => Promise<void>): void {
  const pulumi: Sdk = require("@pulumi/pulumi");
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    void log(pulumi);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Logging from inside a provider method. The SDK is required at call time: the
 * dynamic-provider host loads its own copy of @pulumi/pulumi, connected to the engine.
 */
export function logInfo(message: string): void {
  const pulumi: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi");
  pulumi.log.info(message);
}

export function logWarning(message: string): void {
  const pulumi: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi");
  pulumi.log.warn(message);
}

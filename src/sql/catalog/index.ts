/** Typed catalog readers: one function per question, one round trip each. */
export * from "./availability-group";
export * from "./backup-chain";
export * from "./backup-history";
export * from "./certificate";
export * from "./certificate-chain";
export * from "./databases";
export * from "./distributed-ag";
export * from "./endpoint-and-link-connections";
export * from "./endpoint-replicas";
export * from "./endpoint-settings";
export * from "./issuer-dependents";
export * from "./link-state";
export * from "./master-key";
export * from "./mirroring-endpoint";
export * from "./server-info";
export * from "./sql-server-lookup";

/**
 * The product's SQL Server I/O layer: connections, pooling, retries, error descriptions and the
 * typed catalog readers. The driver (mssql) is loaded lazily inside functions.
 */
export * from "./connection-args";
export * from "./errors";
export * from "./execute";
export * from "./pool";
export * from "./retry";
export { scrubSecrets, REDACTED } from "./secrets";
export * from "./catalog";

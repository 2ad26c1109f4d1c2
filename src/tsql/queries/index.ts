/**
 * The product's catalog queries: constant text, values only as parameters. One per question the
 * product asks a SQL Server; the typed readers are in src/sql/catalog.
 */
export { AVAILABILITY_GROUP_QUERY } from "./availability-group";
export { BACKUP_CHAIN_QUERY } from "./backup-chain";
export { BACKUP_HISTORY_QUERY } from "./backup-history";
export { CERTIFICATE_COLUMNS, CERTIFICATE_QUERY } from "./certificate";
export { CERTIFICATE_CHAIN_QUERY } from "./certificate-chain";
export { databaseParamName, databasesQuery } from "./databases";
export { DISTRIBUTED_AG_QUERY } from "./distributed-ag";
export { ENDPOINT_AND_LINK_CONNECTIONS_QUERY, LINK_CONNECTIONS_QUERY } from "./endpoint-and-link-connections";
export { ENDPOINT_REPLICAS_QUERY } from "./endpoint-replicas";
export { LINK_STATE_QUERY } from "./link-state";
export { MASTER_KEY_QUERY } from "./master-key";
export { MIRRORING_ENDPOINT_QUERY } from "./mirroring-endpoint";
export { SERVER_INFO_QUERY } from "./server-info";
export { ENDPOINT_CERTIFICATE_CANDIDATES_QUERY, sqlServerLookupQuery } from "./sql-server-lookup";
export * from "./distributed-ags-using-ag";
export * from "./certificate-by-thumbprint";
export { ISSUER_DEPENDENTS_QUERY } from "./issuer-dependents";

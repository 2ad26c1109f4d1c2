/** The components: MiLink (the front door), SqlServerTrust (per SQL Server × MI), DatabaseLink (per database). */
export * from "./args";
export * from "./database-link";
export * from "./link-names";
export * from "./mi-link";
export * from "./preflight";
export * from "./problems";
export * from "./script";
export * from "./sql-server-info";
export * from "./sql-server-trust";
export { validateMiLinkArgs } from "./validate-args";

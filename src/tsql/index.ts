/**
 * The product's pure T-SQL layer: quoting, default names, version rules and one builder per
 * statement sent to SQL Server. No I/O.
 */
export * from "./quote";
export * from "./names";
export * from "./versions";
export * from "./urls";
export * from "./statements/recovery";
export * from "./statements/backup";
export * from "./statements/master-key";
export * from "./statements/certificates";
export * from "./statements/endpoint";
export * from "./statements/availability-group";
export * from "./statements/distributed-ag";
export * from "./root-certificates";

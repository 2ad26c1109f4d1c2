/**
 * The T-SQL front of the SQL Server emulator: a lexer, a recursive-descent parser producing a
 * typed AST, and an interpreter implementing `SqlEngine` over an `InstanceModel`.
 *
 * Language: USE, DECLARE, SET (variables and session options), SELECT (TOP, DISTINCT, FROM
 * catalog views with [LEFT] JOIN, WHERE, GROUP BY/HAVING, ORDER BY, aggregates, variable
 * assignment), IF/ELSE, BEGIN...END, WHILE/BREAK/CONTINUE, BEGIN TRY/CATCH, THROW, RAISERROR,
 * PRINT, EXEC (procedures, sp_executesql, EXEC (@sql)), WAITFOR DELAY, RETURN, transactions,
 * and the server DDL of the link (databases, backups, master key, certificates, mirroring
 * endpoint, availability groups). Anything else is error 102/156 naming the token.
 */
export { createSqlEngine } from "./engine";
export { tokenize } from "./lexer";
export { parseBatch } from "./parser";
export type { Expr, SelectStatement, Statement } from "./ast";
export type { Token } from "./tokens";

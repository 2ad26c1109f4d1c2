import { quoteString, TsqlInputError } from "../quote";

/**
 * `CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'...';` for the master database. The returned text
 * contains the password: treat it as a secret (never log it).
 * @param password the master key password (non-empty; SQL Server applies its password policy)
 */
export function buildCreateMasterKeySql(password: string): string {
  if (typeof password === "string" && password.length === 0) {
    throw new TsqlInputError("password", "is empty", "Give the database master key a strong password.");
  }
  return `CREATE MASTER KEY ENCRYPTION BY PASSWORD = ${quoteString(password, "password")};`;
}

/** `DROP MASTER KEY;` for the master database. */
export function buildDropMasterKeySql(): string {
  return "DROP MASTER KEY;";
}

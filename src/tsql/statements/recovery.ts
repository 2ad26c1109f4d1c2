import { quoteIdentifier } from "../quote";

/**
 * `ALTER DATABASE [db] SET RECOVERY FULL;` — the link (an availability group) needs the full
 * recovery model. Not allowed inside a transaction.
 * @param database the database name
 */
export function buildSetRecoveryFullSql(database: string): string {
  return `ALTER DATABASE ${quoteIdentifier(database, "database")} SET RECOVERY FULL;`;
}

/**
 * The last step of a provider's delete: the DROP statement itself.
 */
import type * as mssql from "mssql";
import { runStatement, type OperationContext } from "../../sql";

/** SQL Server's "cannot drop, it does not exist or you do not have permission". */
const OBJECT_GONE = 15151;

/**
 * Runs a DROP statement; an object dropped by someone else in the meantime (15151) counts as
 * success, since gone is what delete wants. Any other error propagates, described by
 * `runStatement` with `context`.
 */
export async function dropUnlessGone(
  pool: mssql.ConnectionPool,
  dropSql: string,
  context: OperationContext,
): Promise<void> {
  try {
    await runStatement(pool, dropSql, undefined, context);
  } catch (error) {
    if ((error as { number?: number }).number !== OBJECT_GONE) throw error;
  }
}

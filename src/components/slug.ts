/**
 * Resource-name-safe forms of database names for child resource names (`sales-sales-ag`): lower
 * case, characters other than letters, digits and `-` replaced, and a short hash appended when
 * anything was replaced so `a.b` and `a-b` stay apart. Database names compare without case on
 * SQL Server, so lower-casing never merges two distinct databases.
 */
import { createHash } from "node:crypto";

/** The child-name form of a database name. */
export function databaseSlug(database: string): string {
  const lower = database.toLowerCase();
  const safe = lower.replace(/[^a-z0-9-]/g, "-");
  if (safe === lower && safe.length <= 40) return safe;
  const hash = createHash("sha256").update(database, "utf8").digest("hex").slice(0, 6);
  return `${safe.slice(0, 40)}-${hash}`;
}

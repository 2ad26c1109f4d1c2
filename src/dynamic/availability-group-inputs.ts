/**
 * Input rules and helpers shared by the availability group, distributed availability group and
 * link readiness providers: endpoint URLs held to what SQL Server and the managed instance can
 * parse, user databases only, and case-insensitive names (the default collation).
 */
import { TsqlInputError, validateHost, validateIdentifier, validatePort } from "../tsql";

/** System databases cannot join an availability group (35249). */
const SYSTEM_DATABASES = ["master", "model", "msdb", "tempdb"];

/**
 * Validates a mirroring endpoint URL `TCP://<host>:<port>`: a DNS name, IPv4 or bracketed IPv6
 * address and a port 1-65535, nothing else (no paths, attributes or quotes).
 * @throws TsqlInputError naming `field`
 */
export function validateEndpointUrl(url: unknown, field: string): string {
  const text = validateIdentifier(url, field);
  const match = /^tcp:\/\/(.+):(\d{1,5})$/i.exec(text);
  if (!match) {
    throw new TsqlInputError(
      field,
      `"${text}" is not of the form TCP://<host>:<port>`,
      "Give the SQL Server's mirroring endpoint as TCP://<host or IP reachable from the managed instance>:<port>, e.g. TCP://10.0.0.4:5022.",
    );
  }
  validateHost(match[1], field);
  validatePort(Number(match[2]), field);
  return text;
}

/**
 * Validates the name of a user database (1-128 characters, no NUL, not a system database).
 * @throws TsqlInputError naming `field`
 */
export function validateUserDatabase(name: unknown, field = "database"): string {
  const text = validateIdentifier(name, field);
  if (SYSTEM_DATABASES.includes(text.toLowerCase())) {
    throw new TsqlInputError(
      field,
      `"${text}" is a system database`,
      "The link replicates user databases only; script system objects out instead.",
    );
  }
  return text;
}

/** SQL Server compares names case-insensitively under the default collation. */
export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
}

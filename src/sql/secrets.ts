/**
 * Removal of secrets (passwords, tokens) from text that may reach a log, a state file or an error
 * message. Driver messages can echo parts of a statement, and statements such as
 * `CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'...'` carry a secret in clear.
 */

export const REDACTED = "***";

/** `PASSWORD = N'it''s'`, `SECRET = '...'`, `TOKEN = '...'`: the literal after such an option. */
const SECRET_OPTION_LITERAL = /\b(PASSWORD|SECRET|TOKEN|PWD)(\s*=\s*)N?'(?:[^']|'')*'?/gi;
/** `Password=...;` inside connection strings. */
const SECRET_OPTION_UNQUOTED = /\b(Password|Pwd|AccessToken)(\s*=\s*)(?!')[^;'\s]+/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `text` with every known secret value (also in its quote-doubled T-SQL form) and every
 * `PASSWORD = '...'`-style literal replaced by {@link REDACTED}.
 */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let result = text;
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length === 0) continue;
    variants.add(secret);
    variants.add(secret.replace(/'/g, "''"));
  }
  // Longest first, so a secret containing another is removed whole.
  for (const value of [...variants].sort((a, b) => b.length - a.length)) {
    result = result.replace(new RegExp(escapeRegExp(value), "g"), REDACTED);
  }
  result = result.replace(SECRET_OPTION_LITERAL, (_match, option: string, equals: string) => {
    return `${option}${equals}'${REDACTED}'`;
  });
  result = result.replace(SECRET_OPTION_UNQUOTED, (_match, option: string, equals: string) => {
    return `${option}${equals}${REDACTED}`;
  });
  return result;
}

/**
 * Quoting and validation of every value that ends up inside T-SQL text.
 *
 * Identifiers cannot be sent as parameters, so DDL is built as text; these functions are the only
 * way a caller-supplied value enters that text. Each either returns a literal that the SQL Server
 * parser reads as exactly one token, or throws a {@link TsqlInputError} naming the offending field.
 *
 * Unicode quote look-alikes (U+2019 RIGHT SINGLE QUOTATION MARK, U+02BC MODIFIER LETTER APOSTROPHE,
 * U+FF07 FULLWIDTH APOSTROPHE, ...) are kept verbatim: the batch travels as UTF-16 over TDS and every
 * literal is an nvarchar `N'...'` literal, so the parser only ever ends a literal at U+0027. The
 * known smuggling attack needs a conversion to varchar (best-fit code-page mapping turns some of
 * these characters into `'`) followed by dynamic SQL; nothing built here converts to varchar.
 */

/** Longest identifier SQL Server accepts (`sysname` is nvarchar(128)). */
export const MAX_IDENTIFIER_LENGTH = 128;

/** An input that cannot be placed safely or validly into a T-SQL statement. */
export class TsqlInputError extends Error {
  /** The argument or property at fault, e.g. `database` or `endpoint.port`. */
  readonly field: string;
  /** What the caller should change. */
  readonly fix: string;

  constructor(field: string, problem: string, fix: string) {
    super(`Invalid ${field}: ${problem}. ${fix}`);
    this.name = "TsqlInputError";
    this.field = field;
    this.fix = fix;
  }
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== "string") {
    throw new TsqlInputError(
      field,
      `expected a string, got ${describe(value)}`,
      `Pass ${field} as a string.`,
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

function refuseNul(value: string, field: string): void {
  if (value.includes("\u0000")) {
    throw new TsqlInputError(
      field,
      "contains a NUL character (U+0000)",
      `Remove the NUL character from ${field}; SQL Server truncates or rejects text at NUL.`,
    );
  }
}

/**
 * Validates a SQL Server identifier (non-empty, at most 128 characters, no NUL) and returns it.
 * @param name the identifier as SQL Server stores it (unquoted)
 * @param field the argument name reported in errors
 */
export function validateIdentifier(name: unknown, field = "name"): string {
  const text = requireString(name, field);
  if (text.length === 0) {
    throw new TsqlInputError(field, "is empty", `Give ${field} a non-empty value.`);
  }
  if (text.length > MAX_IDENTIFIER_LENGTH) {
    throw new TsqlInputError(
      field,
      `is ${text.length} characters long, the limit is ${MAX_IDENTIFIER_LENGTH}`,
      `Shorten ${field} to at most ${MAX_IDENTIFIER_LENGTH} characters.`,
    );
  }
  refuseNul(text, field);
  return text;
}

/**
 * Quotes an identifier as `[` + name with every `]` doubled + `]`.
 * @param name the identifier (unquoted); 1-128 characters, no NUL
 * @param field the argument name reported in errors
 * @returns the bracket-quoted identifier, e.g. `[a]]b]` for `a]b`
 * @throws TsqlInputError when the name is empty, too long, contains NUL or is not a string
 */
export function quoteIdentifier(name: unknown, field = "name"): string {
  const text = validateIdentifier(name, field);
  return `[${text.replace(/]/g, "]]")}]`;
}

/**
 * Quotes a value as an nvarchar literal: `N'` + value with every `'` doubled + `'`.
 * @param value any text without NUL (may be empty)
 * @param field the argument name reported in errors
 * @throws TsqlInputError when the value contains NUL or is not a string
 */
export function quoteString(value: unknown, field = "value"): string {
  const text = requireString(value, field);
  refuseNul(text, field);
  return `N'${text.replace(/'/g, "''")}'`;
}

/**
 * Formats bytes as a T-SQL binary literal `0x` + upper-case hex digits.
 * @param hexOrBuffer bytes, or hex text with or without a `0x`/`0X` prefix; nothing else (no
 *   spaces, separators or odd digit counts) is accepted
 * @param field the argument name reported in errors
 * @throws TsqlInputError for empty input, non-hex characters or an odd number of digits
 */
export function binaryLiteral(hexOrBuffer: unknown, field = "blob"): string {
  if (hexOrBuffer instanceof Uint8Array) {
    if (hexOrBuffer.length === 0) {
      throw new TsqlInputError(field, "is empty", `Pass the non-empty binary value of ${field}.`);
    }
    return `0x${Buffer.from(hexOrBuffer).toString("hex").toUpperCase()}`;
  }
  const text = requireString(hexOrBuffer, field);
  const digits = /^0x/i.test(text) ? text.slice(2) : text;
  if (digits.length === 0) {
    throw new TsqlInputError(field, "is empty", `Pass the non-empty hexadecimal value of ${field}.`);
  }
  if (!/^[0-9A-Fa-f]+$/.test(digits)) {
    throw new TsqlInputError(
      field,
      "is not hexadecimal",
      `Pass ${field} as hexadecimal digits only (0-9, A-F), optionally prefixed with 0x.`,
    );
  }
  if (digits.length % 2 !== 0) {
    throw new TsqlInputError(
      field,
      `has an odd number of hexadecimal digits (${digits.length})`,
      `Pass whole bytes: two hexadecimal digits per byte.`,
    );
  }
  return `0x${digits.toUpperCase()}`;
}

/**
 * Validates a TCP port: an integer from 1 to 65535.
 * @returns the port
 * @throws TsqlInputError for anything else (0, 65536, 1.5, NaN, strings)
 */
export function validatePort(port: unknown, field = "port"): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TsqlInputError(
      field,
      `${typeof port === "number" ? String(port) : describe(port)} is not a TCP port`,
      `Use an integer from 1 to 65535 (the mirroring endpoint default is 5022).`,
    );
  }
  return port;
}

/**
 * Validates a certificate name for the link: an identifier (1-128 characters, no NUL) without `\`,
 * which the link refuses (named instances put one in `@@SERVERNAME`).
 * @returns the name
 * @throws TsqlInputError naming the field
 */
export function validateCertificateName(name: unknown, field = "certificateName"): string {
  const text = validateIdentifier(name, field);
  if (text.includes("\\")) {
    throw new TsqlInputError(
      field,
      `"${text}" contains a backslash`,
      `Certificate names used by the link must not contain "\\"; replace it, e.g. with "_".`,
    );
  }
  return text;
}

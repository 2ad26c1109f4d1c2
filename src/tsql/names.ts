/**
 * Default object names for the link, following Microsoft's conventions (`Cert_<server>_endpoint`,
 * `AG_<db>`, `AG_<db>_MI`, `DAG_<db>`), and validators for the names Azure accepts.
 *
 * The availability group names travel to Azure (the link resource's partner and instance AG
 * names, and the DAG is the link's resource name), so defaults are made Azure-valid: when the
 * database name cannot be used as is, it is sanitized and a short hash of the original name is
 * appended, which keeps two databases whose sanitized names coincide (`a-b`, `a.b`) apart.
 */
import { MAX_IDENTIFIER_LENGTH, TsqlInputError, validateIdentifier } from "./quote";

const DAG_NAME_PATTERN = /^[#a-zA-Z_][\w@#$]*$/;
const MI_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_MI_NAME_LENGTH = 63;
const HASH_LENGTH = 8;

/**
 * Describes why a name is not a valid Azure distributed availability group (link) name:
 * 1-128 characters, `^[#a-zA-Z_][\w@#$]*$` (ASCII letters, digits, `_`, `@`, `#`, `$`; not
 * starting with a digit, `@` or `$`).
 * @returns the problem, or undefined when the name is valid
 */
export function dagNameProblem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    return `is ${name.length} characters long, the limit is ${MAX_IDENTIFIER_LENGTH}`;
  }
  if (!/^[#a-zA-Z_]/.test(name)) return `must start with a letter, "_" or "#" (got "${name[0]}")`;
  const bad = [...name].find((char) => !/[\w@#$]/.test(char));
  if (bad !== undefined) return `contains "${bad}"; only letters, digits, "_", "@", "#" and "$" are allowed`;
  return DAG_NAME_PATTERN.test(name) ? undefined : "does not match ^[#a-zA-Z_][\\w@#$]*$";
}

/**
 * Describes why a name is not a valid managed instance name: 1-63 characters of lower-case
 * letters, digits and single inner hyphens.
 * @returns the problem, or undefined when the name is valid
 */
export function managedInstanceNameProblem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > MAX_MI_NAME_LENGTH) {
    return `is ${name.length} characters long, the limit is ${MAX_MI_NAME_LENGTH}`;
  }
  if (!MI_NAME_PATTERN.test(name)) {
    return "must be lower-case letters and digits, optionally separated by single hyphens (^[a-z0-9]+(?:-[a-z0-9]+)*$)";
  }
  return undefined;
}

/**
 * Returns the name when it is a valid Azure DAG / availability group name.
 * @throws TsqlInputError naming the field, with the rule in the fix
 */
export function validateDagName(name: unknown, field = "dagName"): string {
  const text = validateIdentifier(name, field);
  const problem = dagNameProblem(text);
  if (problem) {
    throw new TsqlInputError(
      field,
      `"${text}" ${problem}`,
      'Use 1-128 characters: letters, digits, "_", "@", "#", "$", starting with a letter, "_" or "#".',
    );
  }
  return text;
}

/**
 * Returns the name when it is a valid managed instance name.
 * @throws TsqlInputError naming the field, with the rule in the fix
 */
export function validateManagedInstanceName(name: unknown, field = "managedInstanceName"): string {
  if (typeof name !== "string") {
    throw new TsqlInputError(field, `expected a string, got ${typeof name}`, `Pass ${field} as a string.`);
  }
  const problem = managedInstanceNameProblem(name);
  if (problem) {
    throw new TsqlInputError(
      field,
      `"${name}" ${problem}`,
      "Use the managed instance's short name (the first label of its host name), e.g. sqlmi1.",
    );
  }
  return name;
}

function shortHash(text: string): string {
  // Required here, not imported: this module is serialized by value into dynamic providers.
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, HASH_LENGTH);
}

/**
 * Builds `<prefix><core><suffix>` when that is a valid DAG-style name; otherwise replaces every
 * disallowed character of core with `_`, shortens it to fit and inserts `_<hash of core>`.
 */
function azureSafeName(prefix: string, core: string, suffix: string): string {
  const plain = `${prefix}${core}${suffix}`;
  if (dagNameProblem(plain) === undefined) return plain;
  const tag = `_${shortHash(core)}`;
  const room = MAX_IDENTIFIER_LENGTH - prefix.length - suffix.length - tag.length;
  const sanitized = [...core]
    .map((char) => (/[\w@#$]/.test(char) ? char : "_"))
    .join("")
    .slice(0, room);
  return `${prefix}${sanitized}${tag}${suffix}`;
}

function requireDatabaseName(database: unknown): string {
  return validateIdentifier(database, "database");
}

/**
 * Default name of the availability group on SQL Server: `AG_<db>`, made Azure-valid when needed.
 * @param database the database name
 */
export function defaultAgName(database: string): string {
  return azureSafeName("AG_", requireDatabaseName(database), "");
}

/**
 * Default name of the availability group on the managed instance: `AG_<db>_MI`, made Azure-valid
 * when needed.
 * @param database the database name
 */
export function defaultMiAgName(database: string): string {
  return azureSafeName("AG_", requireDatabaseName(database), "_MI");
}

/**
 * Default name of the distributed availability group (the link): `DAG_<db>`, made Azure-valid
 * when needed.
 * @param database the database name
 */
export function defaultDagName(database: string): string {
  return azureSafeName("DAG_", requireDatabaseName(database), "");
}

/**
 * Default name of the SQL Server endpoint certificate: `Cert_<server>_endpoint`, as Microsoft's
 * script derives it from `@@SERVERNAME`, with the `\` of a named instance (`HOST\INSTANCE`)
 * replaced by `_` because the link refuses certificate names containing `\`. Names that would
 * exceed 128 characters are shortened and tagged with a hash of the server name.
 * @param serverName the value of `@@SERVERNAME`
 */
export function defaultEndpointCertificateName(serverName: string): string {
  const server = validateIdentifier(serverName, "serverName");
  const safe = server.replace(/\\/g, "_");
  const plain = `Cert_${safe}_endpoint`;
  if (plain.length <= MAX_IDENTIFIER_LENGTH) return plain;
  const tag = `_${shortHash(server)}`;
  const room = MAX_IDENTIFIER_LENGTH - "Cert_".length - "_endpoint".length - tag.length;
  return `Cert_${safe.slice(0, room)}${tag}_endpoint`;
}

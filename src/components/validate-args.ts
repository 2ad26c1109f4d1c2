/**
 * Validation of MiLink's arguments: pure, no network, run before anything is registered. Values
 * that are Outputs or Promises cannot be judged now; they are skipped here and checked by the
 * resources that receive them (every dynamic provider validates its inputs in `check`).
 */
import { dagNameProblem } from "../tsql/names";
import { TsqlInputError, validateIdentifier } from "../tsql/quote";
import { DEFAULTS, type MiLinkArgs } from "./args";
import { ArgProblems, isLater } from "./arg-problems";
import { masterKeyPasswordProblems } from "./credential-config";
import { hostPreparationProblems } from "./host-preparation";
import type { Problem } from "./problems";
import { resolveLinkNames } from "./link-names";
import { parseRotationWindow } from "../dynamic/certificates/rotation";
import { checkManagedInstance, checkSqlServer } from "./validate-connection-args";
import { cutoverAndLogBackupProblems } from "./validate-cutover-args";

const SYSTEM_DATABASES = ["master", "model", "msdb", "tempdb"];
const INITIAL_PRIMARIES = ["SqlServer", "ManagedInstance"];
const FAILOVER_MODES = ["None", "Manual"];
const REPLICATION_MODES = ["Async", "Sync"];
const WAIT_STATES = ["CONNECTED", "SYNCHRONIZING", "SYNCHRONIZED"];
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Every problem of `args`, one entry per problem, naming the argument and the fix.
 * @param now the current time (certificate expiry must be after it)
 */
export function validateMiLinkArgs(args: MiLinkArgs, now: Date = new Date()): Problem[] {
  const problems = new ArgProblems();
  if (typeof args !== "object" || args === null) {
    problems.add("args", "are missing", "Pass { sqlServer, managedInstance, databases, masterKeyPassword }.");
    return problems.list;
  }
  checkSqlServer(args, problems);
  checkManagedInstance(args, problems);
  const databasesValid = checkDatabases(args, problems);
  checkOptions(args, problems, now);
  if (databasesValid) checkLinkNames(args, problems);
  return [...problems.list, ...hostPreparationProblems(args.hostPreparation)];
}

/** @returns whether every database name is usable (so default link names can be derived). */
function checkDatabases(args: MiLinkArgs, problems: ArgProblems): boolean {
  const databases = args.databases as unknown;
  if (!Array.isArray(databases) || databases.length === 0) {
    problems.add(
      "databases",
      Array.isArray(databases) ? "is empty" : "must be a list of database names",
      'List the user databases to link, e.g. ["Sales"] (plain strings: one link is created per database).',
    );
    return false;
  }
  if (databases.length > DEFAULTS.maxLinks) {
    problems.add(
      "databases",
      `lists ${databases.length} databases; a managed instance holds at most ${DEFAULTS.maxLinks} links`,
      "Split the databases over several managed instances.",
    );
  }
  let valid = true;
  const seen = new Map<string, number>();
  databases.forEach((db: unknown, i) => {
    const field = `databases[${i}]`;
    if (isLater(db)) {
      problems.add(
        field,
        "is an Output or Promise",
        "Pass database names as plain strings: one link is created per database.",
      );
      valid = false;
      return;
    }
    if (!problems.tsql(field, () => validateIdentifier(db, field))) {
      valid = false;
      return;
    }
    const name = db as string;
    if (SYSTEM_DATABASES.includes(name.toLowerCase())) {
      problems.add(
        field,
        `"${name}" is a system database, which the link cannot replicate`,
        "Link user databases only.",
      );
      valid = false;
    }
    if (args.initialPrimary === "ManagedInstance" && /[\];]/.test(name)) {
      problems.add(
        field,
        `"${name}" contains "]" or ";", which the managed instance's listener URL cannot carry`,
        "Rename the database, or make SQL Server the initial primary.",
      );
    }
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      problems.add(field, `"${name}" is listed twice (also databases[${first}])`, "List each database once.");
      valid = false;
    } else {
      seen.set(key, i);
    }
  });
  return valid;
}

function checkOptions(args: MiLinkArgs, problems: ArgProblems, now: Date): void {
  problems.list.push(...masterKeyPasswordProblems(args, isLater));
  problems.oneOf("initialPrimary", args.initialPrimary, INITIAL_PRIMARIES);
  problems.oneOf("failoverMode", args.failoverMode, FAILOVER_MODES);
  problems.oneOf("replicationMode", args.replicationMode, REPLICATION_MODES);
  problems.oneOf("waitFor", args.waitFor, WAIT_STATES);
  problems.oneOf("primary", args.primary, INITIAL_PRIMARIES);
  for (const key of ["cutover", "forceFailoverAllowDataLoss"] as const) {
    const value = args[key];
    if (value !== undefined && !isLater(value) && typeof value !== "boolean") {
      problems.add(key, "must be true or false", `Leave ${key} out (false) or pass true.`);
    }
  }
  for (const p of cutoverAndLogBackupProblems(args)) problems.add(p.field, p.problem, p.fix);
  if (args.preflight !== undefined && typeof args.preflight !== "boolean") {
    problems.add(
      "preflight",
      "must be true or false",
      "Leave it out (true) or pass false to skip the checks.",
    );
  }
  if (args.waitTimeoutSeconds !== undefined && !isLater(args.waitTimeoutSeconds)) {
    const t = args.waitTimeoutSeconds;
    if (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > 6 * 24 * 3600) {
      problems.add(
        "waitTimeoutSeconds",
        `${JSON.stringify(t)} is not a number of seconds`,
        "Use a whole number from 1 to 518400 (6 days).",
      );
    }
  }
  if (args.rotateCertificateBefore !== undefined) {
    try {
      parseRotationWindow(args.rotateCertificateBefore);
    } catch (error) {
      const { fix } = error as TsqlInputError;
      problems.add(
        "rotateCertificateBefore",
        `${JSON.stringify(args.rotateCertificateBefore)} is not a number of days`,
        fix,
      );
    }
  }
  const expiry = args.certificateExpiry;
  if (expiry !== undefined && !isLater(expiry)) {
    const match = typeof expiry === "string" ? DAY.exec(expiry) : null;
    const day = match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) : undefined;
    if (!day || day.toISOString().slice(0, 10) !== expiry) {
      problems.add(
        "certificateExpiry",
        `${JSON.stringify(expiry)} is not a date`,
        "Use YYYY-MM-DD, e.g. 2028-12-31.",
      );
    } else if (day.getTime() <= now.getTime()) {
      problems.add(
        "certificateExpiry",
        `${expiry} is in the past; the link fails once a certificate expires`,
        "Choose a day in the future, or leave it out (2 years from creation).",
      );
    }
  }
}

function checkLinkNames(args: MiLinkArgs, problems: ArgProblems): void {
  const overrides = args.links ?? {};
  if (typeof overrides !== "object" || overrides === null) {
    problems.add(
      "links",
      "must be an object keyed by database",
      'Use e.g. { Sales: { dagName: "DAG_Sales2" } }.',
    );
    return;
  }
  for (const key of Object.keys(overrides)) {
    if (!args.databases.includes(key)) {
      problems.add(
        `links.${key}`,
        `"${key}" is not one of the databases`,
        "Key the overrides by a listed database name.",
      );
      continue;
    }
    for (const kind of ["agName", "miAgName", "dagName"] as const) {
      const value = (overrides[key] as Record<string, unknown>)[kind];
      if (value === undefined) continue;
      const problem = typeof value === "string" ? dagNameProblem(value) : "is not a string";
      if (problem) {
        problems.add(
          `links.${key}.${kind}`,
          `${JSON.stringify(value)} ${problem}`,
          'Use 1-128 characters: letters, digits, "_", "@", "#", "$", starting with a letter, "_" or "#".',
        );
      }
    }
  }
  if (problems.list.some((p) => p.field.startsWith("links."))) return;
  const owner = new Map<string, { database: string; kind: string }>();
  for (const names of resolveLinkNames(args.databases, overrides)) {
    for (const kind of ["agName", "miAgName", "dagName"] as const) {
      const key = names[kind].toLowerCase();
      const other = owner.get(key);
      if (other !== undefined) {
        problems.add(
          `links.${names.database}.${kind}`,
          `"${names[kind]}" is also the ${other.kind} of database "${other.database}"`,
          "Give every availability group and link its own name.",
        );
      } else {
        owner.set(key, { database: names.database, kind });
      }
    }
  }
}

/**
 * Validation of MiLink's arguments: pure, no network, run before anything is registered. Values
 * that are Outputs or Promises cannot be judged now; they are skipped here and checked by the
 * resources that receive them (every dynamic provider validates its inputs in `check`).
 */
import * as pulumi from "@pulumi/pulumi";
import { PULUMI_UNKNOWN_VALUE, validateConnectionArgs } from "../sql/connection-args";
import { dagNameProblem, managedInstanceNameProblem } from "../tsql/names";
import { TsqlInputError, validateIdentifier, validatePort } from "../tsql/quote";
import { validateHost } from "../tsql/urls";
import { DEFAULTS, type MiLinkArgs } from "./args";
import {
  credentialReferenceProblems,
  masterKeyPasswordProblems,
  type CredentialNames,
} from "./credential-config";
import { hostPreparationProblems } from "./host-preparation";
import type { Problem } from "./problems";
import { resolveLinkNames } from "./link-names";
import { parseRotationWindow } from "../dynamic/certificates/rotation";
import { cutoverAndLogBackupProblems } from "./validate-cutover-args";

const SYSTEM_DATABASES = ["master", "model", "msdb", "tempdb"];
const INITIAL_PRIMARIES = ["SqlServer", "ManagedInstance"];
const FAILOVER_MODES = ["None", "Manual"];
const REPLICATION_MODES = ["Async", "Sync"];
const AUTHENTICATION_TYPES = ["default", "ntlm", "azure-active-directory-access-token"];
const WAIT_STATES = ["CONNECTED", "SYNCHRONIZING", "SYNCHRONIZED"];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a value is only known later (an Output or a Promise) and cannot be judged now. */
function isLater(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/** The value when known now; the Pulumi unknown sentinel otherwise (what the SQL layer skips). */
function nowOrUnknown<T>(value: pulumi.Input<T> | undefined): T | string | undefined {
  return isLater(value) ? PULUMI_UNKNOWN_VALUE : (value as T | undefined);
}

class Problems {
  readonly list: Problem[] = [];

  add(field: string, problem: string, fix: string): void {
    this.list.push({ field, problem, fix });
  }

  /** Runs a src/tsql validator and records its TsqlInputError under `field`. */
  tsql(field: string, validate: () => unknown): boolean {
    try {
      validate();
      return true;
    } catch (error) {
      if (!(error instanceof TsqlInputError)) throw error;
      const problem = error.message.replace(/^Invalid [^:]*: /, "").replace(` ${error.fix}`, "");
      this.add(field, problem.replace(/\.$/, ""), error.fix);
      return false;
    }
  }

  oneOf(field: string, value: unknown, allowed: readonly string[]): void {
    if (value === undefined || isLater(value)) return;
    if (typeof value !== "string" || !allowed.includes(value)) {
      this.add(
        field,
        `${JSON.stringify(value)} is not allowed`,
        `Use one of: ${allowed.map((a) => `"${a}"`).join(", ")}.`,
      );
    }
  }
}

/**
 * Every problem of `args`, one entry per problem, naming the argument and the fix.
 * @param now the current time (certificate expiry must be after it)
 */
export function validateMiLinkArgs(args: MiLinkArgs, now: Date = new Date()): Problem[] {
  const problems = new Problems();
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

function checkSqlServer(args: MiLinkArgs, problems: Problems): void {
  const sql = args.sqlServer;
  if (typeof sql !== "object" || sql === null) {
    problems.add(
      "sqlServer",
      "is required",
      "Pass { host, user, password, endpointHost } of the SQL Server.",
    );
    return;
  }
  const password = checkCredentialReference(problems, "sqlServer", sql.password, sql.passwordConfig, {
    valueKey: "password",
    configKey: "passwordConfig",
    what: "the SQL login's password",
  });
  const accessToken = checkCredentialReference(
    problems,
    "sqlServer",
    sql.accessToken,
    sql.accessTokenConfig,
    {
      valueKey: "accessToken",
      configKey: "accessTokenConfig",
      what: "the Microsoft Entra access token",
    },
  );
  problems.oneOf("sqlServer.authenticationType", sql.authenticationType, AUTHENTICATION_TYPES);
  const authType = nowOrUnknown(sql.authenticationType) ?? "default";
  const known = AUTHENTICATION_TYPES.includes(authType as string);
  const failures = validateConnectionArgs({
    host: nowOrUnknown(sql.host) as string,
    port: nowOrUnknown(sql.port) as number,
    encrypt: nowOrUnknown(sql.encrypt) as boolean,
    trustServerCertificate: nowOrUnknown(sql.trustServerCertificate) as boolean,
    user: nowOrUnknown(sql.user) as string,
    password: password as string,
    authentication:
      !known || authType === "default" || authType === PULUMI_UNKNOWN_VALUE
        ? undefined
        : authType === "ntlm"
          ? {
              type: "ntlm",
              domain: nowOrUnknown(sql.domain) as string,
              userName: nowOrUnknown(sql.user) as string,
              password: password as string,
            }
          : { type: "azure-active-directory-access-token", token: accessToken as string },
  });
  const passwordField = sql.passwordConfig === undefined ? "sqlServer.password" : "sqlServer.passwordConfig";
  const fieldOf: Record<string, string> = {
    password: passwordField,
    "authentication.domain": "sqlServer.domain",
    "authentication.userName": "sqlServer.user",
    "authentication.password": passwordField,
    "authentication.token":
      sql.accessTokenConfig === undefined ? "sqlServer.accessToken" : "sqlServer.accessTokenConfig",
  };
  for (const failure of failures) {
    problems.add(
      fieldOf[failure.field] ?? `sqlServer.${failure.field}`,
      failure.reason,
      "Correct it; the connection is how this program reaches SQL Server over TDS.",
    );
  }
  if (sql.endpointHost === undefined) {
    problems.add(
      "sqlServer.endpointHost",
      "is required",
      "Give the DNS name or IP address the managed instance uses to reach SQL Server's mirroring endpoint.",
    );
  } else if (!isLater(sql.endpointHost)) {
    problems.tsql("sqlServer.endpointHost", () => validateHost(sql.endpointHost, "sqlServer.endpointHost"));
  }
  if (sql.endpointPort !== undefined && !isLater(sql.endpointPort)) {
    problems.tsql("sqlServer.endpointPort", () => validatePort(sql.endpointPort, "sqlServer.endpointPort"));
  }
  if (sql.endpointName !== undefined && !isLater(sql.endpointName)) {
    problems.tsql("sqlServer.endpointName", () =>
      validateIdentifier(sql.endpointName, "sqlServer.endpointName"),
    );
  }
  const algorithms = sql.endpointAlgorithms;
  if (algorithms !== undefined && !isLater(algorithms)) {
    const list = algorithms as unknown[];
    if (!Array.isArray(list) || list.length === 0 || list.some((a) => a !== "AES" && a !== "RC4")) {
      problems.add(
        "sqlServer.endpointAlgorithms",
        'must be a list of "AES" and "RC4"',
        'Use ["AES"] (or ["AES", "RC4"]).',
      );
    } else if (!list.includes("AES")) {
      problems.add(
        "sqlServer.endpointAlgorithms",
        "does not include AES, which the link requires",
        'Add "AES".',
      );
    }
  }
}

function checkManagedInstance(args: MiLinkArgs, problems: Problems): void {
  const mi = args.managedInstance;
  if (typeof mi !== "object" || mi === null) {
    problems.add(
      "managedInstance",
      "is required",
      "Pass { resourceGroupName, name } of the managed instance.",
    );
    return;
  }
  checkCredentialReference(problems, "managedInstance", mi.accessToken, mi.accessTokenConfig, {
    valueKey: "accessToken",
    configKey: "accessTokenConfig",
    what: "an ARM access token",
  });
  if (mi.name === undefined) {
    problems.add(
      "managedInstance.name",
      "is required",
      "Give the managed instance's short name, e.g. sqlmi1.",
    );
  } else if (!isLater(mi.name)) {
    const problem = typeof mi.name === "string" ? managedInstanceNameProblem(mi.name) : "is not a string";
    if (problem) {
      problems.add(
        "managedInstance.name",
        `${JSON.stringify(mi.name)} ${problem}`,
        "Use the managed instance's short name (the first label of its host name), e.g. sqlmi1.",
      );
    }
  }
  if (mi.resourceGroupName === undefined) {
    problems.add(
      "managedInstance.resourceGroupName",
      "is required",
      "Give the managed instance's resource group.",
    );
  } else if (!isLater(mi.resourceGroupName)) {
    const rg = mi.resourceGroupName;
    if (typeof rg !== "string" || !RESOURCE_GROUP.test(rg) || rg.endsWith(".")) {
      problems.add(
        "managedInstance.resourceGroupName",
        `${JSON.stringify(rg)} is not a resource group name`,
        "Use 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'.",
      );
    }
  }
  if (mi.subscriptionId !== undefined && !isLater(mi.subscriptionId)) {
    if (typeof mi.subscriptionId !== "string" || !GUID.test(mi.subscriptionId)) {
      problems.add(
        "managedInstance.subscriptionId",
        `${JSON.stringify(mi.subscriptionId)} is not a subscription id`,
        "Use the subscription's GUID, e.g. 00000000-0000-0000-0000-000000000000.",
      );
    }
  }
  if (mi.armEndpoint !== undefined && !isLater(mi.armEndpoint)) {
    let ok = false;
    try {
      ok = new URL(String(mi.armEndpoint)).protocol === "https:";
    } catch {
      ok = false;
    }
    if (!ok) {
      problems.add(
        "managedInstance.armEndpoint",
        `${JSON.stringify(mi.armEndpoint)} is not an https URL`,
        "Use https://management.azure.com (or your cloud's Resource Manager endpoint).",
      );
    }
  }
}

/** @returns whether every database name is usable (so default link names can be derived). */
function checkDatabases(args: MiLinkArgs, problems: Problems): boolean {
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

/** Stands for a credential the stack config holds: validation only asks whether there is one. */
const FROM_CONFIG = "<from stack config>";

/**
 * Records the problems of a credential given as a value or by config reference; returns what
 * connection validation should see: the value (or the unknown sentinel), {@link FROM_CONFIG}.
 */
function checkCredentialReference(
  problems: Problems,
  prefix: string,
  value: pulumi.Input<string> | undefined,
  key: string | undefined,
  names: CredentialNames,
): unknown {
  if (key === undefined) return nowOrUnknown(value);
  const found = credentialReferenceProblems(prefix, value !== undefined, key, names);
  problems.list.push(...found);
  if (value !== undefined) return nowOrUnknown(value);
  // A reference reported here is not also "missing" to connection validation.
  return found.length > 0 ? PULUMI_UNKNOWN_VALUE : FROM_CONFIG;
}

function checkOptions(args: MiLinkArgs, problems: Problems, now: Date): void {
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

function checkLinkNames(args: MiLinkArgs, problems: Problems): void {
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

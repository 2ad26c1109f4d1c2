/**
 * Validation of where MiLink connects: `sqlServer` (the TDS connection, its credentials and the
 * mirroring endpoint's settings) and `managedInstance` (its names, subscription and Resource
 * Manager endpoint). Pure, run with the other argument checks before anything is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { PULUMI_UNKNOWN_VALUE, validateConnectionArgs } from "../sql/connection-args";
import { managedInstanceNameProblem } from "../tsql/names";
import { validateIdentifier, validatePort } from "../tsql/quote";
import { validateHost } from "../tsql/urls";
import type { MiLinkArgs } from "./args";
import { ArgProblems, isLater, nowOrUnknown } from "./arg-problems";
import { credentialReferenceProblems, type CredentialNames } from "./credential-config";

const AUTHENTICATION_TYPES = ["default", "ntlm", "azure-active-directory-access-token"];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;

/** Records the problems of `sqlServer`: its connection, credentials and mirroring endpoint settings. */
export function checkSqlServer(args: MiLinkArgs, problems: ArgProblems): void {
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

/** Records the problems of `managedInstance`: its names, credential, subscription and ARM endpoint. */
export function checkManagedInstance(args: MiLinkArgs, problems: ArgProblems): void {
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

/** Stands for a credential the stack config holds: validation only asks whether there is one. */
const FROM_CONFIG = "<from stack config>";

/**
 * Records the problems of a credential given as a value or by config reference; returns what
 * connection validation should see: the value (or the unknown sentinel), {@link FROM_CONFIG}.
 */
function checkCredentialReference(
  problems: ArgProblems,
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

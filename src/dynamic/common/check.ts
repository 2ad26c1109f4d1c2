/**
 * `check` helpers: validation only, no network. Every failure names the
 * property at fault. Values still unknown during preview are skipped; they are
 * checked again when known.
 */
import { validateConnectionArgs } from "../../sql/connection-args";
import { ConfigReferenceError, secretOrConfig } from "./config";
import {
  connectionArgsWith,
  resolveCredentials,
  type ConnectionInputs,
  type Credentials,
} from "./connection";

/** The sentinel Pulumi passes for a value not yet known during preview. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CheckFailure {
  property: string;
  reason: string;
}

export function isUnknown(value: unknown): boolean {
  if (value === UNKNOWN_VALUE) return true;
  if (Array.isArray(value)) return value.some(isUnknown);
  if (value !== null && typeof value === "object" && !Buffer.isBuffer(value)) {
    return Object.values(value).some(isUnknown);
  }
  return false;
}

/** Collects failures from validators that throw errors carrying a `field` (TsqlInputError). */
export class FailureCollector {
  readonly failures: CheckFailure[] = [];

  /** Runs `validate` on `value` unless it is unknown; a thrown error becomes a failure of `property`. */
  check(property: string, value: unknown, validate: (value: never) => unknown): void {
    if (isUnknown(value)) return;
    try {
      validate(value as never);
    } catch (error) {
      const e = error as { field?: string; message?: string };
      this.failures.push({ property, reason: String(e.message ?? error) });
    }
  }

  /** Records a failure when `condition` is false (and the value is known). */
  require(property: string, value: unknown, condition: boolean, reason: string): void {
    if (isUnknown(value)) return;
    if (!condition) this.failures.push({ property, reason });
  }

  add(property: string, reason: string): void {
    this.failures.push({ property, reason });
  }
}

/** Maps a field of the SQL layer's connection arguments to the resource property that carries it. */
const CONNECTION_FIELD_TO_PROPERTY: Record<string, string> = {
  host: "connection.host",
  port: "connection.port",
  user: "connection.user",
  password: "password",
  encrypt: "connection.encrypt",
  trustServerCertificate: "connection.trustServerCertificate",
  connectTimeoutMs: "connection.connectTimeoutMs",
  requestTimeoutMs: "connection.requestTimeoutMs",
  "authentication.type": "connection.authenticationType",
  "authentication.domain": "connection.domain",
  "authentication.userName": "connection.user",
  "authentication.password": "password",
  "authentication.token": "accessToken",
};

/** Validates the connection inputs (syntax and completeness only). */
export function checkConnectionInputs(inputs: Partial<ConnectionInputs>, collector: FailureCollector): void {
  if (!inputs.connection || typeof inputs.connection !== "object") {
    collector.add("connection", "is required: the SQL Server host, port and authentication to use");
    return;
  }
  const credentialInputs = [
    inputs.password,
    inputs.accessToken,
    inputs.passwordConfig,
    inputs.accessTokenConfig,
  ];
  if (isUnknown(inputs.connection) || credentialInputs.some(isUnknown)) return;
  const credentials = checkCredentials(inputs, collector);
  if (!credentials) return;
  for (const failure of validateConnectionArgs(connectionArgsWith(inputs as ConnectionInputs, credentials))) {
    collector.add(
      CONNECTION_FIELD_TO_PROPERTY[failure.field] ?? `connection.${failure.field}`,
      failure.reason,
    );
  }
}

/**
 * The credentials, read from the stack config where given by reference (configure runs before
 * check, so a missing key fails here, in preview, before anything changes). Undefined, with the
 * failure recorded, when a reference cannot be resolved.
 */
export function checkCredentials(
  inputs: Partial<ConnectionInputs>,
  collector: FailureCollector,
): Credentials | undefined {
  try {
    return resolveCredentials(inputs);
  } catch (error) {
    if (!(error instanceof ConfigReferenceError)) throw error;
    collector.add(error.property, error.reason);
    return undefined;
  }
}

/**
 * A secret given as a value or by config reference (`secretOrConfig`), checked: a reference the
 * stack config does not hold, or both forms at once, becomes a failure of the property at fault.
 * Unknown (preview) inputs are skipped.
 */
export function checkSecretReference(
  inputs: object,
  valueKey: string,
  configKey: string,
  what: string,
  collector: FailureCollector,
): void {
  const record = inputs as Record<string, unknown>;
  if (isUnknown(record[valueKey]) || isUnknown(record[configKey])) return;
  try {
    secretOrConfig(inputs, valueKey, configKey, what);
  } catch (error) {
    if (!(error instanceof ConfigReferenceError)) throw error;
    collector.add(error.property, error.reason);
  }
}

/**
 * The ids a link's readiness or first log backup follows, when given: `linkId`, the identifier Azure
 * returned for the link, and `groupDatabaseId`, the database's `group_database_id` in its availability
 * group. Strings; an empty one is accepted (it only means no identifier to follow), so that an answer
 * of Azure's or SQL Server's never blocks an up.
 */
export function checkFollowedIds(
  news: { linkId?: unknown; groupDatabaseId?: unknown },
  collector: FailureCollector,
): void {
  collector.require(
    "linkId",
    news.linkId,
    news.linkId == null || typeof news.linkId === "string",
    "must be the Azure link's distributedAvailabilityGroupId (a string), or left out",
  );
  collector.require(
    "groupDatabaseId",
    news.groupDatabaseId,
    news.groupDatabaseId == null || typeof news.groupDatabaseId === "string",
    "must be the database's group_database_id in its availability group (a string), or left out",
  );
}

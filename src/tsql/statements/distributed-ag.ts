import { quoteIdentifier, quoteString, TsqlInputError, validateIdentifier } from "../quote";
import { miListenerUrl } from "../urls";
import { supportsTsqlDagFailover, type InitialPrimary, type ProductVersion } from "../versions";
import { quoteEndpointUrl } from "./availability-group";

export type AvailabilityMode = "ASYNCHRONOUS_COMMIT" | "SYNCHRONOUS_COMMIT";

export interface CreateDistributedAgSpec {
  dagName: string;
  /** The availability group on SQL Server. */
  agName: string;
  /** The availability group the managed instance creates for the link. */
  miAgName: string;
  /** The SQL Server mirroring endpoint URL as the MI reaches it, see endpointUrl(). */
  sqlServerListenerUrl: string;
  miFqdn: string;
  miName: string;
  /** The replicated database; carried in the MI listener URL when the MI is the initial primary. */
  database: string;
  initialPrimary: InitialPrimary;
  /** Defaults to ASYNCHRONOUS_COMMIT, the link's normal mode. */
  availabilityMode?: AvailabilityMode;
  /** Seconds; defaults to 20 as in Microsoft's runbook; at least 5. */
  sessionTimeout?: number;
}

const MODES: readonly string[] = ["ASYNCHRONOUS_COMMIT", "SYNCHRONOUS_COMMIT"];

function checkedMode(mode: string | undefined, field: string): AvailabilityMode {
  const value = mode ?? "ASYNCHRONOUS_COMMIT";
  if (!MODES.includes(value)) {
    throw new TsqlInputError(
      field,
      `"${value}" is not an availability mode`,
      "Use ASYNCHRONOUS_COMMIT or SYNCHRONOUS_COMMIT.",
    );
  }
  return value as AvailabilityMode;
}

function checkedSessionTimeout(seconds: number | undefined): number {
  const value = seconds ?? 20;
  if (!Number.isInteger(value) || value < 5 || value > 2_147_483_647) {
    throw new TsqlInputError(
      "sessionTimeout",
      `${String(value)} is not a number of seconds of at least 5`,
      "Use an integer of at least 5 (default 20).",
    );
  }
  return value;
}

/** An AG name inside DAG DDL, where it is a string literal rather than an identifier. */
function agLiteral(name: string, field: string): string {
  return quoteString(validateIdentifier(name, field), field);
}

function member(
  agLiteralText: string,
  listenerUrl: string,
  mode: AvailabilityMode,
  sessionTimeout?: number,
): string {
  const options = [
    `LISTENER_URL = ${listenerUrl}`,
    `AVAILABILITY_MODE = ${mode}`,
    "FAILOVER_MODE = MANUAL",
    "SEEDING_MODE = AUTOMATIC",
  ];
  if (sessionTimeout !== undefined) options.push(`SESSION_TIMEOUT = ${sessionTimeout}`);
  return [`    ${agLiteralText} WITH`, "    (", options.map((o) => `        ${o}`).join(",\n"), "    )"].join(
    "\n",
  );
}

/**
 * The link's distributed availability group on SQL Server. The initial primary's AG is listed
 * first; the MI's listener URL is `tcp://<fqdn>:5022;Server=[<mi>]`, plus `;Database=[<db>]` when
 * the MI is the initial primary. AG names and URLs are string literals here. Runs in master.
 */
export function buildCreateDistributedAgSql(spec: CreateDistributedAgSpec): string {
  const dag = quoteIdentifier(spec.dagName, "dagName");
  const mode = checkedMode(spec.availabilityMode, "availabilityMode");
  const timeout = checkedSessionTimeout(spec.sessionTimeout);
  if (spec.initialPrimary !== "SqlServer" && spec.initialPrimary !== "ManagedInstance") {
    throw new TsqlInputError(
      "initialPrimary",
      `"${String(spec.initialPrimary)}" is not SqlServer or ManagedInstance`,
      "Use SqlServer or ManagedInstance.",
    );
  }
  const miFirst = spec.initialPrimary === "ManagedInstance";
  validateIdentifier(spec.database, "database");
  const miUrl = miListenerUrl(spec.miFqdn, spec.miName, miFirst ? spec.database : undefined);
  const sqlMember = member(
    agLiteral(spec.agName, "agName"),
    quoteEndpointUrl(spec.sqlServerListenerUrl, "sqlServerListenerUrl"),
    mode,
    timeout,
  );
  const miMember = member(
    agLiteral(spec.miAgName, "miAgName"),
    quoteEndpointUrl(miUrl, "miListenerUrl"),
    mode,
  );
  const members = miFirst ? [miMember, sqlMember] : [sqlMember, miMember];
  return [
    `CREATE AVAILABILITY GROUP ${dag}`,
    "WITH (DISTRIBUTED)",
    "AVAILABILITY GROUP ON",
    `${members.join(",\n")};`,
  ].join("\n");
}

export interface SetDagAvailabilityModeSpec {
  dagName: string;
  agName: string;
  miAgName: string;
  availabilityMode: AvailabilityMode;
}

/**
 * Switches both members of the link's DAG to one availability mode (SYNCHRONOUS_COMMIT before a
 * planned failover, ASYNCHRONOUS_COMMIT afterwards).
 */
export function buildSetDagAvailabilityModeSql(spec: SetDagAvailabilityModeSpec): string {
  const mode = checkedMode(spec.availabilityMode, "availabilityMode");
  return [
    `ALTER AVAILABILITY GROUP ${quoteIdentifier(spec.dagName, "dagName")}`,
    "MODIFY",
    "AVAILABILITY GROUP ON",
    `    ${agLiteral(spec.agName, "agName")} WITH (AVAILABILITY_MODE = ${mode}),`,
    `    ${agLiteral(spec.miAgName, "miAgName")} WITH (AVAILABILITY_MODE = ${mode});`,
  ].join("\n");
}

/**
 * `ALTER AVAILABILITY GROUP [dag] FAILOVER;` — planned failover of the link, run on the primary
 * once both sides are synchronized. SQL Server 2022 CU13 (16.0.4125.3) and later only.
 * @param version when given, refuse versions that lack the statement
 */
export function buildDagFailoverSql(dagName: string, version?: string | ProductVersion): string {
  if (version !== undefined && !supportsTsqlDagFailover(version)) {
    throw new TsqlInputError(
      "version",
      "this SQL Server cannot fail the link over with T-SQL (needs SQL Server 2022 CU13 16.0.4125.3 or later)",
      "Use the Azure failover action, or upgrade SQL Server.",
    );
  }
  return `ALTER AVAILABILITY GROUP ${quoteIdentifier(dagName, "dagName")} FAILOVER;`;
}

/**
 * `ALTER AVAILABILITY GROUP [dag] FORCE_FAILOVER_ALLOW_DATA_LOSS;` — forced failover, run on the
 * secondary; may lose data and leave both sides primary.
 */
export function buildForceFailoverSql(dagName: string): string {
  return `ALTER AVAILABILITY GROUP ${quoteIdentifier(dagName, "dagName")} FORCE_FAILOVER_ALLOW_DATA_LOSS;`;
}

/**
 * `ALTER AVAILABILITY GROUP [dag] SET (ROLE = SECONDARY);` — resolves split brain after a forced
 * failover by making this side the secondary.
 */
export function buildSetDagRoleSecondarySql(dagName: string): string {
  return `ALTER AVAILABILITY GROUP ${quoteIdentifier(dagName, "dagName")} SET (ROLE = SECONDARY);`;
}

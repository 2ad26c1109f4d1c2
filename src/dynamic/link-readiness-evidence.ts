/**
 * What one observation of a link says from SQL Server's side (the managed instance's member
 * connection, the database's synchronization, automatic seeding), whether that meets what is
 * waited for, and, when it does not, the evidence and the likely fix (mi-link reference §5).
 */
import type { LinkState } from "../sql";
import { sameName } from "./availability-group-inputs";

/** What readiness waits for, from least to most. */
export type LinkReadinessLevel = "CONNECTED" | "SYNCHRONIZING" | "SYNCHRONIZED";

export const READINESS_LEVELS: readonly LinkReadinessLevel[] = ["CONNECTED", "SYNCHRONIZING", "SYNCHRONIZED"];

/** One observation of the link, flattened for outputs, logs and errors. */
export interface LinkObservation {
  /** False when the distributed availability group does not exist. */
  dagExists: boolean;
  /** The managed instance member's connection: CONNECTED, DISCONNECTED; null when unknown. */
  connectedState: string | null;
  /** The secondary copy of the database: SYNCHRONIZING, SYNCHRONIZED, 'NOT SYNCHRONIZING', ...; null when unknown. */
  synchronizationState: string | null;
  /** 0-100 while or after seeding; null when unknown. */
  seedingProgressPercent: number | null;
  /** The newest seeding attempt's state (e.g. SEEDING, COMPLETED, FAILED) and failure. */
  seedingState: string | null;
  seedingFailure: string | null;
  seedingErrorCode: number | null;
  /** numeric(25,0) as decimal text. */
  lastHardenedLsn: string | null;
  lastConnectErrorNumber: number | null;
  lastConnectErrorDescription: string | null;
}

/** Flattens the catalog's view of the link for `database`. */
export function observeLink(state: LinkState | null, database: string): LinkObservation {
  if (!state) {
    return {
      dagExists: false,
      connectedState: null,
      synchronizationState: null,
      seedingProgressPercent: null,
      seedingState: null,
      seedingFailure: null,
      seedingErrorCode: null,
      lastHardenedLsn: null,
      lastConnectErrorNumber: null,
      lastConnectErrorDescription: null,
    };
  }
  const remote = state.replicas.find((replica) => !replica.isLocal);
  const rows = state.databases.filter((row) => row.database === null || sameName(row.database, database));
  // The secondary's row tells how far replication is, whichever side is primary.
  const secondary = rows.find((row) => !row.isPrimaryReplica) ?? rows.find((row) => !row.isLocal) ?? rows[0];
  const seeding = state.seeding[0];
  return {
    dagExists: true,
    connectedState: remote?.connectedState ?? null,
    synchronizationState: secondary?.synchronizationState ?? null,
    seedingProgressPercent: seeding?.progressPercent ?? null,
    seedingState: seeding?.currentState ?? null,
    seedingFailure: seeding?.failureState ?? null,
    seedingErrorCode: seeding?.errorCode ?? null,
    lastHardenedLsn: secondary?.lastHardenedLsn ?? null,
    lastConnectErrorNumber: remote?.lastConnectError?.number ?? null,
    lastConnectErrorDescription: remote?.lastConnectError?.description ?? null,
  };
}

/** Whether the observation meets `level`. */
export function isReady(observation: LinkObservation, level: LinkReadinessLevel): boolean {
  if (observation.connectedState !== "CONNECTED") return false;
  const sync = observation.synchronizationState;
  if (level === "CONNECTED") return true;
  if (level === "SYNCHRONIZING") return sync === "SYNCHRONIZING" || sync === "SYNCHRONIZED";
  return sync === "SYNCHRONIZED";
}

/** The fix for a link error number (mi-link reference §5). */
const FIXES: Record<number, string> = {
  41962:
    "The link was not initiated within 5 minutes: check the network path (MI subnet NSG inbound 5022 and " +
    "11000-11999 from SQL Server, outbound 5022 to it; SQL Server firewall inbound 5022 from the MI subnet) " +
    "and that the partner endpoint's host resolves from the managed instance.",
  41973:
    "The SQL Server endpoint certificate is not imported on the managed instance: upload its public key as a " +
    "server trust certificate (serverTrustCertificates).",
  41974:
    "The managed instance's certificate is not imported on SQL Server: create it FROM BINARY under exactly the " +
    "managed instance's FQDN, import the MicrosoftPKI and DigiCertPKI roots bound to *.database.windows.net, and " +
    "check the chain with sp_validate_certificate_ca_chain.",
  41976:
    "The availability group is not responding: check that the AG and the DAG exist on SQL Server with the names the link uses.",
  41986:
    "The connection failed: check the network, the mirroring endpoint (STARTED, AES, certificate authentication) and the certificates.",
  47521: "The request was not received: check the network between SQL Server and the managed instance.",
  41977: "The target database is not responsive: check the database on the managed instance and retry.",
  1408: "The log was truncated during seeding: drop and recreate the link, and avoid log backups until seeding completes.",
  1412: "The log was truncated during seeding: drop and recreate the link, and avoid log backups until seeding completes.",
};

function fixFor(observation: LinkObservation): string {
  if (!observation.dagExists) {
    return "Create the distributed availability group on SQL Server (and the link in Azure) before waiting for it.";
  }
  // A connection error is stale once the replica is connected again.
  const connectError = observation.connectedState === "CONNECTED" ? null : observation.lastConnectErrorNumber;
  const known = [connectError, observation.seedingErrorCode]
    .map((n) => (n === null ? undefined : FIXES[n]))
    .find((fix) => fix !== undefined);
  if (known) return known;
  if (observation.connectedState !== "CONNECTED") {
    return (
      "The managed instance has not connected: check that the link exists in Azure, the network path on port " +
      "5022, and the certificates on both sides."
    );
  }
  return (
    "The link is connected but the database has not caught up: seeding may still be running (large database, " +
    "slow network); raise timeoutSeconds, and check that no log backup truncated the log during seeding."
  );
}

/** The evidence of an observation as one sentence, for logs and errors. */
export function describeObservation(observation: LinkObservation): string {
  if (!observation.dagExists) return "the distributed availability group does not exist";
  const parts = [
    `managed instance replica ${observation.connectedState ?? "state unknown"}`,
    `database ${observation.synchronizationState ?? "not yet replicating"}`,
  ];
  if (observation.seedingState) {
    const progress =
      observation.seedingProgressPercent === null ? "" : ` ${observation.seedingProgressPercent}%`;
    const failure = observation.seedingFailure ? `, failure ${observation.seedingFailure}` : "";
    const code = observation.seedingErrorCode ? `, error ${observation.seedingErrorCode}` : "";
    parts.push(`seeding ${observation.seedingState}${progress}${failure}${code}`);
  }
  const hasError = observation.lastConnectErrorNumber !== null || observation.lastConnectErrorDescription;
  if (hasError && observation.connectedState !== "CONNECTED") {
    const description = (observation.lastConnectErrorDescription ?? "").replace(/\.\s*$/, "");
    parts.push(`last connection error ${observation.lastConnectErrorNumber ?? "?"}: ${description}`.trim());
  }
  return parts.join("; ");
}

/** The message of a wait that ran out of time: what was awaited, the evidence, and the fix. */
export function timeoutMessage(
  dagName: string,
  database: string,
  level: LinkReadinessLevel,
  seconds: number,
  observation: LinkObservation,
): string {
  return (
    `The link [${dagName}] for database [${database}] did not become ${level} within ${seconds} s: ` +
    `${describeObservation(observation)}. ${fixFor(observation)}`
  );
}

/**
 * The wait before a planned failover: with its own deadline, at most one observation per poll
 * interval, until the database is SYNCHRONIZED and the last hardened LSN is equal on both sides
 * and has not moved for `lsnStableSeconds` (the workload has stopped and the secondary has all of
 * it). Progress is logged when it changes; a timeout carries the evidence.
 */
import type * as mssql from "mssql";
import type { AzureTarget } from "../../azure/client";
import { logInfo } from "../common/log";
import { describeRoles, lsnDifference, observeLinkRoles, type LinkRoleObservation } from "./observe";

export interface SynchronizationWait {
  pool: mssql.ConnectionPool;
  target: AzureTarget;
  dagName: string;
  database: string;
  timeoutSeconds: number;
  lsnStableSeconds: number;
  /** Default 1000; never less. */
  pollIntervalMs?: number;
}

/** The link did not reach a state safe for a planned failover in time. */
export class SynchronizationTimeoutError extends Error {
  constructor(
    readonly dagName: string,
    readonly timeoutSeconds: number,
    readonly observation: LinkRoleObservation,
  ) {
    const gap = lsnDifference(
      observation.sqlServerLastHardenedLsn,
      observation.managedInstanceLastHardenedLsn,
    );
    super(
      `The link [${dagName}] was not safe to fail over within ${timeoutSeconds} s: ${describeRoles(observation)}` +
        (gap !== null && gap !== "0" ? `; the LSNs differ by ${gap}` : "") +
        ". Nothing was failed over and the configured replication mode was restored. Stop the workload on the " +
        "primary, check that the secondary is connected and keeps up (log send and redo queues), then run " +
        "`pulumi up` again, or raise synchronizationTimeoutSeconds.",
    );
    this.name = "SynchronizationTimeoutError";
  }
}

const MIN_POLL_MS = 1000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Whether the observation is ready for a failover: SYNCHRONIZED and both LSNs equal. */
export function isSynchronized(o: LinkRoleObservation): boolean {
  return (
    o.synchronizationState === "SYNCHRONIZED" &&
    o.sqlServerLastHardenedLsn !== null &&
    o.sqlServerLastHardenedLsn === o.managedInstanceLastHardenedLsn
  );
}

/** Waits until {@link isSynchronized} has held, on the same LSN, for `lsnStableSeconds`. */
export async function waitUntilSynchronized(wait: SynchronizationWait): Promise<LinkRoleObservation> {
  const intervalMs = Math.max(MIN_POLL_MS, wait.pollIntervalMs ?? MIN_POLL_MS);
  const deadline = Date.now() + wait.timeoutSeconds * 1000;
  const label = `Link [${wait.dagName}] (database [${wait.database}])`;
  let stableSince: number | undefined;
  let stableLsn: string | null = null;
  let reported = "";
  for (;;) {
    const polledAt = Date.now();
    const o = await observeLinkRoles(wait.pool, wait.target, wait.dagName, wait.database);
    if (isSynchronized(o)) {
      if (stableSince === undefined || stableLsn !== o.sqlServerLastHardenedLsn) {
        stableSince = polledAt;
        stableLsn = o.sqlServerLastHardenedLsn;
      }
      if (polledAt - stableSince >= wait.lsnStableSeconds * 1000) {
        logInfo(`${label}: synchronized, both sides at LSN ${stableLsn} for ${wait.lsnStableSeconds} s.`);
        return o;
      }
    } else {
      stableSince = undefined;
    }
    const summary = isSynchronized(o)
      ? `synchronized at LSN ${stableLsn}; waiting for it to stay unchanged for ${wait.lsnStableSeconds} s`
      : `waiting for SYNCHRONIZED with equal LSNs: ${describeRoles(o)}`;
    if (summary !== reported) {
      logInfo(`${label}: ${summary}.`);
      reported = summary;
    }
    const next = polledAt + intervalMs;
    if (next >= deadline) throw new SynchronizationTimeoutError(wait.dagName, wait.timeoutSeconds, o);
    await sleep(next - Date.now());
  }
}

/**
 * Helpers for the availability group, distributed availability group and link readiness provider
 * tests: T-SQL as the administrator (out-of-band changes, catalog snapshots) and the re-run
 * convergence loop (a fault at each statement of create, then create again).
 */
import type { SqlServerEmulator } from "../../../src/testing/sqlserver";
import type { RequestLogEntry } from "../../../src/testing/sqlserver/tds-server";
import { up, type ResourceState } from "../../support/engine-steps";
import { ProviderHostError, type ProviderHost } from "../../support/provider-host";
import { adminBatch } from "./emulator";

type Rows = Record<string, unknown>[];

/** Runs a batch as the emulator's administrator; returns every result set. */
export async function adminQuery(emulator: SqlServerEmulator, sqlText: string): Promise<Rows[]> {
  const result = await adminBatch(emulator, sqlText);
  return (result.recordsets as unknown as Rows[]).map((set) => [...set]);
}

/** The availability groups as the catalog shows them, without ids and dates, sorted. */
export async function agCatalog(emulator: SqlServerEmulator): Promise<unknown> {
  const [groups = [], replicas = [], databases = []] = await adminQuery(
    emulator,
    `SELECT name, is_distributed, cluster_type_desc FROM sys.availability_groups ORDER BY name;
     SELECT ag.name AS ag, r.replica_server_name, r.endpoint_url, r.availability_mode_desc,
            r.failover_mode_desc, r.seeding_mode_desc, r.session_timeout
       FROM sys.availability_replicas r JOIN sys.availability_groups ag ON ag.group_id = r.group_id
       ORDER BY ag.name, r.replica_server_name;
     SELECT ag.name AS ag, adc.database_name FROM sys.availability_databases_cluster adc
       JOIN sys.availability_groups ag ON ag.group_id = adc.group_id ORDER BY ag.name, adc.database_name;`,
  );
  return { groups, replicas, databases };
}

/** The statements a step sent, without the driver's own (login SET batch, pool validation). */
export function productStatements(log: RequestLogEntry[]): RequestLogEntry[] {
  return log.filter(
    (entry) => !/^\s*SELECT 1;?\s*$/i.test(entry.text) && !/^set (textsize|ansi_nulls)/i.test(entry.text),
  );
}

export interface ConvergenceRun {
  label: string;
  /** The faulted create failed. */
  failed: boolean;
  /** It failed after the object existed (recorded as partially created, finished by update). */
  partial: boolean;
  catalog: unknown;
}

export interface ConvergenceCase {
  host: ProviderHost;
  emulator: SqlServerEmulator;
  urn: string;
  inputs: () => Record<string, unknown>;
  /** Puts the catalog back to where create starts. */
  reset: () => Promise<void>;
  /**
   * The statements to inject faults into: a fault-free create's request log entries (counters
   * reset right after `reset`, as here, so request numbers match).
   */
  statements: RequestLogEntry[];
}

/**
 * For each statement and each fault kind: inject the fault at the statement, run create (it may
 * fail or succeed), then run it again without faults as the engine would (update of a partially
 * created resource, otherwise create); returns the catalog after each pair.
 */
export async function convergenceRuns(c: ConvergenceCase): Promise<ConvergenceRun[]> {
  const results: ConvergenceRun[] = [];
  for (const [index, statement] of c.statements.entries()) {
    for (const action of ["error", "drop"] as const) {
      await c.reset();
      c.emulator.tds.clearFaults();
      c.emulator.tds.resetCounters();
      c.emulator.tds.addFault({ on: { requestNumber: statement.n }, action, times: 1 });
      let state: ResourceState | undefined;
      let partial: { id: string; properties: Record<string, unknown> } | undefined;
      let failed = false;
      try {
        state = (await up(c.host, c.urn, c.inputs())).state;
      } catch (error) {
        failed = true;
        partial = error instanceof ProviderHostError ? error.initFailure : undefined;
      }
      c.emulator.tds.clearFaults();
      const hit = c.emulator.tds.requestLog().find((entry) => entry.n === statement.n);
      if (hit?.text !== statement.text) {
        throw new Error(
          `request ${statement.n} was ${hit?.text ?? "not sent"}, not the statement of the fault-free run`,
        );
      }
      if (partial) {
        // The engine keeps a partially created resource and finishes it with update.
        const checked = await c.host.check(c.urn, {}, c.inputs());
        await c.host.update(partial.id, c.urn, partial.properties, checked.state);
      } else if (!state) {
        await up(c.host, c.urn, c.inputs());
      }
      results.push({
        label: `${action} at statement ${index + 1} (${statement.text.split("\n")[0]})`,
        failed,
        partial: partial !== undefined,
        catalog: await agCatalog(c.emulator),
      });
    }
  }
  return results;
}

#!/usr/bin/env node
/**
 * `npm run demo [-- --json] [--example <name>]`: the SQL Server → Managed Instance example
 * (examples/sqlserver-to-mi, or another of examples/) rehearsed end to end against the local emulators: up,
 * wait until every link is connected and healthy, a second up (which must change nothing), destroy, then a
 * comparison of both sides with what was there before.
 *
 * With `--json` the output ends with one line:
 * `{"created":N,"links":{"<db>":{"connectedState":…,"synchronizationState":…}},"secondUpChanges":0,
 *   "credentialsInState":0,"destroyed":N,"leftovers":[],"retained":[]}` (`retained`: certificates a program marks
 *   `dropOnDelete: false`, kept on delete by design; the examples mark none, so destroy must leave nothing).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readLinkState } from "../sql/catalog/link-state";
import { withOneShotConnection } from "../sql/pool";
import { defaultDagName } from "../tsql/names";
import { Rehearsal, RunReport, type ProviderHostStart } from "./rehearsal";
import { leftovers, snapshotWorld } from "./rehearsal/snapshot";
import { StackState, loadState } from "./rehearsal/state";
import { LocalWorld, startLocalWorld } from "./world";

const packageRoot = path.resolve(__dirname, "..", "..");

export interface DemoOptions {
  /** Program to rehearse. Default: examples/sqlserver-to-mi of this package. */
  program?: string;
  /** Databases the program links. Default ["Sales"]. */
  databases?: string[];
  /** Databases present on SQL Server at start. Default: `databases` (for the MI → SQL Server direction, none). */
  sqlServerDatabases?: string[];
  /** Pulumi project name. Default "mi-link-sqlserver-to-mi". */
  project?: string;
  /** SQL Server version the emulator reports. Default: the emulator's (SQL Server 2022). */
  productVersion?: string;
  /** Deadline of the wait for healthy links. Default 60 s. */
  healthyTimeoutMs?: number;
  print?: (line: string) => void;
}

export interface LinkHealth {
  connectedState: string | null;
  synchronizationState: string | null;
  synchronizationHealth: string | null;
}

export interface DemoResult {
  created: number;
  links: Record<string, LinkHealth>;
  secondUpChanges: number;
  /** Statements that change something (CREATE, ALTER, DROP, BACKUP, ...) SQL Server received during the second up. */
  secondUpDdl: number;
  /**
   * Resources whose stored state holds the SQL password, the master key password or the ARM token in
   * any form (even marked secret) after the first up: 0 when the program passes them by config
   * reference (`passwordConfig`, `masterKeyPasswordConfig`, `accessTokenConfig`), as the examples do.
   */
  credentialsInState: number;
  destroyed: number;
  leftovers: string[];
  /**
   * Objects the stack deliberately leaves on delete (certificates with `dropOnDelete: false`): present
   * after destroy, reported here rather than as leftovers. MiLink marks none: the root CAs it imported
   * go with its last link (see TrustedCertificate), so this is empty for the examples.
   */
  retained: string[];
  errors: string[];
}

const CHANGING_STATEMENT =
  /\b(?:(?:CREATE|ALTER|DROP)\s+(?:MASTER\s+KEY|CERTIFICATE|ENDPOINT|AVAILABILITY\s+GROUP|DATABASE|LOGIN|USER)|BACKUP\s+(?:DATABASE|LOG)|RESTORE\s+(?:DATABASE|LOG)|GRANT|DENY|REVOKE)\b/i;

/** A batch that changes SQL Server (as opposed to reading its catalog). */
export function isChangingStatement(text: string): boolean {
  return CHANGING_STATEMENT.test(text);
}

/** The program's config, from the emulators' connection info. */
export function exampleConfig(world: LocalWorld, databases: string[]): Record<string, string> {
  const { sql, arm } = world.info;
  return {
    sqlHost: sql.host,
    sqlPort: String(sql.port),
    sqlUser: sql.user,
    sqlPassword: sql.password,
    trustServerCertificate: "true",
    endpointHost: sql.host,
    endpointPort: "5022",
    resourceGroupName: arm.resourceGroupName,
    managedInstanceName: arm.managedInstanceName,
    subscriptionId: arm.subscriptionId,
    armEndpoint: arm.endpoint,
    armTlsCaPem: arm.tlsCaPem ?? "",
    armAccessToken: "rehearsal-token",
    masterKeyPassword: "Rehearsal-Master-Key-1!",
    databases: JSON.stringify(databases),
    backupDisk: "/var/opt/mssql/backup/link.bak",
    "azure-native:subscriptionId": arm.subscriptionId,
  };
}

export const EXAMPLE_SECRET_CONFIG = ["sqlPassword", "masterKeyPassword", "armAccessToken"];

/** What {@link exampleRehearsal} needs besides the world. */
export interface ExampleRehearsalOptions {
  /** The program's folder or file. */
  program: string;
  stateFile: string;
  project: string;
  /** The stack config; {@link exampleConfig}'s keys, the secret ones marked as secrets. */
  config: Record<string, string>;
  print: (line: string) => void;
  /** When the dynamic-provider host starts (see RehearsalOptions). Default `withProgram`. */
  providerHostStart?: ProviderHostStart;
}

/** A rehearsal of a program against `world`'s emulators, run from this package's root. */
export function exampleRehearsal(world: LocalWorld, options: ExampleRehearsalOptions): Rehearsal {
  return new Rehearsal({
    ...options,
    secretConfig: EXAMPLE_SECRET_CONFIG,
    arm: {
      endpoint: world.info.arm.endpoint,
      subscriptionId: world.info.arm.subscriptionId,
      tlsCaPem: world.info.arm.tlsCaPem,
    },
    hostCwd: packageRoot,
  });
}

/** The state of each database's link as SQL Server reports it (the managed instance's replica). */
export async function readLinkHealth(
  world: LocalWorld,
  dagNames: Record<string, string>,
): Promise<Record<string, LinkHealth>> {
  const { sql } = world.info;
  const args = {
    host: sql.host,
    port: sql.port,
    user: sql.user,
    password: sql.password,
    encrypt: true,
    trustServerCertificate: true,
  };
  return withOneShotConnection(args, async (pool) => {
    const health: Record<string, LinkHealth> = {};
    for (const [database, dagName] of Object.entries(dagNames)) {
      const state = await readLinkState(pool, dagName);
      const remote = state?.replicas.find((r) => !r.isLocal);
      const remoteDb = state?.databases.find((d) => !d.isLocal) ?? state?.databases[0];
      health[database] = {
        connectedState: remote?.connectedState ?? null,
        synchronizationState: remoteDb?.synchronizationState ?? null,
        synchronizationHealth: remoteDb?.synchronizationHealth ?? remote?.synchronizationHealth ?? null,
      };
    }
    return health;
  });
}

function isHealthy(health: LinkHealth): boolean {
  return (
    health.connectedState === "CONNECTED" &&
    (health.synchronizationState === "SYNCHRONIZED" || health.synchronizationState === "SYNCHRONIZING") &&
    health.synchronizationHealth === "HEALTHY"
  );
}

/** Polls until every link is healthy or the deadline passes; returns the last reading either way. */
export async function waitHealthy(
  world: LocalWorld,
  dagNames: Record<string, string>,
  timeoutMs: number,
): Promise<Record<string, LinkHealth>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await readLinkHealth(world, dagNames);
    if (Object.values(health).every(isHealthy) || Date.now() > deadline) return health;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * SQL Server certificates the stack's resources say they leave in place on delete: dynamic
 * TrustedCertificate resources with `dropOnDelete: false` (none in MiLink's stacks).
 */
export function retainedOnDelete(state: StackState): string[] {
  return state.resources
    .filter((r) => r.type.endsWith(":TrustedCertificate") && r.inputs.dropOnDelete === false)
    .map((r) => `sql certificate ${String(r.inputs.name)}`);
}

/** The credentials the rehearsal's config holds: SQL password, master key password, ARM token. */
export function credentialsOf(world: LocalWorld): string[] {
  const config = exampleConfig(world, []);
  return [config.sqlPassword, config.masterKeyPassword, config.armAccessToken];
}

/** How many resources of `state` hold one of `secrets` anywhere in their inputs or outputs, even marked secret. */
export function resourcesHolding(state: StackState, secrets: readonly string[]): number {
  return state.resources.filter((r) => {
    const text = JSON.stringify(r);
    return secrets.some((secret) => text.includes(secret));
  }).length;
}

/** DAG names from the stack's `links` output (MiLink's), else the runbook's defaults. */
function dagNamesOf(report: RunReport, databases: string[]): Record<string, string> {
  const links = (report.outputs.links ?? {}) as Record<string, { dagName?: unknown }>;
  return Object.fromEntries(
    databases.map((db) => [
      db,
      typeof links[db]?.dagName === "string" ? links[db].dagName : defaultDagName(db),
    ]),
  );
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(line + "\n"));
  const databases = options.databases ?? ["Sales"];
  const world = await startLocalWorld({
    databases: options.sqlServerDatabases ?? databases,
    productVersion: options.productVersion,
    armOperationMs: 20,
    seedingSeconds: 0.2,
  });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "mi-link-rehearsal-"));
  const stateFile = path.join(stateDir, "stack.json");
  const errors: string[] = [];
  try {
    print(
      `emulators: SQL Server ${world.info.sql.host}:${world.info.sql.port}, ARM ${world.info.arm.endpoint}`,
    );
    const before = snapshotWorld(world);
    const rehearsal = exampleRehearsal(world, {
      program: options.program ?? path.join(packageRoot, "examples", "sqlserver-to-mi"),
      stateFile,
      project: options.project ?? "mi-link-sqlserver-to-mi",
      config: exampleConfig(world, databases),
      print,
    });
    const first = await rehearsal.up();
    errors.push(...first.errors);
    const credentialsInState = resourcesHolding(loadState(stateFile), credentialsOf(world));
    let links: Record<string, LinkHealth> = {};
    let second: RunReport | undefined;
    let secondUpDdl = -1;
    if (first.ok) {
      print("waiting for the links to be connected and healthy");
      links = await waitHealthy(world, dagNamesOf(first, databases), options.healthyTimeoutMs ?? 60_000);
      for (const [db, h] of Object.entries(links)) {
        print(
          `  ${db}: ${h.connectedState ?? "?"}, ${h.synchronizationState ?? "?"}, ${h.synchronizationHealth ?? "?"}`,
        );
      }
      world.sql.tds.resetCounters();
      second = await rehearsal.up();
      secondUpDdl = world.sql.tds.requestLog().filter((entry) => isChangingStatement(entry.text)).length;
      errors.push(...second.errors);
    }
    const retainedNames = retainedOnDelete(loadState(stateFile));
    const destroyed = await rehearsal.destroy();
    errors.push(...destroyed.errors);
    const remaining = leftovers(before, snapshotWorld(world));
    const retained = remaining.filter((name) => retainedNames.includes(name));
    const left = remaining.filter((name) => !retainedNames.includes(name));
    if (retained.length > 0) print(`kept by design (dropOnDelete: false): ${retained.join(", ")}`);
    if (left.length > 0) print(`left behind: ${left.join(", ")}`);
    return {
      created: first.counts.create,
      links,
      secondUpChanges: second ? second.changes : -1,
      secondUpDdl,
      credentialsInState,
      destroyed: destroyed.counts.delete,
      leftovers: left,
      retained,
      errors,
    };
  } finally {
    await world.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The examples the demo can rehearse (`--example <name>`), with the databases each links. */
export const DEMO_EXAMPLES: Record<string, Pick<DemoOptions, "databases" | "sqlServerDatabases">> = {
  "sqlserver-to-mi": { databases: ["Sales"] },
  "multiple-databases": { databases: ["Sales", "Inventory", "Orders"] },
  "mi-to-sqlserver": { databases: ["Reporting"], sqlServerDatabases: [] },
};

function optionsFromArgs(argv: string[]): DemoOptions {
  const at = argv.indexOf("--example");
  const example = at >= 0 ? argv[at + 1] : "sqlserver-to-mi";
  const preset = DEMO_EXAMPLES[example ?? ""];
  if (!preset) {
    throw new Error(
      `unknown example ${String(example)}; choose one of ${Object.keys(DEMO_EXAMPLES).join(", ")}`,
    );
  }
  return { ...preset, program: path.join(packageRoot, "examples", example), project: `mi-link-${example}` };
}

if (require.main === module) {
  // tedious warns about TLS to an IP address (the emulators listen on 127.0.0.1): noise in a demo.
  process.noDeprecation = true;
  const json = process.argv.includes("--json");
  Promise.resolve()
    .then(() => runDemo(optionsFromArgs(process.argv.slice(2))))
    .then((result) => {
      const ok =
        result.errors.length === 0 &&
        result.secondUpChanges === 0 &&
        result.secondUpDdl === 0 &&
        result.leftovers.length === 0;
      if (json) {
        const { errors, ...summary } = result;
        process.stdout.write(JSON.stringify(errors.length > 0 ? { ...summary, errors } : summary) + "\n");
      } else {
        process.stdout.write(ok ? "rehearsal passed\n" : "rehearsal found problems\n");
      }
      process.exit(ok ? 0 : 1);
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    });
}

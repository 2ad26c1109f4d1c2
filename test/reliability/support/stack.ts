/**
 * One rehearsed stack for the reliability suite: the multiple-databases example (one MiLink, two links)
 * against a fresh local world, with helpers to compare what a run left on both sides.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "vitest";
import {
  EXAMPLE_SECRET_CONFIG,
  exampleRehearsal,
  exampleConfig,
  retainedOnDelete,
} from "../../../src/testing/demo";
import { Rehearsal, type RunReport } from "../../../src/testing/rehearsal";
import { snapshotWorld } from "../../../src/testing/rehearsal/snapshot";
import { loadState } from "../../../src/testing/rehearsal/state";
import { type LocalWorld, type LocalWorldOptions, startLocalWorld } from "../../../src/testing/world";
import { repoRoot } from "../../support/provider-host";
import { plaintextPaths, type WireValue } from "../../support/wire";

/** A line of a request that changes SQL Server (DDL, a backup, a grant, a procedure run), as bad-input.test.ts counts it too. */
export const DDL = /^\s*(CREATE|ALTER|DROP|BACKUP|RESTORE|GRANT|DENY|REVOKE|EXEC)\b/im;

/** The two databases every stack links. */
export const DATABASES = ["Sales", "Orders"];

export interface TestStack {
  world: LocalWorld;
  rehearsal: Rehearsal;
  stateFile: string;
  config: Record<string, string>;
  /** Every progress line of every run. */
  lines: string[];
  /** What both sides held before the first run. */
  before: string[];
  /** The secret config values (SQL password, master key password, ARM token). */
  secrets: string[];
}

/** A fresh world and a state file, and rehearsals of `program` against them with extra config. */
interface RehearsedWorld {
  stack: Omit<TestStack, "rehearsal">;
  /** Without `extraConfig` the rehearsal reads `stack.config` itself: a test may change it between runs. */
  rehearsalWith(extraConfig?: Record<string, string>): Rehearsal;
}

async function rehearsedWorld(
  worldOptions: LocalWorldOptions & { databases: string[] },
  program: string,
  project: string,
): Promise<RehearsedWorld> {
  const world = await startLocalWorld(worldOptions);
  const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `${project}-`)), "stack.json");
  const config = exampleConfig(world, worldOptions.databases);
  const lines: string[] = [];
  const rehearsalWith = (extraConfig?: Record<string, string>) =>
    exampleRehearsal(world, {
      program: path.join(repoRoot, program),
      stateFile,
      project,
      config: extraConfig === undefined ? config : { ...config, ...extraConfig },
      print: (line) => lines.push(line),
    });
  return {
    stack: {
      world,
      stateFile,
      config,
      lines,
      before: snapshotWorld(world),
      secrets: EXAMPLE_SECRET_CONFIG.map((key) => config[key]),
    },
    rehearsalWith,
  };
}

/** A fresh world with the two databases, and a rehearsal of the multiple-databases example against it. */
export async function startStack(): Promise<TestStack> {
  const { stack, rehearsalWith } = await rehearsedWorld(
    { databases: DATABASES, armOperationMs: 10, seedingSeconds: 0.1 },
    path.join("examples", "multiple-databases"),
    "reliability",
  );
  return { ...stack, rehearsal: rehearsalWith() };
}

/** Objects on both sides (SQL Server catalog and ARM), with duplicates kept so that they show. */
export function objects(stack: TestStack): string[] {
  return snapshotWorld(stack.world);
}

/** The stack's resources as `type::name` (sorted), from the state file. */
export function stateResources(stack: TestStack): string[] {
  return loadState(stack.stateFile)
    .resources.map((r) => `${r.type}::${r.name}`)
    .sort();
}

/** What is left after destroy that was not there before, the certificates kept by design aside. */
export function leftoversAfterDestroy(stack: TestStack, retained: string[]): string[] {
  const existed = new Set([...stack.before, ...retained]);
  return objects(stack).filter((name) => !existed.has(name));
}

/** Certificates the stack deliberately keeps on delete (read before destroy empties the state). */
export function retained(stack: TestStack): string[] {
  return retainedOnDelete(loadState(stack.stateFile));
}

/** Every piece of text a run produced that a user or a log collector could see. */
export function visibleText(stack: TestStack, reports: RunReport[]): string {
  return [
    stack.lines.join("\n"),
    ...reports.map((r) => JSON.stringify({ errors: r.errors, logs: r.logs, steps: r.steps, out: r.outputs })),
  ].join("\n");
}

/** A one-link stack whose `primary` is managed (a LinkRole): failovers by changing `config.primary`. */
export interface FailoverStack extends TestStack {
  /** A rehearsal of the failover program with `primary` set, the failover forced (data loss allowed) or not. */
  withPrimary(primary: "SqlServer" | "ManagedInstance", options?: { forced?: boolean }): Rehearsal;
}

/** The one database of a {@link FailoverStack}. */
export const FAILOVER_DATABASE = "Sales";

/**
 * SQL Server 2022 CU12: the last build that fails over to the managed instance through Azure's failover
 * action (CU13 and later do it in T-SQL), so a failover and its fail back use every ARM call the package
 * makes on a link: PATCH (replication mode), POST failover, POST setRole.
 */
export const AZURE_FAILOVER_VERSION = "16.0.4115.5";

/**
 * A fresh world with one database on {@link AZURE_FAILOVER_VERSION}, and rehearsals of the failover program
 * (test/components/fixtures): MiLink with `primary` from config.
 */
export async function startFailoverStack(project: string): Promise<FailoverStack> {
  const { stack, rehearsalWith } = await rehearsedWorld(
    {
      productVersion: AZURE_FAILOVER_VERSION,
      databases: [FAILOVER_DATABASE],
      armOperationMs: 20,
      seedingSeconds: 0.2,
    },
    path.join("test", "components", "fixtures", "failover-program.ts"),
    project,
  );
  const withPrimary = (primary: "SqlServer" | "ManagedInstance", options: { forced?: boolean } = {}) =>
    rehearsalWith({ primary, forceFailoverAllowDataLoss: String(options.forced ?? false) });
  return { ...stack, rehearsal: withPrimary("SqlServer"), withPrimary };
}

export interface LinkRoles {
  sqlServerRole: string | null;
  managedInstanceRole: string | null;
}

export const SQL_SERVER_PRIMARY: LinkRoles = { sqlServerRole: "PRIMARY", managedInstanceRole: "SECONDARY" };
export const MI_PRIMARY: LinkRoles = { sqlServerRole: "SECONDARY", managedInstanceRole: "PRIMARY" };

/** The roles a run of a {@link FailoverStack} reports, after checking that the emulated link holds the same. */
export function linkRoles(stack: FailoverStack, report: RunReport): LinkRoles {
  const link = (report.outputs.links as Record<string, LinkRoles>)[FAILOVER_DATABASE];
  const reported = { sqlServerRole: link.sqlServerRole, managedInstanceRole: link.managedInstanceRole };
  const actual = stack.world.sql.model.partner.linkStatus(`DAG_${FAILOVER_DATABASE}`);
  expect({ sqlServerRole: actual?.sqlServerRole, managedInstanceRole: actual?.managedInstanceRole }).toEqual(
    reported,
  );
  return reported;
}

/** A one-link stack that ends the migration: `cutover` from config (a LinkCutover once true). */
export interface CutoverStack extends TestStack {
  /** A rehearsal of the cutover program with `cutover` set. */
  withCutover(cutover: boolean): Rehearsal;
}

/** The one database of a {@link CutoverStack}. */
export const CUTOVER_DATABASE = "Sales";

/**
 * A fresh world with one database (SQL Server 2022 CU13 and later: the failover is done in T-SQL) whose
 * managed instance takes its first full backup quickly, and rehearsals of the cutover program
 * (test/components/fixtures): MiLink with `cutover` from config.
 */
export async function startCutoverStack(project: string): Promise<CutoverStack> {
  const { stack, rehearsalWith } = await rehearsedWorld(
    {
      databases: [CUTOVER_DATABASE],
      armOperationMs: 20,
      seedingSeconds: 0.2,
      firstFullBackupSeconds: 0.3,
    },
    path.join("test", "components", "fixtures", "cutover-program.ts"),
    project,
  );
  const withCutover = (cutover: boolean) => rehearsalWith({ cutover: String(cutover) });
  return { ...stack, rehearsal: withCutover(true), withCutover };
}

/** Runs `work` on a stack started by `start`, and stops its world whatever happens. */
export async function withStack<S extends TestStack>(
  start: Promise<S>,
  work: (stack: S) => Promise<void>,
): Promise<void> {
  const stack = await start;
  try {
    await work(stack);
  } finally {
    await stack.world.stop();
  }
}

/** Destroy succeeds, the state is empty, and nothing is left but what the stack keeps by design. */
export async function destroyedClean(stack: TestStack, reports: RunReport[]): Promise<void> {
  const keep = retained(stack);
  const destroyed = await stack.rehearsal.destroy();
  reports.push(destroyed);
  expect(destroyed.errors, stack.lines.join("\n")).toEqual([]);
  expect(loadState(stack.stateFile).resources).toEqual([]);
  expect(leftoversAfterDestroy(stack, keep)).toEqual([]);
}

/**
 * The secrets scan: no SQL password, master key password or ARM token in clear in the state (registered
 * inputs, outputs, serialized providers) or in anything the runs printed, logged or reported.
 */
export function expectNoSecretsInClear(stack: TestStack, reports: RunReport[]): void {
  const state = loadState(stack.stateFile);
  expect(plaintextPaths(state as unknown as WireValue, stack.secrets)).toEqual([]);
  const text = visibleText(stack, reports);
  for (const secret of stack.secrets)
    expect(text.includes(secret), "a secret in clear in run output").toBe(false);
}

/** The ARM emulator's answers to the requests `match` selects, in order: e.g. [429, 409, 202]. */
export function armAnswers(stack: TestStack, match: { method: string; pathRegex: RegExp }): number[] {
  return stack.world.arm
    .requestLog()
    .filter((entry) => entry.method === match.method && match.pathRegex.test(entry.path))
    .map((entry) => entry.status);
}

/**
 * The local rehearsal end to end, each test with its own emulators, run concurrently: `npm run demo -- --json`'s
 * entry point (the SQL Server → MI example through up → healthy → up again without DDL → destroy without
 * leftovers), the MI → SQL Server example through the same steps in process (request log, state file), and the
 * runtime's refresh / re-create / conflict / interrupted-destroy behaviour on a small program.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  EXAMPLE_SECRET_CONFIG,
  exampleConfig,
  isChangingStatement,
  resourcesHolding,
  retainedOnDelete,
  waitHealthy,
} from "../../src/testing/demo";
import { Rehearsal, type ProviderHostStart } from "../../src/testing/rehearsal";
import { leftovers, snapshotWorld } from "../../src/testing/rehearsal/snapshot";
import { loadState } from "../../src/testing/rehearsal/state";
import { LocalWorld, startLocalWorld } from "../../src/testing/world";
import { buildIfStale } from "../support/build";
import { repoRoot } from "../support/provider-host";
import { plaintextPaths, type WireValue } from "../support/wire";

function tempStateFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rehearsal-test-")), "stack.json");
}

function rehearsalFor(
  world: LocalWorld,
  program: string,
  databases: string[],
  stateFile: string,
  lines: string[],
  providerHostStart?: ProviderHostStart,
) {
  return new Rehearsal({
    providerHostStart,
    program,
    stateFile,
    project: "rehearsal-test",
    config: exampleConfig(world, databases),
    secretConfig: EXAMPLE_SECRET_CONFIG,
    arm: {
      endpoint: world.info.arm.endpoint,
      subscriptionId: world.info.arm.subscriptionId,
      tlsCaPem: world.info.arm.tlsCaPem,
    },
    hostCwd: repoRoot,
    print: (line) => lines.push(line),
  });
}

/** Runs an example through up, healthy, up again and destroy; asserts what every direction must do. */
async function rehearseExample(example: string, databases: string[], sqlServerDatabases: string[]) {
  const world = await startLocalWorld({
    databases: sqlServerDatabases,
    armOperationMs: 20,
    seedingSeconds: 0.2,
  });
  const lines: string[] = [];
  try {
    const before = snapshotWorld(world);
    const stateFile = tempStateFile();
    const rehearsal = rehearsalFor(
      world,
      path.join(repoRoot, "examples", example),
      databases,
      stateFile,
      lines,
    );

    world.sql.tds.resetCounters();
    const first = await rehearsal.up();
    expect(first.errors, lines.join("\n")).toEqual([]);
    expect(
      world.sql.tds.requestLog().filter((entry) => isChangingStatement(entry.text)).length,
    ).toBeGreaterThan(3);
    expect(first.counts.create).toBeGreaterThan(5);
    const links = first.outputs.links as Record<string, { dagName: string }>;
    const dagNames = Object.fromEntries(databases.map((db) => [db, links[db].dagName]));
    const health = await waitHealthy(world, dagNames, 20_000);
    for (const db of databases) {
      expect(health[db], db).toMatchObject({ connectedState: "CONNECTED", synchronizationHealth: "HEALTHY" });
      expect(["SYNCHRONIZING", "SYNCHRONIZED"]).toContain(health[db].synchronizationState);
    }

    // Secrets stay marked in the state file and never reach the report in clear.
    const config = exampleConfig(world, databases);
    const secrets = EXAMPLE_SECRET_CONFIG.map((key) => config[key]);
    const state = loadState(stateFile);
    expect(plaintextPaths(state as unknown as WireValue, secrets)).toEqual([]);
    // The examples pass every credential by config reference: none is stored, not even marked secret.
    expect(resourcesHolding(state, secrets)).toBe(0);
    expect(lines.join("\n")).not.toContain(config.masterKeyPassword);

    world.sql.tds.resetCounters();
    const second = await rehearsal.up();
    expect(second.errors).toEqual([]);
    expect(second.changes).toBe(0);
    const ddl = world.sql.tds.requestLog().filter((entry) => isChangingStatement(entry.text));
    expect(ddl.map((entry) => entry.text)).toEqual([]);

    // Nothing is kept on delete by design: the root CAs this stack imported go with its link.
    expect(retainedOnDelete(loadState(stateFile))).toEqual([]);
    const destroyed = await rehearsal.destroy();
    expect(destroyed.errors).toEqual([]);
    expect(destroyed.counts.delete).toBe(first.counts.create);
    expect(loadState(stateFile).resources).toEqual([]);
    expect(leftovers(before, snapshotWorld(world))).toEqual([]);
  } finally {
    await world.stop();
  }
}

describe.concurrent("local rehearsal", () => {
  beforeAll(async () => {
    await buildIfStale();
  }, 180_000);

  it("MI → SQL Server: connected, second up changes nothing, destroy leaves nothing", async () => {
    await rehearseExample("mi-to-sqlserver", ["Reporting"], []);
  }, 120_000);

  it("refresh notices an out-of-band delete, up re-creates it, a leftover is refused, destroy re-runs", async () => {
    const world = await startLocalWorld({ armOperationMs: 10 });
    const lines: string[] = [];
    try {
      const before = snapshotWorld(world);
      const stateFile = tempStateFile();
      const program = path.join(repoRoot, "test", "rehearsal", "fixtures", "trust-program.ts");
      const rehearsal = rehearsalFor(world, program, [], stateFile, lines);
      const first = await rehearsal.up();
      expect(first.errors, lines.join("\n")).toEqual([]);
      expect(first.counts.create).toBe(3);
      expect(first.outputs.trustThumbprint).toBe(first.outputs.thumbprint);
      expect(
        lines.some((line) =>
          /^\+\s+create\s+mi-link:MasterKey\s+sales-master-key\s+\(\d+\.\ds\)$/.test(line),
        ),
      ).toBe(true);

      const inSync = await rehearsal.refresh();
      expect(inSync.counts.read).toBe(3);

      const mi = world.arm.managedInstance();
      mi.trustCertificates.delete("SqlServerLinkCert");
      const refreshed = await rehearsal.refresh();
      expect(refreshed.counts.gone).toBe(1);
      const again = await rehearsal.up();
      expect(again.counts).toMatchObject({ create: 1, same: 2 });
      expect(mi.trustCertificates.find("SqlServerLinkCert")).toBeDefined();

      // A trust certificate the state does not know about: azure-native refuses to create over it.
      const orphanState = tempStateFile();
      const fresh = rehearsalFor(world, program, [], orphanState, lines);
      const conflicting = await fresh.up();
      expect(conflicting.ok).toBe(false);
      expect(conflicting.errors.join("\n")).toMatch(
        /cannot create already existing resource '.*SqlServerLinkCert'/,
      );

      // The orphan run adopted the master key and certificate; destroying it leaves the original stack intact.
      expect((await fresh.destroy()).errors).toEqual([]);
      expect(mi.trustCertificates.find("SqlServerLinkCert")).toBeDefined();

      // A destroy interrupted after its first delete (state file written) completes when run again.
      const state = loadState(stateFile);
      const trust = state.resources.find((r) => r.type === "azure-native:sql:ServerTrustCertificate")!;
      mi.trustCertificates.delete("SqlServerLinkCert");
      fs.writeFileSync(
        stateFile,
        JSON.stringify({ ...state, resources: state.resources.filter((r) => r !== trust) }, null, 2),
      );
      const destroyed = await rehearsal.destroy();
      expect(destroyed.errors).toEqual([]);
      expect(destroyed.counts.delete).toBe(2);
      expect(leftovers(before, snapshotWorld(world))).toEqual([]);
    } finally {
      await world.stop();
    }
  }, 120_000);

  it("the provider host starts with the program, or when the first dynamic resource needs it", async () => {
    const world = await startLocalWorld({ armOperationMs: 10 });
    const lines: string[] = [];
    try {
      const program = path.join(repoRoot, "test", "rehearsal", "fixtures", "trust-program.ts");
      const stateFile = tempStateFile();
      // As the engine does: the stack registers, then the first dynamic resource brings the host up.
      const up = await rehearsalFor(world, program, [], stateFile, lines, "onFirstUse").up();
      expect(up.errors, lines.join("\n")).toEqual([]);
      expect(up.counts.create).toBe(3);
      const beforeHost = up.steps.slice(0, up.providerHost!.afterSteps);
      expect(beforeHost.map((step) => step.type)).toEqual(["pulumi:pulumi:Stack"]);

      // The default: spawned before the program registers anything.
      const destroyed = await rehearsalFor(world, program, [], stateFile, lines).destroy();
      expect(destroyed.errors, lines.join("\n")).toEqual([]);
      expect(destroyed.providerHost?.afterSteps).toBe(0);

      // Nothing left that needs a provider: no host at all, whenever it would start.
      const empty = await rehearsalFor(world, program, [], stateFile, lines, "onFirstUse").destroy();
      expect(empty.errors).toEqual([]);
      expect(empty.providerHost).toBeUndefined();
    } finally {
      await world.stop();
    }
  }, 120_000);

  it("the demo entry (`npm run demo -- --json`) ends with one JSON line", async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [path.join(repoRoot, "dist", "testing", "demo.js"), "--json"],
        { cwd: repoRoot, timeout: 110_000, maxBuffer: 16 * 1024 * 1024 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${out}\n${err}`)) : resolve(out)),
      ),
    );
    const lastLine = stdout.trimEnd().split("\n").pop()!;
    const result = JSON.parse(lastLine) as Record<string, unknown>;
    expect(result).toMatchObject({
      links: { Sales: { connectedState: "CONNECTED", synchronizationHealth: "HEALTHY" } },
      secondUpChanges: 0,
      secondUpDdl: 0,
      credentialsInState: 0,
      leftovers: [],
      // The root CAs go with the link: nothing is kept on delete.
      retained: [],
    });
    expect(result.created).toBeGreaterThan(5);
    expect(result.destroyed).toBe(result.created);
    expect(stdout).toMatch(/^\+\s+create\s+mi-link:MasterKey\s+\S+\s+\(\d+\.\ds\)$/m);
  }, 120_000);
});

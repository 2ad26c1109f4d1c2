import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RehearsalEngine } from "../../src/testing/rehearsal/engine";
import type { RehearsalEvent } from "../../src/testing/rehearsal/protocol";
import { repoRoot } from "../support/provider-host";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function engineOnFirstUse(events: RehearsalEvent[]): RehearsalEngine {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-host-start-"));
  dirs.push(dir);
  return new RehearsalEngine(
    {
      operation: "up",
      stateFile: path.join(dir, "stack.json"),
      project: "project",
      stack: "dev",
      config: {},
      secretKeys: [],
      hostCwd: repoRoot,
      providerHostStart: "onFirstUse",
    },
    (event) => events.push(event),
  );
}

/**
 * Keeps the thread busy with promise continuations only, as a program preparing many registrations does:
 * no I/O callback runs meanwhile. Returns whether `done` came true before the work ended.
 */
async function busyUntil(done: () => boolean, continuations = 2000): Promise<boolean> {
  for (let i = 0; i < continuations; i++) {
    if (done()) return true;
    await Promise.resolve();
  }
  return done();
}

describe("the rehearsal engine's provider host, started on first use", () => {
  it("is spawned at the first dynamic resource's registration while the program keeps its thread busy", async () => {
    const events: RehearsalEvent[] = [];
    const engine = engineOnFirstUse(events);
    await engine.listen();
    expect(events.some((e) => e.kind === "host")).toBe(false);
    const step = engine
      .register({
        urn: "urn:pulumi:dev::project::pulumi-nodejs:dynamic:Resource::first",
        type: "pulumi-nodejs:dynamic:Resource",
        name: "first",
        custom: true,
        dependencies: [],
        inputs: {},
        additionalSecretOutputs: [],
        ignoreChanges: [],
        replaceOnChanges: [],
        deleteBeforeReplace: false,
      })
      .catch(() => undefined);
    const spawnedWhileBusy = await busyUntil(() => events.some((e) => e.kind === "host"));
    await step;
    await engine.stop();
    expect(spawnedWhileBusy).toBe(true);
  });
});

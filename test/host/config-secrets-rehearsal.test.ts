/**
 * Every reply of the dynamic-provider host over a whole stack's life (up, a second up, refresh, destroy), for
 * every SQL Server resource of MiLink: the SQL Server → Managed Instance example, which passes the SQL password
 * and the master key password by config reference, rehearsed against the local emulators with the host's
 * replies logged (MI_LINK_HOST_REPLY_LOG). No reply holds either secret. The same audit of a program passing
 * them by value finds them only where the host echoes the resources' properties.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exampleRehearsal,
  exampleConfig,
  isChangingStatement,
  resourcesHolding,
} from "../../src/testing/demo";

import { loadState } from "../../src/testing/rehearsal/state";
import { LocalWorld, startLocalWorld } from "../../src/testing/world";
import { buildIfStale } from "../support/build";
import { repoRoot } from "../support/provider-host";

interface LoggedReply {
  method: string;
  reply?: unknown;
  error?: { details: string; initFailure: unknown };
}

function readReplies(file: string): LoggedReply[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LoggedReply);
}

/** The methods whose replies hold one of `secrets`, each once. */
function methodsHolding(replies: LoggedReply[], secrets: string[]): string[] {
  const found = replies
    .filter((r) => secrets.some((s) => JSON.stringify(r).includes(s)))
    .map((r) => r.method);
  return [...new Set(found)].sort();
}

describe("the host's replies over a whole stack's life", () => {
  let world: LocalWorld;
  let dir: string;
  const previousLog = process.env.MI_LINK_HOST_REPLY_LOG;

  beforeAll(async () => {
    await buildIfStale();
    world = await startLocalWorld({ databases: ["Sales"], armOperationMs: 20, seedingSeconds: 0.2 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "host-replies-"));
  }, 180_000);

  afterAll(async () => {
    if (previousLog === undefined) delete process.env.MI_LINK_HOST_REPLY_LOG;
    else process.env.MI_LINK_HOST_REPLY_LOG = previousLog;
    await world?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function rehearse(program: string, name: string): Promise<LoggedReply[]> {
    const log = path.join(dir, `${name}.jsonl`);
    process.env.MI_LINK_HOST_REPLY_LOG = log;
    const lines: string[] = [];
    const rehearsal = exampleRehearsal(world, {
      program,
      stateFile: path.join(dir, `${name}.json`),
      project: `replies-${name}`,
      config: exampleConfig(world, ["Sales"]),
      print: (line) => lines.push(line),
    });
    for (const run of [() => rehearsal.up(), () => rehearsal.up(), () => rehearsal.refresh()]) {
      expect((await run()).errors, lines.join("\n")).toEqual([]);
    }
    expect((await rehearsal.destroy()).errors, lines.join("\n")).toEqual([]);
    return readReplies(log);
  }

  const credentials = () => {
    const config = exampleConfig(world, ["Sales"]);
    return [config.sqlPassword, config.masterKeyPassword, config.armAccessToken];
  };

  it("config mode (examples/sqlserver-to-mi): no reply of any method holds the SQL password, master key password or ARM token", async () => {
    const replies = await rehearse(path.join(repoRoot, "examples", "sqlserver-to-mi"), "config");
    const methods = new Set(replies.map((r) => r.method));
    for (const method of ["configure", "check", "diff", "create", "read", "delete"])
      expect(methods).toContain(method);
    expect(replies.length).toBeGreaterThan(40);
    expect(methodsHolding(replies, credentials())).toEqual([]);
  }, 240_000);

  it("an existing stack moves from credentials by value to by reference: updates only, no SQL, no credential left in state", async () => {
    const lines: string[] = [];
    const stateFile = path.join(dir, "migrate.json");
    const rehearsal = (program: string) =>
      exampleRehearsal(world, {
        program,
        stateFile,
        project: "replies-migrate",
        config: exampleConfig(world, ["Sales"]),
        print: (line) => lines.push(line),
      });
    delete process.env.MI_LINK_HOST_REPLY_LOG;
    const byValue = rehearsal(path.join(repoRoot, "test", "host", "fixtures", "by-value", "index.ts"));
    const byReference = rehearsal(path.join(repoRoot, "examples", "sqlserver-to-mi"));

    const first = await byValue.up();
    expect(first.errors, lines.join("\n")).toEqual([]);
    const stored = loadState(stateFile);
    expect(resourcesHolding(stored, credentials())).toBeGreaterThan(5);

    world.sql.tds.resetCounters();
    const moved = await byReference.up();
    expect(moved.errors, lines.join("\n")).toEqual([]);
    expect(moved.counts).toMatchObject({ create: 0, replace: 0, delete: 0 });
    expect(moved.counts.update).toBe(resourcesHolding(stored, credentials()));
    const ddl = world.sql.tds.requestLog().filter((entry) => isChangingStatement(entry.text));
    expect(ddl.map((entry) => entry.text)).toEqual([]);
    expect(resourcesHolding(loadState(stateFile), credentials())).toBe(0);

    expect((await byReference.up()).changes).toBe(0);
    const destroyed = await byReference.destroy();
    expect(destroyed.errors).toEqual([]);
    expect(destroyed.counts.delete).toBe(first.counts.create);
  }, 240_000);

  it("value mode: the passwords appear only in replies that echo the resources' properties", async () => {
    const program = path.join(repoRoot, "test", "rehearsal", "fixtures", "trust-program.ts");
    const replies = await rehearse(program, "value");
    const holding = methodsHolding(replies, credentials());
    expect(holding).toEqual(["check", "create", "read"]);
    // In those replies, only as the value of the credential properties themselves.
    const occurrences = (text: string, part: string) => text.split(part).length - 1;
    for (const reply of replies.filter((r) => holding.includes(r.method))) {
      const text = JSON.stringify(reply);
      for (const secret of credentials()) {
        const asProperty = ["password", "masterKeyPassword"]
          .map((key) => occurrences(text, JSON.stringify([key, { stringValue: secret }]).slice(1, -2)))
          .reduce((a, b) => a + b, 0);
        expect(occurrences(text, secret), reply.method).toBe(asProperty);
      }
    }
  }, 240_000);
});

/**
 * The local world across a SQL Server restart: the catalog survives (state file)
 * and the managed instance's link partner follows the new instance.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalWorld, type LocalWorld } from "../src/testing/world";

describe("startLocalWorld across a SQL Server restart", () => {
  let world: LocalWorld | undefined;
  const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mi-link-world-")), "sql.json");

  afterAll(async () => {
    await world?.stop();
  });

  it("keeps the catalog in the state file and re-attaches the managed instance to the new instance", async () => {
    world = await startLocalWorld({ databases: ["Sales"], stateFile });
    const before = world.sql.model;
    const ctx = { login: "sa", database: "master", inTransaction: false, info: () => undefined };
    before.createMasterKey(ctx, "Str0ng!Key");
    const port = world.info.sql.port;

    await world.sql.restart();

    const after = world.sql.model;
    expect(after).not.toBe(before);
    expect(world.sql.connectionInfo().port).toBe(port);
    expect(after.catalogTable("sys.symmetric_keys", ctx)?.rows).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(stateFile, "utf8"))).toBeTruthy();
    // The managed instance now observes the restarted instance, not the disposed one.
    expect(world.arm.managedInstance().partner()).toBe(after.partner);
  });
});

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

describe("startLocalWorld trust re-checks", () => {
  it("re-checks the managed instance's links at every endpoint or certificate statement, across restarts", async () => {
    const world = await startLocalWorld();
    try {
      const links = world.arm.managedInstance().links;
      let rechecks = 0;
      const reevaluate = links.reevaluate.bind(links);
      links.reevaluate = () => {
        rechecks += 1;
        reevaluate();
      };
      const ctx = { login: "sa", database: "master", inTransaction: false, info: () => undefined };
      world.sql.model.createMasterKey(ctx, "Str0ng!Key");
      expect(rechecks).toBe(0);
      world.sql.model.createCertificate(ctx, { name: "Cert_A", subject: "A", expiryDate: "20301231" });
      expect(rechecks).toBe(1);
      // The restarted instance is a new model: its statements trigger the re-check too.
      await world.sql.restart();
      const afterRestart = rechecks;
      world.sql.model.createCertificate(ctx, { name: "Cert_B", subject: "B", expiryDate: "20301231" });
      expect(rechecks).toBe(afterRestart + 1);
    } finally {
      await world.stop();
    }
  });
});

/**
 * The database readiness provider through Pulumi's real dynamic-provider host, against the SQL
 * Server emulator: FULL recovery and one full backup, no second backup, COPY_ONLY not counted,
 * drift and its repair, refusals before any change, BACKUP errors explained, hostile input,
 * secrets and re-run convergence after a failure at every request of create.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statementThenRead } from "../../src/sql/execute";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { BACKUP_CHAIN_QUERY } from "../../src/tsql/queries/backup-chain";
import { destroy, preview, refresh, up, type ResourceState } from "../support/engine-steps";
import { urnFor, type ProviderHost } from "../support/provider-host";
import { plaintextPaths, UNKNOWN } from "../support/wire";
import { adminBatch, catalogRows, connectionInputs, type CatalogRow } from "./support/emulator";
import { startProviderTestBed } from "./support/test-bed";

describe("DatabaseReadiness provider", () => {
  let emulator: SqlServerEmulator;
  let host: ProviderHost;
  let providerText: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:DatabaseReadiness", "ready");

  beforeAll(async () => {
    ({ providerText, emulator, host } = await startProviderTestBed(
      "./dist/dynamic/database-readiness.js",
      "databaseReadinessProvider",
    ));
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  const inputs = (database: string, extra: Record<string, unknown> = {}) => {
    const info = emulator.connectionInfo();
    return {
      __provider: providerText,
      connection: connectionInputs(emulator),
      password: pulumi.secret(info.password),
      database,
      backupTarget: { disk: `/var/opt/mssql/backup/${database}.bak` },
      ...extra,
    };
  };

  function rows(table: string): CatalogRow[] {
    return catalogRows(emulator, table);
  }

  const recoveryOf = (database: string) =>
    rows("sys.databases").find((d) => d.name === database)?.recovery_model_desc;
  const fullBackupsOf = (database: string) =>
    rows("msdb.dbo.backupset").filter(
      (b) => b.database_name === database && b.type === "D" && !b.is_copy_only,
    );

  async function admin(sqlText: string): Promise<void> {
    await adminBatch(emulator, sqlText);
  }

  const quoted = (name: string) => `[${name.replace(/]/g, "]]")}]`;
  const createDatabase = (name: string, recovery: "SIMPLE" | "FULL" = "SIMPLE") =>
    admin(`CREATE DATABASE ${quoted(name)}; ALTER DATABASE ${quoted(name)} SET RECOVERY ${recovery};`);
  const backupsSent = () =>
    emulator.tds
      .requestLog()
      .map((entry) => entry.text)
      .filter((text) => /^\s*(BACKUP|ALTER DATABASE)\b/.test(text));

  it("sets FULL and takes one backup, reads without drift, repairs drift, survives delete untouched", async () => {
    await createDatabase("sales");
    const created = await up(host, urn, inputs("sales"));
    expect(created.op).toBe("create");
    expect(recoveryOf("sales")).toBe("FULL");
    expect(fullBackupsOf("sales")).toHaveLength(1);
    expect(created.state.outputs).toMatchObject({
      recoveryModel: "FULL",
      backupChainIntact: true,
      backupTaken: true,
      backupFile: "/var/opt/mssql/backup/sales.bak",
    });
    expect(created.state.outputs.lastFullBackupFinishDate).toMatch(/^\d{4}-\d\d-\d\dT/);

    expect((await refresh(host, created.state))?.changed).toBe(false);
    expect((await preview(host, urn, inputs("sales"), created.state)).op).toBe("same");

    // Backup settings and connection settings: updates that send nothing.
    emulator.tds.resetCounters();
    const updated = await up(
      host,
      urn,
      inputs("sales", {
        backupTarget: { url: "https://account.blob.core.windows.net/backups/sales.bak" },
        backupOptions: { compression: true, checksum: true },
        connection: connectionInputs(emulator, { requestTimeoutMs: 20_000 }),
      }),
      created.state,
    );
    expect(updated.op).toBe("update");
    expect(emulator.tds.counters().requests).toBe(0);

    // Drift: back to SIMPLE. Refresh reports it; the next up repairs it with a new backup.
    await admin("ALTER DATABASE [sales] SET RECOVERY SIMPLE");
    const drifted = await refresh(host, created.state);
    expect(drifted?.changed).toBe(true);
    expect(drifted?.state.outputs).toMatchObject({ recoveryModel: "SIMPLE", backupChainIntact: false });
    emulator.tds.resetCounters();
    const repaired = await up(host, urn, inputs("sales"), drifted!.state);
    expect(repaired.op).toBe("update");
    expect(backupsSent()).toEqual([
      "ALTER DATABASE [sales] SET RECOVERY FULL;",
      // The backup and the read of the chain it started travel as one request.
      statementThenRead(
        "BACKUP DATABASE [sales] TO DISK = N'/var/opt/mssql/backup/sales.bak';",
        BACKUP_CHAIN_QUERY,
      ),
    ]);
    expect(recoveryOf("sales")).toBe("FULL");
    expect(fullBackupsOf("sales")).toHaveLength(2);
    expect((await refresh(host, repaired.state))?.changed).toBe(false);

    // Delete leaves the database as it is, without even connecting.
    emulator.tds.resetCounters();
    await destroy(host, repaired.state);
    expect(emulator.tds.counters().requests).toBe(0);
    expect(recoveryOf("sales")).toBe("FULL");
    expect(fullBackupsOf("sales")).toHaveLength(2);

    // A second create finds the chain and takes no backup.
    emulator.tds.resetCounters();
    const second = await up(host, urn, inputs("sales"));
    expect(backupsSent()).toEqual([]);
    expect(second.state.outputs).toMatchObject({
      backupTaken: false,
      backupFile: null,
      recoveryModel: "FULL",
    });
    expect(fullBackupsOf("sales")).toHaveLength(2);

    // Dropped out of band: refresh reports it gone, create again explains.
    await admin("DROP DATABASE [sales]");
    expect(await refresh(host, second.state)).toBeUndefined();
    const error = await up(host, urn, inputs("sales")).catch((e: Error) => e);
    expect(String((error as Error).message)).toMatch(/\[sales\].*911.*does not exist/s);
    expect(String((error as Error).message)).toMatch(/Set `database`/);
  });

  it("does not count a COPY_ONLY backup", async () => {
    await createDatabase("copyonly", "FULL");
    await admin("BACKUP DATABASE [copyonly] TO DISK = N'/tmp/c.bak' WITH COPY_ONLY");
    const created = await up(host, urn, inputs("copyonly"));
    expect(created.state.outputs.backupTaken).toBe(true);
    expect(fullBackupsOf("copyonly")).toHaveLength(1);
  });

  it("adopts a database that is already ready without any change", async () => {
    await createDatabase("ready", "FULL");
    await admin("BACKUP DATABASE [ready] TO DISK = N'/tmp/r.bak'");
    emulator.tds.resetCounters();
    const created = await up(host, urn, inputs("ready", { backupTarget: undefined }));
    expect(backupsSent()).toEqual([]);
    expect(created.state.outputs).toMatchObject({ backupTaken: false, backupChainIntact: true });
  });

  it("refuses a database without a backup when no backupTarget is given, before any change", async () => {
    await createDatabase("notarget");
    emulator.tds.resetCounters();
    const error = await up(host, urn, inputs("notarget", { backupTarget: undefined })).catch((e: Error) => e);
    expect(String((error as Error).message)).toMatch(/\[notarget\].*no full backup.*Set `backupTarget`/s);
    expect(backupsSent()).toEqual([]);
    expect(recoveryOf("notarget")).toBe("SIMPLE");
  });

  it("explains a BACKUP failure about its target", async () => {
    await createDatabase("badpath", "FULL");
    emulator.tds.addFault({
      on: { match: /^BACKUP DATABASE/ },
      action: "error",
      error: {
        number: 3201,
        message:
          "Cannot open backup device '/nope/badpath.bak'. Operating system error 2(The system cannot find the file specified.).",
      },
    });
    const error = await up(
      host,
      urn,
      inputs("badpath", { backupTarget: { disk: "/nope/badpath.bak" } }),
    ).catch((e: Error) => e);
    emulator.tds.clearFaults();
    expect(String((error as Error).message)).toMatch(/3201/);
    expect(String((error as Error).message)).toMatch(/Check `backupTarget.disk`: the folder must exist/);
    expect(fullBackupsOf("badpath")).toHaveLength(0);
  });

  it("quotes a hostile but legal database name", async () => {
    const name = "a]; DROP DATABASE x--'";
    await createDatabase(name);
    await up(host, urn, inputs(name, { backupTarget: { disk: "/tmp/it's.bak" } }));
    expect(recoveryOf(name)).toBe("FULL");
    expect(fullBackupsOf(name)).toHaveLength(1);
  });

  it("refuses system databases and hostile or invalid input in check without sending a request", async () => {
    emulator.tds.resetCounters();
    const cases: [Record<string, unknown>, string][] = [
      [{ database: "master" }, "database"],
      [{ database: "TempDB" }, "database"],
      [{ database: "a".repeat(129) }, "database"],
      [{ database: "x\u0000" }, "database"],
      [{ database: undefined }, "database"],
      [{ backupTarget: { disk: "" } }, "backupTarget.disk"],
      [{ backupTarget: { disk: "/x\u0000.bak" } }, "backupTarget.disk"],
      [{ backupTarget: { url: "http://insecure/x.bak" } }, "backupTarget.url"],
      [{ backupTarget: { tape: "x" } }, "backupTarget"],
      [{ backupOptions: { stats: 0 } }, "backupOptions.stats"],
      [{ backupOptions: { copyOnly: true } }, "backupOptions.copyOnly"],
      [{ connection: { host: "bad host;", port: 70000, user: "sa" } }, "connection.host"],
    ];
    for (const [extra, property] of cases) {
      const result = await host.check(urn, {}, inputs("db", extra));
      expect(
        result.failures.map((f) => f.property),
        JSON.stringify(extra),
      ).toContain(property);
    }
    // Values unknown during preview are checked once known.
    const unknowns = await host.check(
      urn,
      {},
      inputs(UNKNOWN, { backupTarget: UNKNOWN, backupOptions: { copyOnly: UNKNOWN, stats: UNKNOWN } }),
    );
    expect(unknowns.failures).toEqual([]);
    expect(emulator.tds.counters().requests).toBe(0);
  });

  it("keeps credentials secret in state, and out of __provider and the host's logs", async () => {
    await createDatabase("secrets");
    const secrets = [emulator.connectionInfo().password];
    const created = await up(host, urn, inputs("secrets"));
    expect(plaintextPaths(created.plan.check.state, secrets)).toEqual([]);
    expect(plaintextPaths(created.state.outputs, secrets)).toEqual([]);
    expect(secrets.some((secret) => providerText.includes(secret))).toBe(false);
    expect(host.logs().filter((entry) => secrets.some((s) => entry.message.includes(s)))).toEqual([]);
  });

  it("converges when create is run again after a failure at any of its requests", async () => {
    await createDatabase("conv_0");
    emulator.tds.resetCounters();
    await up(host, urn, inputs("conv_0"));
    // Each request of a fault-free create, by its text (the database name varies per round).
    const texts = [...new Set(emulator.tds.requestLog().map((entry) => entry.text))];
    expect(texts.filter((text) => /^(ALTER|BACKUP) DATABASE/.test(text))).toHaveLength(2);

    let round = 0;
    for (const text of texts) {
      for (const action of ["error", "drop"] as const) {
        const database = `conv_${++round}`;
        await createDatabase(database);
        const statement = text.split("conv_0").join(database);
        const where = `fault ${action} at ${statement.slice(0, 50)}`;
        emulator.tds.addFault({ on: { match: new RegExp(`^${escapeRegExp(statement)}$`) }, action });
        let state: ResourceState | undefined;
        try {
          state = (await up(host, urn, inputs(database))).state;
        } catch {
          state = undefined;
        }
        emulator.tds.clearFaults();
        if (/^(ALTER|BACKUP) DATABASE/.test(statement)) expect(state, where).toBeUndefined();
        await up(host, urn, inputs(database), state);
        expect(recoveryOf(database), where).toBe("FULL");
        expect(fullBackupsOf(database), where).toHaveLength(1);
      }
    }
  }, 60_000);

  it("sends the same statements to SQL Server 2016 and a named instance", async () => {
    const old = new SqlServerEmulator({ productVersion: "13.0.7000.253", serverName: "HOST\\INST" });
    await old.start();
    try {
      const info = old.connectionInfo();
      const oldInputs = {
        ...inputs("legacy"),
        connection: connectionInputs(old),
        password: pulumi.secret(info.password),
      };
      await adminBatch(old, "CREATE DATABASE [legacy]; ALTER DATABASE [legacy] SET RECOVERY SIMPLE;");
      old.tds.resetCounters();
      const created = await up(host, urn, oldInputs);
      expect(created.state.outputs).toMatchObject({ recoveryModel: "FULL", backupTaken: true });
      expect(
        old.tds
          .requestLog()
          .map((e) => e.text)
          .filter((t) => /^(ALTER|BACKUP) DATABASE/.test(t)),
      ).toEqual([
        "ALTER DATABASE [legacy] SET RECOVERY FULL;",
        // The backup and the read of the chain it started travel as one request.
        statementThenRead(
          "BACKUP DATABASE [legacy] TO DISK = N'/var/opt/mssql/backup/legacy.bak';",
          BACKUP_CHAIN_QUERY,
        ),
      ]);
    } finally {
      await old.stop();
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

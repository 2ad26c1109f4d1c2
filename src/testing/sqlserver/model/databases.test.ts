import { describe, expect, it } from "vitest";
import { SqlError } from "../types";
import type { BackupSpec } from "./contract";
import { createInstanceModel } from "./index";
import { execContext, rows } from "./test-support";

function sqlError(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error("expected a SqlError");
}

const full = (database: string, copyOnly = false): BackupSpec => ({
  database,
  type: "DATABASE",
  target: { kind: "DISK", path: `/backup/${database}.bak` },
  copyOnly,
  options: {},
});
const log = (database: string): BackupSpec => ({
  ...full(database),
  type: "LOG",
  target: { kind: "DISK", path: `/backup/${database}.trn` },
});

describe("databases", () => {
  it("starts with the four system databases, ids 1-4, and the configured user databases", () => {
    const model = createInstanceModel({
      databases: [{ name: "sales" }, { name: "hr", recoveryModel: "SIMPLE" }],
    });
    const dbs = rows(model, "sys.databases");
    expect(dbs.map((d) => [d.name, d.database_id])).toEqual([
      ["master", 1],
      ["tempdb", 2],
      ["model", 3],
      ["msdb", 4],
      ["sales", 5],
      ["hr", 6],
    ]);
    expect(dbs.find((d) => d.name === "sales")).toMatchObject({
      state: 0,
      state_desc: "ONLINE",
      recovery_model: 1,
      recovery_model_desc: "FULL",
      log_reuse_wait_desc: "NOTHING",
      replica_id: null,
      group_database_id: null,
      is_master_key_encrypted_by_server: false,
    });
    expect(dbs.find((d) => d.name === "hr")).toMatchObject({
      recovery_model: 3,
      recovery_model_desc: "SIMPLE",
    });
    expect(model.databaseId("SALES")).toBe(5);
    expect(model.databaseName(6)).toBe("hr");
    expect(model.databaseId("nope")).toBeNull();
  });

  it("creates databases in FULL recovery (inherited from model) and refuses duplicates", () => {
    const model = createInstanceModel();
    const ctx = execContext();
    model.createDatabase(ctx, "app");
    expect(rows(model, "sys.databases").find((d) => d.name === "app")?.recovery_model_desc).toBe("FULL");
    const e = sqlError(() => model.createDatabase(ctx, "APP"));
    expect(e.number).toBe(1801);
  });

  it("drops user databases only", () => {
    const model = createInstanceModel({ databases: [{ name: "app" }] });
    const ctx = execContext();
    expect(sqlError(() => model.dropDatabase(ctx, "master")).number).toBe(3708);
    expect(sqlError(() => model.dropDatabase(ctx, "nope")).number).toBe(3701);
    model.dropDatabase(ctx, "app");
    expect(model.databaseId("app")).toBeNull();
  });

  it("refuses ALTER DATABASE on a missing database and FULL recovery for tempdb", () => {
    const model = createInstanceModel();
    const ctx = execContext();
    expect(sqlError(() => model.setRecoveryModel(ctx, "nope", "FULL")).number).toBe(5011);
    expect(sqlError(() => model.setRecoveryModel(ctx, "tempdb", "FULL")).number).toBe(5058);
  });

  it("USE of a missing database is error 911", () => {
    const model = createInstanceModel();
    const e = sqlError(() => model.canUseDatabase("sa", "nope"));
    expect(e.number).toBe(911);
    expect(e.message).toBe("Database 'nope' does not exist. Make sure that the name is entered correctly.");
    expect(() => model.canUseDatabase("sa", "msdb")).not.toThrow();
  });

  it("needs sysadmin for DDL (262)", () => {
    const model = createInstanceModel({
      logins: [
        { name: "sa", password: "a" },
        { name: "app", password: "b" },
      ],
    });
    const e = sqlError(() => model.createDatabase(execContext("app"), "x"));
    expect(e.number).toBe(262);
    expect(e.message).toBe("CREATE DATABASE permission denied in database 'master'.");
    expect(model.authenticate("app", "b")).toBe(true);
    expect(model.authenticate("app", "a")).toBe(false);
    expect(model.isSysadmin("app")).toBe(false);
    expect(model.isSysadmin("SA")).toBe(true);
  });
});

describe("backups", () => {
  it("records a full backup in msdb.dbo.backupset and reports progress like SQL Server", () => {
    const model = createInstanceModel({ databases: [{ name: "sales" }] });
    const ctx = execContext();
    model.backup(ctx, full("sales"));
    expect(ctx.messages.map((m) => m.number)).toEqual([4035, 4035, 3014]);
    expect(ctx.messages[0].message).toMatch(
      /^Processed \d+ pages for database 'sales', file 'sales' on file 1\.$/,
    );
    expect(ctx.messages[2].message).toMatch(
      /^BACKUP DATABASE successfully processed \d+ pages in \d+\.\d{3} seconds \(\d+\.\d{3} MB\/sec\)\.$/,
    );
    const [row] = rows(model, "msdb.dbo.backupset");
    expect(row).toMatchObject({
      backup_set_id: 1,
      database_name: "sales",
      type: "D",
      is_copy_only: false,
      recovery_model: "FULL",
      server_name: "SQL1",
      user_name: "sa",
      database_backup_lsn: 0n,
    });
    expect(row.first_lsn).toBeTypeOf("bigint");
    expect((row.last_lsn as bigint) > (row.first_lsn as bigint)).toBe(true);
    expect(rows(model, "msdb..backupmediafamily")[0].physical_device_name).toBe("/backup/sales.bak");
  });

  it("refuses a log backup in SIMPLE recovery (4208) and before any full backup (4214)", () => {
    const model = createInstanceModel({ databases: [{ name: "s", recoveryModel: "SIMPLE" }, { name: "f" }] });
    const ctx = execContext();
    expect(sqlError(() => model.backup(ctx, log("s"))).number).toBe(4208);
    const e = sqlError(() => model.backup(ctx, log("f")));
    expect(e.number).toBe(4214);
    expect(e.message).toBe("BACKUP LOG cannot be performed because there is no current database backup.");
  });

  it("starts the log chain only with a full backup that is not COPY_ONLY", () => {
    const model = createInstanceModel({ databases: [{ name: "f" }] });
    const ctx = execContext();
    model.backup(ctx, full("f", true));
    expect(sqlError(() => model.backup(ctx, log("f"))).number).toBe(4214);
    model.backup(ctx, full("f"));
    model.backup(ctx, log("f"));
    model.backup(ctx, log("f"));
    const sets = rows(model, "msdb.dbo.backupset");
    expect(sets.map((s) => [s.type, s.is_copy_only])).toEqual([
      ["D", true],
      ["D", false],
      ["L", false],
      ["L", false],
    ]);
    // Log backups continue each other and point at the full backup that started the chain.
    expect(sets[3].first_lsn).toBe(sets[2].last_lsn);
    expect(sets[2].database_backup_lsn).toBe(sets[1].first_lsn);
  });

  it("switching to SIMPLE breaks the chain until the next full backup", () => {
    const model = createInstanceModel({ databases: [{ name: "f", fullBackup: true }] });
    const ctx = execContext();
    model.backup(ctx, log("f"));
    model.setRecoveryModel(ctx, "f", "SIMPLE");
    model.setRecoveryModel(ctx, "f", "FULL");
    expect(sqlError(() => model.backup(ctx, log("f"))).number).toBe(4214);
  });

  it("refuses tempdb and missing databases", () => {
    const model = createInstanceModel();
    expect(sqlError(() => model.backup(execContext(), full("tempdb"))).number).toBe(3147);
    expect(sqlError(() => model.backup(execContext(), full("nope"))).number).toBe(911);
  });

  it("log use shows in sys.dm_db_log_space_usage and log_reuse_wait_desc until a log backup", () => {
    const model = createInstanceModel({ databases: [{ name: "f", fullBackup: true }] });
    model.setLogUsePercent("f", 80);
    const ctx = execContext("sa", "f");
    expect(rows(model, "sys.dm_db_log_space_usage", ctx)[0].used_log_space_in_percent).toBe("80.00");
    expect(rows(model, "sys.databases").find((d) => d.name === "f")?.log_reuse_wait_desc).toBe("LOG_BACKUP");
    model.backup(execContext(), log("f"));
    expect(rows(model, "sys.databases").find((d) => d.name === "f")?.log_reuse_wait_desc).toBe("NOTHING");
  });
});

describe("logins", () => {
  it("always has sa (default password Passw0rd!) beside the extra logins", () => {
    const model = createInstanceModel({ logins: [{ name: "app", password: "pw", defaultDatabase: "msdb" }] });
    expect(model.authenticate("sa", "Passw0rd!")).toBe(true);
    expect(model.authenticate("app", "pw")).toBe(true);
    expect(model.authenticate("nobody", "pw")).toBe(false);
    expect(model.isSysadmin("app")).toBe(false);
    expect(model.defaultDatabase("app")).toBe("msdb");
    const custom = createInstanceModel({ logins: [{ name: "sa", password: "Other1!" }] });
    expect(custom.authenticate("sa", "Passw0rd!")).toBe(false);
    expect(custom.authenticate("sa", "Other1!")).toBe(true);
  });
});

describe("sys.database_recovery_status", () => {
  it("has a last log backup LSN only while a log backup chain exists", () => {
    const model = createInstanceModel({ databases: [{ name: "f" }, { name: "s", recoveryModel: "SIMPLE" }] });
    const ctx = execContext();
    const lsnOf = (name: string) => {
      const id = rows(model, "sys.databases").find((d) => d.name === name)?.database_id;
      return rows(model, "sys.database_recovery_status").find((r) => r.database_id === id)
        ?.last_log_backup_lsn;
    };
    expect(lsnOf("f")).toBeNull();
    model.backup(ctx, full("f", true));
    expect(lsnOf("f")).toBeNull();
    model.backup(ctx, full("f"));
    expect(lsnOf("f")).not.toBeNull();
    model.backup(ctx, full("s"));
    expect(lsnOf("s")).toBeNull();
    model.setRecoveryModel(ctx, "f", "SIMPLE");
    model.setRecoveryModel(ctx, "f", "FULL");
    expect(lsnOf("f")).toBeNull();
  });
});

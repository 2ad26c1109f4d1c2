import { describe, expect, it } from "vitest";
import { TsqlInputError } from "../quote";
import { buildLogBackupSql } from "./backup";
import { buildFirstLogBackupSql } from "./first-log-backup";

describe("buildFirstLogBackupSql", () => {
  const sql = buildFirstLogBackupSql("Sales]Db", { disk: "/var/opt/mssql/backup/it's.bak" });

  it("runs the quoted BACKUP LOG only inside the guard, then reports whether it ran", () => {
    const backup = buildLogBackupSql("Sales]Db", { disk: "/var/opt/mssql/backup/it's.bak" });
    expect(backup).toBe("BACKUP LOG [Sales]]Db] TO DISK = N'/var/opt/mssql/backup/it''s.bak';");
    const guardEnd = sql.indexOf("\nBEGIN\n");
    expect(sql.indexOf(backup)).toBeGreaterThan(guardEnd);
    expect(sql.split(backup)).toHaveLength(2);
    expect(sql.trim().endsWith("SELECT @backup_taken AS backup_taken;")).toBe(true);
  });

  it("guards on a completed seeding, no seeding running, and no log backup since", () => {
    const guard = sql.slice(0, sql.indexOf("\nBEGIN\n"));
    expect(guard).toMatch(/MAX\(s\.completion_time\)[^]*current_state = N'COMPLETED'/);
    expect(guard).toMatch(/@seeded_at IS NOT NULL/);
    expect(guard).toMatch(/NOT IN \(N'COMPLETED', N'FAILED'\)/);
    expect(guard).toMatch(/sys\.dm_hadr_physical_seeding_stats[^]*NOT IN \(N'SUCCESS', N'FAILED'\)/);
    expect(guard).toMatch(/b\.type = 'L' AND b\.backup_start_date >= @seeded_at/);
    // Names travel as parameters, never in the text.
    expect(guard).toMatch(/ag\.name = @dagName/);
    expect(guard).toMatch(/local_database_name = @database/);
  });

  it("refuses a bad target as the log backup does", () => {
    expect(() => buildFirstLogBackupSql("d", { disk: "" })).toThrow(TsqlInputError);
  });
});

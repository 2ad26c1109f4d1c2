/**
 * The log warnings of the preflight: a database without a recent log backup, and one whose log is
 * held (waiting for a log backup or for a replica of the link). Warnings only: nothing fails.
 */
import { describe, expect, it } from "vitest";
import { logBackupWarnings, LOG_BACKUP_WARNING_HOURS } from "../../src/components/preflight-log";
import type { SqlServerDatabaseInfo, SqlServerInfo } from "../../src/components/sql-server-info";

const NOW = new Date("2026-06-01T12:00:00Z");

function info(databases: Array<Partial<SqlServerDatabaseInfo> & { name: string }>): SqlServerInfo {
  return {
    serverName: "SQL1",
    productVersion: "16.0.4125.3",
    productMajorVersion: 16,
    productUpdateLevel: "CU13",
    edition: "Developer Edition (64-bit)",
    engineEdition: 3,
    isHadrEnabled: true,
    collation: "SQL_Latin1_General_CP1_CI_AS",
    databases: databases.map((d) => ({
      state: "ONLINE",
      recoveryModel: "FULL",
      isSystem: false,
      availabilityGroup: null,
      lastFullBackup: "2026-05-30T00:00:00.000Z",
      lastLogBackup: "2026-06-01T11:00:00.000Z",
      logReuseWait: "NOTHING",
      ...d,
    })),
    mirroringEndpoint: null,
    endpointCertificate: null,
  };
}

describe("logBackupWarnings", () => {
  it("says nothing about a database with a recent log backup and nothing holding its log", () => {
    expect(logBackupWarnings(info([{ name: "Sales" }]), ["Sales"], NOW)).toEqual([]);
  });

  it("warns about a database never or not recently backed up (log)", () => {
    const stale = new Date(NOW.getTime() - (LOG_BACKUP_WARNING_HOURS + 1) * 3_600_000).toISOString();
    const warnings = logBackupWarnings(
      info([
        { name: "Sales", lastLogBackup: null },
        { name: "Orders", lastLogBackup: stale },
      ]),
      ["Sales", "orders"],
      NOW,
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^\[Sales\]: no log backup in the last 24 h \(last: never\)/);
    expect(warnings[1]).toContain(`[Orders]: no log backup in the last 24 h (last: ${stale})`);
    expect(warnings[1]).toMatch(/error 9002/);
  });

  it("with the log backup job asked for, an old last log backup is no warning; a held log still is", () => {
    const warnings = logBackupWarnings(
      info([{ name: "Sales", lastLogBackup: null, logReuseWait: "AVAILABILITY_REPLICA" }]),
      ["Sales"],
      NOW,
      { scheduled: true },
    );
    expect(warnings).toEqual([expect.stringMatching(/^\[Sales\]: the log cannot be truncated/)]);
  });

  it("warns when the log is held by a missing log backup or by a replica of the link", () => {
    const warnings = logBackupWarnings(
      info([
        { name: "Sales", logReuseWait: "LOG_BACKUP" },
        { name: "Orders", logReuseWait: "AVAILABILITY_REPLICA" },
      ]),
      ["Sales", "Orders"],
      NOW,
    );
    expect(warnings).toEqual([
      expect.stringMatching(/^\[Sales\]: the log cannot be truncated \(log_reuse_wait_desc = LOG_BACKUP\)/),
      expect.stringMatching(
        /^\[Orders\]: the log cannot be truncated \(log_reuse_wait_desc = AVAILABILITY_REPLICA\)/,
      ),
    ]);
  });

  it("ignores SIMPLE recovery, system and missing databases", () => {
    const warnings = logBackupWarnings(
      info([
        { name: "Simple", recoveryModel: "SIMPLE", lastLogBackup: null },
        { name: "msdb", isSystem: true, lastLogBackup: null },
      ]),
      ["Simple", "msdb", "Missing"],
      NOW,
    );
    expect(warnings).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { TsqlInputError } from "../quote";
import { buildFullBackupSql, buildLogBackupSql, type BackupTarget } from "./backup";

describe("buildFullBackupSql", () => {
  it("matches the runbook's statement for a disk target", () => {
    expect(buildFullBackupSql("SalesDb", { disk: "/var/opt/mssql/backup/SalesDb.bak" })).toBe(
      "BACKUP DATABASE [SalesDb] TO DISK = N'/var/opt/mssql/backup/SalesDb.bak';",
    );
  });

  it("backs up to URL with options in a fixed order", () => {
    expect(
      buildFullBackupSql(
        "SalesDb",
        { url: "https://acct.blob.core.windows.net/backups/SalesDb.bak" },
        { compression: true, checksum: true, init: true, stats: 10 },
      ),
    ).toBe(
      "BACKUP DATABASE [SalesDb] TO URL = N'https://acct.blob.core.windows.net/backups/SalesDb.bak'\n" +
        "WITH COMPRESSION, CHECKSUM, INIT, STATS = 10;",
    );
  });

  it("does not write COPY_ONLY unless asked (a copy-only backup does not start the chain)", () => {
    expect(buildFullBackupSql("d", { disk: "NUL" })).not.toContain("COPY_ONLY");
    expect(buildFullBackupSql("d", { disk: "NUL" }, { copyOnly: true })).toBe(
      "BACKUP DATABASE [d] TO DISK = N'NUL'\nWITH COPY_ONLY;",
    );
  });

  it("keeps hostile paths inside one literal", () => {
    expect(buildFullBackupSql("d", { disk: "C:\\b\\x'; DROP TABLE t; --.bak" })).toBe(
      "BACKUP DATABASE [d] TO DISK = N'C:\\b\\x''; DROP TABLE t; --.bak';",
    );
  });

  it("refuses bad targets and options, naming the field", () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as TsqlInputError).field;
      }
    };
    expect(field(() => buildFullBackupSql("d", { disk: "" }))).toBe("target.disk");
    expect(field(() => buildFullBackupSql("d", { disk: "a\u0000b" }))).toBe("target.disk");
    expect(field(() => buildFullBackupSql("d", { url: "http://x/y.bak" }))).toBe("target.url");
    expect(field(() => buildFullBackupSql("d", { url: "https://x/y z.bak" }))).toBe("target.url");
    expect(field(() => buildFullBackupSql("d", {} as BackupTarget))).toBe("target");
    expect(field(() => buildFullBackupSql("d", { disk: "NUL" }, { stats: 0 }))).toBe("options.stats");
    expect(field(() => buildFullBackupSql("d", { disk: "NUL" }, { stats: 1.5 }))).toBe("options.stats");
    expect(field(() => buildFullBackupSql("", { disk: "NUL" }))).toBe("database");
  });
});

describe("buildLogBackupSql", () => {
  it("backs up the log", () => {
    expect(buildLogBackupSql("SalesDb", { disk: "/backup/SalesDb.trn" })).toBe(
      "BACKUP LOG [SalesDb] TO DISK = N'/backup/SalesDb.trn';",
    );
    expect(buildLogBackupSql("a]b", { disk: "NUL" }, { checksum: true })).toBe(
      "BACKUP LOG [a]]b] TO DISK = N'NUL'\nWITH CHECKSUM;",
    );
  });
});

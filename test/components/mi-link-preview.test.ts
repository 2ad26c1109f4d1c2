/**
 * MiLink during `pulumi preview` (mocks in preview mode): the read-only lookup and the prerequisite
 * checks run, so every child is registered and shown, and the review script is available. With
 * `cutover: true` each database declares only its LinkCutover (nothing of the link, so nothing is
 * created again), and the script lists the cutover; without it, a backup target adds the first log
 * backup and `logBackupSchedule` the Agent job.
 */
import { createRequire } from "node:module";
import type * as PulumiModule from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import type * as Package from "../../src/index";
import { buildIfStale } from "../support/build";

const nativeRequire = createRequire(__filename);
const pulumi = nativeRequire("@pulumi/pulumi") as typeof PulumiModule;

const registered: { type: string; name: string }[] = [];

void pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name });
      return { id: undefined as unknown as string, state: args.inputs };
    },
    call(args) {
      if (args.token !== "azure-native:sql:getManagedInstance")
        throw new Error(`unexpected invoke ${args.token}`);
      return {
        id: "/subscriptions/00000000-0000-0000-0000-0000000000bb/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/sqlmi1",
        fullyQualifiedDomainName: "sqlmi1.abc.database.windows.net",
        databaseFormat: "SQLServer2022",
        collation: "SQL_Latin1_General_CP1_CI_AS",
      };
    },
  },
  "project",
  "stack",
  true,
);

const pkg = nativeRequire("../../dist/index.js") as typeof Package;

const LOG_BACKUPS: Partial<Package.MiLinkArgs> = {
  backupTarget: { disk: "/backup/sales.bak" },
  logBackupSchedule: { everyMinutes: 15, directory: "/backup" },
};

describe("MiLink in preview", () => {
  let emulator: SqlServerEmulator;

  beforeAll(async () => {
    await buildIfStale();
    emulator = new SqlServerEmulator({
      databases: [{ name: "Sales", recoveryModel: "FULL", fullBackup: true }],
    });
    await emulator.start();
  }, 120_000);

  afterAll(async () => {
    await emulator?.stop();
  });

  function miLink(name: string, extra: Partial<Package.MiLinkArgs>) {
    const info = emulator.connectionInfo();
    return new pkg.MiLink(name, {
      sqlServer: {
        host: info.host,
        port: info.port,
        user: info.user,
        password: pulumi.secret(info.password),
        trustServerCertificate: true,
        endpointHost: "10.0.0.4",
      },
      managedInstance: { resourceGroupName: "rg", name: "sqlmi1" },
      databases: ["Sales"],
      masterKeyPassword: pulumi.secret("Mk-preview-1"),
      ...extra,
    });
  }

  async function linkChildren(link: Package.MiLink, prefix: string): Promise<string[]> {
    await (link.script as unknown as { promise(): Promise<string> }).promise();
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
    return registered
      .map((r) => r.name)
      .filter((n) => n.startsWith(prefix))
      .sort();
  }

  it("shows every child and the script, and changes nothing on SQL Server", async () => {
    emulator.tds.resetCounters();
    const link = miLink("pv", {});
    const script = await (link.script as unknown as { promise(): Promise<string> }).promise();
    expect(script).toContain("CREATE AVAILABILITY GROUP [DAG_Sales]");
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
    expect(
      registered
        .map((r) => r.name)
        .filter((n) => n === "pv" || n.startsWith("pv-"))
        .sort(),
    ).toEqual(
      [
        "pv",
        "pv-trust",
        "pv-trust-master-key",
        "pv-trust-endpoint-cert",
        "pv-trust-sql-cert-on-mi",
        "pv-trust-mi-endpoint-cert",
        "pv-trust-root-microsoftpki",
        "pv-trust-root-digicertpki",
        "pv-trust-mi-cert",
        "pv-trust-endpoint",
        "pv-sales",
        "pv-sales-readiness",
        "pv-sales-ag",
        "pv-sales-dag",
        "pv-sales-link",
        "pv-sales-link-readiness",
        "pv-link-certificate",
      ].sort(),
    );
    for (const entry of emulator.tds.requestLog()) {
      expect(JSON.stringify(entry)).not.toMatch(/\b(CREATE|ALTER|DROP|BACKUP)\b/);
    }
  });

  it("cutover: true declares only the cutover per database, and the script lists it", async () => {
    const link = miLink("cut", { ...LOG_BACKUPS, cutover: true });
    expect(await linkChildren(link, "cut-sales")).toEqual(["cut-sales", "cut-sales-cutover"]);
    expect(await linkChildren(link, "cut-link-certificate")).toEqual([]);
    const script = await (link.script as unknown as { promise(): Promise<string> }).promise();
    expect(script).toContain("-- Cutover of [Sales] (ends the link)");
    const cutover = registered.find((r) => r.name === "cut-sales-cutover");
    expect(cutover?.type).toBe("pulumi-nodejs:dynamic/mi-link:LinkCutover");
  });

  it("without cutover, the first log backup and the Agent job follow the link", async () => {
    const link = miLink("keep", LOG_BACKUPS);
    expect(await linkChildren(link, "keep-sales")).toEqual(
      [
        "keep-sales",
        "keep-sales-readiness",
        "keep-sales-ag",
        "keep-sales-dag",
        "keep-sales-link",
        "keep-sales-link-readiness",
        "keep-sales-log-backup",
        "keep-sales-log-backup-job",
      ].sort(),
    );
    expect(await linkChildren(link, "keep-link-certificate")).toEqual(["keep-link-certificate"]);
  });
});

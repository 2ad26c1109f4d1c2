/**
 * A local world for the link: one SQL Server emulator and one ARM emulator
 * hosting a managed instance, wired so that a link created through ARM joins
 * the SQL Server's distributed availability group.
 */
import { ArmEmulator } from "./arm/server";
import { SqlServerEmulator, type SqlServerConnectionInfo } from "./sqlserver";
import type { InstanceChange, SqlServerInstance } from "./sqlserver/model";

export interface LocalWorldOptions {
  sqlPort?: number;
  armPort?: number;
  serverName?: string;
  productVersion?: string;
  edition?: string;
  collation?: string;
  hadrEnabled?: boolean;
  /** User databases present at start (FULL recovery, no backup yet). */
  databases?: string[];
  latencyMs?: number;
  seedingSeconds?: number;
  /** Managed instance update policy (`databaseFormat`). */
  databaseFormat?: "SQLServer2022" | "AlwaysUpToDate" | "SQLServer2025";
  /** Duration of each ARM long-running operation, in milliseconds. */
  armOperationMs?: number;
  /** How long after the managed instance becomes a database's primary its first full backup exists. Default 0.1. */
  firstFullBackupSeconds?: number;
  stateFile?: string;
}

export interface LocalWorldInfo {
  sql: SqlServerConnectionInfo;
  arm: {
    endpoint: string;
    subscriptionId: string;
    resourceGroupName: string;
    managedInstanceName: string;
    fqdn: string;
    /** PEM of the certificate the ARM emulator serves HTTPS with: trust it in clients (`tlsOptions: { ca }`). */
    tlsCaPem?: string;
  };
}

export interface LocalWorld {
  info: LocalWorldInfo;
  sql: SqlServerEmulator;
  arm: ArmEmulator;
  stop(): Promise<void>;
}

export async function startLocalWorld(options: LocalWorldOptions = {}): Promise<LocalWorld> {
  const sql = new SqlServerEmulator({
    port: options.sqlPort,
    serverName: options.serverName,
    productVersion: options.productVersion,
    edition: options.edition,
    collation: options.collation,
    hadrEnabled: options.hadrEnabled,
    databases: options.databases?.map((name) => ({ name })),
    latencyMs: options.latencyMs,
    stateFile: options.stateFile,
    timings:
      options.seedingSeconds === undefined
        ? undefined
        : { seedingMs: Math.round(options.seedingSeconds * 1000) },
  });
  const sqlInfo = await sql.start();
  const arm = new ArmEmulator({
    port: options.armPort,
    databaseFormat: options.databaseFormat,
    collation: options.collation,
    latencyMs: options.latencyMs,
    lroDelayMs: options.armOperationMs,
    firstFullBackupDelayMs:
      options.firstFullBackupSeconds === undefined
        ? undefined
        : Math.round(options.firstFullBackupSeconds * 1000),
    sqlServer: sql.model.partner,
  });
  const { endpoint, tlsCaPem } = await arm.start();
  const mi = arm.managedInstance();
  // The mirroring transport authenticates again when SQL Server's endpoint or certificates change:
  // the managed instance re-checks its links at that statement, not at its next poll, so an
  // endpoint switched to a certificate the MI lacks shows 41973 however briefly it lasts.
  const recheckOnTrustChange = (instance: SqlServerInstance) =>
    instance.on("change", (change: InstanceChange) => {
      if (change.kind === "statement" && /ENDPOINT|CERTIFICATE/.test(change.detail)) mi.links.reevaluate();
    });
  recheckOnTrustChange(sql.model);
  // A restarted SQL Server is a new instance: the managed instance's link partner follows it.
  sql.onRestart((instance) => {
    arm.attachSqlServer(instance.partner);
    recheckOnTrustChange(instance);
  });
  return {
    info: {
      sql: sqlInfo,
      arm: {
        endpoint,
        subscriptionId: arm.subscriptionId,
        resourceGroupName: mi.resourceGroupName,
        managedInstanceName: mi.name,
        fqdn: mi.fqdn,
        tlsCaPem,
      },
    },
    sql,
    arm,
    async stop() {
      await arm.stop();
      await sql.stop();
    },
  };
}

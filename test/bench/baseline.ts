/**
 * The sequential baseline: the runbook "Configure link with scripts" done by hand, one database after
 * another, with the same drivers the package uses (mssql for the T-SQL scripts as written, ARM REST through
 * @azure/arm-sql's pipeline for the Azure steps). The server-level steps (master key, certificates,
 * endpoint) run once; then, per database: recovery and backup, the AG, the DAG, the link in Azure, a
 * wait (one query per second, as LinkReadiness does) until the link is CONNECTED and the database
 * SYNCHRONIZING, the level MiLink waits for by default, and the runbook's "Take first transaction log
 * backup" (MiLink's LogBackup takes it in the same up).
 */
import { SqlManagementClient } from "@azure/arm-sql";
import { StaticTokenCredential, type LocalWorld } from "pulumi-mi-link/testing";
import { readLinkHealth } from "pulumi-mi-link/dist/testing/demo.js";
import { armLongRunning } from "../../src/testing/arm/test-support";
import { seedScript } from "../seed/runbook";
import { openMssqlRunner } from "../seed/runners";

const ENDPOINT_PORT = "5022";
const SQL_SERVER_IP = "10.0.0.4";

/** One hand-run session of the runbook: an mssql connection and an ARM client. */
export interface RunbookSession {
  /** The server-level steps: master key, endpoint certificate both ways, root authorities, endpoint. */
  prepareServer(): Promise<void>;
  /** Per database: recovery and backup, the AG, the DAG and the link in Azure (no wait). */
  createLink(database: string): Promise<string>;
  /** The first log backup, once the link seeded the database. */
  firstLogBackup(database: string): Promise<void>;
  close(): Promise<void>;
}

export async function openRunbookSession(world: LocalWorld): Promise<RunbookSession> {
  const { sql, arm: armInfo } = world.info;
  const runner = await openMssqlRunner(sql);
  const arm = new SqlManagementClient(new StaticTokenCredential(), armInfo.subscriptionId, {
    endpoint: armInfo.endpoint,
    tlsOptions: { ca: armInfo.tlsCaPem },
  });
  const rg = armInfo.resourceGroupName;
  const mi = armInfo.managedInstanceName;
  const common = {
    strong_password: "Bench-Master-Key-1!",
    ManagedInstanceFQDN: armInfo.fqdn,
    ManagedInstanceName: mi,
    EndpointPort: ENDPOINT_PORT,
    SQLServerIP: SQL_SERVER_IP,
    SQLServerName: sql.serverName,
  };
  const run = (file: string, extra: Record<string, string> = {}, edit = (s: string) => s) =>
    runner.runScript(edit(seedScript(file, { ...common, ...extra })));
  return {
    async prepareServer() {
      await run("02-master-key.sql");
      // The runbook's sample date is in the past; the runbook asks for a future one.
      await run("03-endpoint-certificate.sql", {}, (s) => s.replace("'03/30/2025'", "'03/30/2030'"));
      const publicKey = await run("05-certificate-public-key.sql");
      const certificateName = String(publicKey.resultSets[0][0].SQLServerCertName);
      const blob = publicKey.resultSets[1][0].SQLServerPublicKey as Buffer;
      await arm.serverTrustCertificates.beginCreateOrUpdateAndWait(
        rg,
        mi,
        certificateName,
        { publicBlob: "0x" + blob.toString("hex").toUpperCase() },
        // Polled as closely as the rehearsal polls (the SDK's default is every 2 s, which on a 2 s
        // operation can cost the baseline one more interval).
        { updateIntervalInMs: 10 },
      );
      const miCertificate = await arm.endpointCertificates.get(rg, mi, "DATABASE_MIRRORING");
      await run("06-import-mi-certificate.sql", { PublicKey: "0x" + miCertificate.publicBlob });
      await run("07-microsoft-pki.sql");
      await run("08-digicert-pki.sql");
      await run("15-create-endpoint.sql", { SQL_SERVER_CERTIFICATE: certificateName });
    },
    async createLink(database) {
      const names = {
        DatabaseName: database,
        DiskPath: `/var/opt/mssql/backup/${database}.bak`,
        AGNameOnSQLServer: `AG_${database}`,
        AGNameOnSQLMI: `AG_${database}_MI`,
        DAGName: `DAG_${database}`,
      };
      await run("01-recovery-and-backup.sql", names);
      await run("19-create-ag.sql", names);
      await run("20-create-dag.sql", names);
      const url =
        `${armInfo.endpoint}/subscriptions/${armInfo.subscriptionId}/resourceGroups/${rg}` +
        `/providers/Microsoft.Sql/managedInstances/${mi}/distributedAvailabilityGroups/${names.DAGName}` +
        `?api-version=2023-08-01`;
      await armLongRunning(arm, url, "PUT", {
        properties: {
          partnerAvailabilityGroupName: names.AGNameOnSQLServer,
          instanceAvailabilityGroupName: names.AGNameOnSQLMI,
          databases: [{ databaseName: database }],
          partnerEndpoint: `TCP://${SQL_SERVER_IP}:${ENDPOINT_PORT}`,
          instanceLinkRole: "Secondary",
        },
      });
      return names.DAGName;
    },
    async firstLogBackup(database) {
      // The runbook links to "Back up log files on SQL Server" for the statement; the file is the
      // database's own, next to its full backup.
      await runner.runScript(`BACKUP LOG [${database}] TO DISK = N'/var/opt/mssql/backup/${database}.trn';`);
    },
    close: () => runner.close(),
  };
}

/** Runs the runbook for `databases` in order, each waited for; resolves with the wall seconds. */
export async function runSequentialBaseline(world: LocalWorld, databases: string[]): Promise<number> {
  const started = Date.now();
  const session = await openRunbookSession(world);
  try {
    await session.prepareServer();
    for (const database of databases) {
      const dagName = await session.createLink(database);
      await waitSynchronizing(world, database, dagName);
      await session.firstLogBackup(database);
    }
    return (Date.now() - started) / 1000;
  } finally {
    await session.close();
  }
}

async function waitSynchronizing(world: LocalWorld, database: string, dagName: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const polledAt = Date.now();
    const health = (await readLinkHealth(world, { [database]: dagName }))[database];
    const state = health.synchronizationState;
    if (health.connectedState === "CONNECTED" && (state === "SYNCHRONIZING" || state === "SYNCHRONIZED"))
      return;
    if (polledAt > deadline) throw new Error(`baseline: ${dagName} not synchronizing after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, polledAt + 1000 - Date.now())));
  }
}

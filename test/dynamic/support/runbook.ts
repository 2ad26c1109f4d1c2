/**
 * The runbook's T-SQL scripts ("Configure link with scripts") run as the SQL Server emulator's
 * administrator in a local world, with the runbook's placeholders filled for one database, and an
 * Azure client for the runbook's Azure steps: how the link tests build the link by hand.
 */
import { SqlManagementClient } from "@azure/arm-sql";
import { StaticTokenCredential } from "../../../src/testing/arm/credential";
import type { LocalWorld } from "../../../src/testing/world";
import { seedScript, splitBatches } from "../../seed/runbook";
import { adminQuery } from "./availability-groups";

/** The runbook's port of the database mirroring endpoint. */
export const ENDPOINT_PORT = "5022";
/** The address the managed instance reaches SQL Server at, in the runbook's names. */
export const SQL_SERVER_IP = "10.0.0.4";
/** The runbook's master key password (a secret the tests look for in state and logs). */
export const MASTER_KEY_PASSWORD = "Str0ng!MasterKey#Pass";

export interface RunbookSession {
  /** The runbook's placeholders, filled: `AGNameOnSQLServer`, `AGNameOnSQLMI`, `DAGName`, ... */
  names: Record<string, string>;
  /** The Azure SQL management client of the world's ARM emulator. */
  arm: SqlManagementClient;
  /**
   * Runs a runbook script (`extra` fills further placeholders, `edit` changes the text before it
   * is split into GO batches); returns the result sets of all batches, in order.
   */
  run(
    file: string,
    extra?: Record<string, string>,
    edit?: (text: string) => string,
  ): Promise<Record<string, unknown>[][]>;
  /**
   * Script 05 and the Azure step after it: the managed instance trusts SQL Server's endpoint
   * certificate. Returns the certificate's name.
   */
  trustSqlServerCertificate(): Promise<string>;
}

/** A session for the runbook's link of `database` (`AG_<db>`, `AG_<db>_MI`, `DAG_<db>`). */
export function runbookSession(world: LocalWorld, database: string): RunbookSession {
  const names: Record<string, string> = {
    DatabaseName: database,
    DiskPath: `/var/opt/mssql/backup/${database}.bak`,
    strong_password: MASTER_KEY_PASSWORD,
    ManagedInstanceFQDN: world.info.arm.fqdn,
    ManagedInstanceName: world.info.arm.managedInstanceName,
    EndpointPort: ENDPOINT_PORT,
    SQLServerIP: SQL_SERVER_IP,
    SQLServerName: world.info.sql.serverName,
    AGNameOnSQLServer: `AG_${database}`,
    AGNameOnSQLMI: `AG_${database}_MI`,
    DAGName: `DAG_${database}`,
  };
  const arm = new SqlManagementClient(new StaticTokenCredential(), world.info.arm.subscriptionId, {
    endpoint: world.info.arm.endpoint,
    tlsOptions: { ca: world.info.arm.tlsCaPem },
  });
  const run = async (file: string, extra: Record<string, string> = {}, edit = (text: string) => text) => {
    const results: Record<string, unknown>[][] = [];
    for (const batch of splitBatches(edit(seedScript(file, { ...names, ...extra })))) {
      results.push(...(await adminQuery(world.sql, batch)));
    }
    return results;
  };
  const trustSqlServerCertificate = async () => {
    const { resourceGroupName: rg, managedInstanceName: mi } = world.info.arm;
    const [[name], [blob]] = await run("05-certificate-public-key.sql");
    const certificateName = String(name.SQLServerCertName);
    const publicBlob = "0x" + (blob.SQLServerPublicKey as Buffer).toString("hex").toUpperCase();
    await arm.serverTrustCertificates.beginCreateOrUpdateAndWait(rg, mi, certificateName, { publicBlob });
    return certificateName;
  };
  return { names, arm, run, trustSqlServerCertificate };
}

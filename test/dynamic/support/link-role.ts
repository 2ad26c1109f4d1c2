/**
 * The link the LinkRole tests fail over: the runbook's scripts on SQL Server as the administrator
 * and the link created in Azure, waited for until the database replicates; and the LinkRole
 * inputs for that link.
 */
import * as pulumi from "@pulumi/pulumi";
import { armLongRunning } from "../../../src/testing/arm/test-support";
import type { LocalWorld } from "../../../src/testing/world";
import { adminQuery } from "./availability-groups";
import { runbookSession } from "./runbook";

/** The runbook's objects on SQL Server and the link in Azure, until the database replicates. */
export async function setUpLink(world: LocalWorld, DB: string): Promise<void> {
  const DAG = `DAG_${DB}`;
  const AG = `AG_${DB}`;
  const MI_AG = `AG_${DB}_MI`;
  const { arm, run, trustSqlServerCertificate } = runbookSession(world, DB);
  const { endpoint, subscriptionId, resourceGroupName: rg, managedInstanceName: mi } = world.info.arm;
  await run("01-recovery-and-backup.sql");
  await run("02-master-key.sql");
  await run("03-endpoint-certificate.sql", {}, (s) => s.replace("'03/30/2025'", "'03/30/2030'"));
  const certificateName = await trustSqlServerCertificate();
  const miCertificate = await arm.endpointCertificates.get(rg, mi, "DATABASE_MIRRORING");
  await run("06-import-mi-certificate.sql", { PublicKey: "0x" + miCertificate.publicBlob });
  await run("07-microsoft-pki.sql");
  await run("08-digicert-pki.sql");
  await run("15-create-endpoint.sql", { SQL_SERVER_CERTIFICATE: certificateName });
  await run("19-create-ag.sql");
  await run("20-create-dag.sql");
  await armLongRunning(
    arm,
    `${endpoint}/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Sql/managedInstances/${mi}` +
      `/distributedAvailabilityGroups/${DAG}?api-version=2023-08-01`,
    "PUT",
    {
      properties: {
        partnerAvailabilityGroupName: AG,
        instanceAvailabilityGroupName: MI_AG,
        databases: [{ databaseName: DB }],
        partnerEndpoint: "TCP://10.0.0.4:5022",
        instanceLinkRole: "Secondary",
      },
    },
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [rows] = await adminQuery(
      world.sql,
      `SELECT drs.synchronization_state_desc FROM sys.dm_hadr_database_replica_states drs
         JOIN sys.availability_groups ag ON ag.group_id = drs.group_id
        WHERE ag.name = N'${DAG}' AND drs.is_local = 0;`,
    );
    if (rows[0]?.synchronization_state_desc === "SYNCHRONIZING") return;
    if (Date.now() > deadline) throw new Error(`the link did not start replicating: ${JSON.stringify(rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What differs between the LinkRole tests' inputs. */
export interface LinkRoleSettings {
  /** The serialized provider (`__provider`). */
  provider: string;
  armAccessToken: string;
  productVersion: string;
  failoverMode: string;
}

/**
 * LinkRole inputs for the runbook's link of `DB` in `world`, SQL Server primary, with short
 * waits (20 ms polls, LSNs stable for 1 s, 20 s to synchronize); tests spread their changes on it.
 */
export function linkRoleInputs(
  world: LocalWorld,
  DB: string,
  settings: LinkRoleSettings,
): Record<string, unknown> {
  const info = world.info.sql;
  return {
    __provider: settings.provider,
    connection: { host: info.host, port: info.port, user: info.user, trustServerCertificate: true },
    password: pulumi.secret(info.password),
    subscriptionId: world.info.arm.subscriptionId,
    resourceGroupName: world.info.arm.resourceGroupName,
    managedInstanceName: world.info.arm.managedInstanceName,
    armEndpoint: world.info.arm.endpoint,
    tlsCaPem: world.info.arm.tlsCaPem,
    armAccessToken: pulumi.secret(settings.armAccessToken),
    armPollIntervalMs: 20,
    dagName: `DAG_${DB}`,
    agName: `AG_${DB}`,
    miAgName: `AG_${DB}_MI`,
    database: DB,
    primary: "SqlServer",
    productVersion: settings.productVersion,
    databaseFormat: "SQLServer2022",
    failoverMode: settings.failoverMode,
    synchronizationTimeoutSeconds: 20,
    lsnStableSeconds: 1,
  };
}

/**
 * The review script's log backup and cutover steps: the first log backup after seeding (with a
 * backup target), the Agent job (with logBackupSchedule), and with cutover the wait for the managed
 * instance's first full backup, then the link deleted before the DAG and AG are dropped.
 */
import { describe, expect, it } from "vitest";
import { resolveLinkNames } from "../../src/components/link-names";
import { renderScript, type ScriptPlan } from "../../src/components/script";

function plan(overrides: Partial<ScriptPlan> = {}): ScriptPlan {
  return {
    serverName: "SQL1",
    productVersion: "16.0.4125.3",
    certificateName: "Cert_SQL1_endpoint",
    certificateSubject: "Certificate for Cert_SQL1_endpoint",
    certificateExpiry: "2028-12-31",
    endpointName: "database_mirroring_endpoint",
    endpointHost: "10.0.0.4",
    endpointPort: 5022,
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroupName: "rg-data",
    managedInstanceName: "sqlmi1",
    managedInstanceFqdn: "sqlmi1.abc.database.windows.net",
    links: resolveLinkNames(["Sales"]),
    initialPrimary: "SqlServer",
    failoverMode: "Manual",
    replicationMode: "Async",
    ...overrides,
  };
}

function inOrder(text: string, parts: string[]): void {
  let at = 0;
  for (const part of parts) {
    const found = text.indexOf(part, at);
    expect(found, `"${part}" after position ${at}`).toBeGreaterThanOrEqual(0);
    at = found + part.length;
  }
}

describe("renderScript: log backups and cutover", () => {
  it("takes the first log backup after seeding to the backup target, then creates the Agent job", () => {
    const text = renderScript(
      plan({
        backupTarget: { disk: "/backup/sales.bak" },
        logBackupSchedule: { everyMinutes: 15, directory: "/backup" },
      }),
    );
    inOrder(text, [
      "BACKUP DATABASE [Sales] TO DISK = N'/backup/sales.bak';",
      "/distributedAvailabilityGroups/DAG_Sales?",
      "the first log backup, once",
      "BACKUP LOG [Sales] TO DISK = N'/backup/sales.bak';",
      "EXEC msdb.dbo.sp_add_job @job_name = N'LogBackup_Sales'",
      "@freq_subday_interval = 15;",
    ]);
    expect(text).not.toContain("Cutover");
  });

  it("without a backup target or schedule: no log backup, no job", () => {
    const text = renderScript(plan());
    expect(text).not.toContain("BACKUP LOG");
    expect(text).not.toContain("sp_add_job");
  });

  it("with cutover: waits for the first full backup, deletes the link, then drops the DAG and the AG", () => {
    const text = renderScript(plan({ cutover: true }));
    inOrder(text, [
      "-- Cutover of [Sales] (ends the link)",
      "GET https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-data/providers/Microsoft.Sql/managedInstances/sqlmi1/databases/Sales?api-version=2023-08-01",
      "DELETE https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-data/providers/Microsoft.Sql/managedInstances/sqlmi1/distributedAvailabilityGroups/DAG_Sales?api-version=2023-08-01",
      "DROP AVAILABILITY GROUP [DAG_Sales];",
      "DROP AVAILABILITY GROUP [AG_Sales];",
    ]);
    expect(text).not.toContain("DROP DATABASE");
  });
});

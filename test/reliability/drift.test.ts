/**
 * Drift, object by object: one out-of-band change per case on a two-link stack, or on a one-link stack
 * with its log backup Agent job (an object dropped, or altered, on SQL Server or on the managed
 * instance). Refresh must report exactly the resources the change touched, the next up must repair
 * exactly those, and both sides must then hold what the fault-free up made, down to the altered
 * properties; a further up changes nothing and destroy leaves nothing behind.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../src/testing/rehearsal";
import { buildCreateDistributedAgSql } from "../../src/tsql";
import { loadState } from "../../src/testing/rehearsal/state";
import { buildIfStale } from "../support/build";
import { adminBatch, catalogRows } from "../dynamic/support/emulator";
import { createCertificate, generateRsaKeyPair } from "../../src/testing/arm/x509";
import {
  type TestStack,
  destroyedClean,
  objects,
  startCutoverStack,
  startStack,
  withStack,
  DDL,
} from "./support/stack";

/** What refresh reports of a resource, and what the repairing up does with it. */
type Reported = "gone" | "drift";
type Repair = "create" | "update" | "replace";

interface DriftCase {
  label: string;
  /** The stack it runs on: two links (default), or one link with its log backup Agent job. */
  stack?: "links" | "job";
  /** The change made behind the stack's back. */
  change(stack: TestStack): Promise<unknown>;
  /** Resource name → what refresh must report (no other resource may be reported). */
  refresh: Record<string, Reported>;
  /** Resource name → what the next up must do (no other resource may change). */
  repair: Record<string, Repair>;
}

const CASES: DriftCase[] = [
  {
    label: "a root certificate dropped on SQL Server",
    change: (stack) => adminBatch(stack.world.sql, "DROP CERTIFICATE [DigiCertPKI];"),
    refresh: { "erp-trust-root-digicertpki": "gone" },
    repair: { "erp-trust-root-digicertpki": "create" },
  },
  {
    label: "the managed instance's certificate dropped on SQL Server",
    change: (stack) => adminBatch(stack.world.sql, `DROP CERTIFICATE [${stack.world.info.arm.fqdn}];`),
    refresh: { "erp-trust-mi-cert": "gone" },
    repair: { "erp-trust-mi-cert": "create" },
  },
  {
    label: "the mirroring endpoint stopped",
    change: (stack) =>
      adminBatch(stack.world.sql, "ALTER ENDPOINT [database_mirroring_endpoint] STATE = STOPPED;"),
    refresh: { "erp-trust-endpoint": "drift" },
    repair: { "erp-trust-endpoint": "update" },
  },
  {
    label: "the mirroring endpoint switched to Windows authentication and RC4",
    change: (stack) =>
      adminBatch(
        stack.world.sql,
        `ALTER ENDPOINT [database_mirroring_endpoint] FOR DATABASE_MIRRORING
           (AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM RC4);`,
      ),
    refresh: { "erp-trust-endpoint": "drift" },
    repair: { "erp-trust-endpoint": "update" },
  },
  {
    label: "the mirroring endpoint dropped",
    change: (stack) => adminBatch(stack.world.sql, "DROP ENDPOINT [database_mirroring_endpoint];"),
    refresh: { "erp-trust-endpoint": "gone" },
    repair: { "erp-trust-endpoint": "create" },
  },
  {
    label: "an availability group's replica given another endpoint URL",
    change: (stack) =>
      adminBatch(
        stack.world.sql,
        `ALTER AVAILABILITY GROUP [AG_Sales] MODIFY REPLICA ON N'SQL1' WITH (ENDPOINT_URL = N'TCP://10.9.9.9:5022');`,
      ),
    refresh: { "erp-sales-ag": "drift" },
    repair: { "erp-sales-ag": "update" },
  },
  {
    label: "a database taken out of its availability group on SQL Server",
    change: (stack) =>
      adminBatch(stack.world.sql, "ALTER AVAILABILITY GROUP [AG_Sales] REMOVE DATABASE [Sales];"),
    refresh: { "erp-sales-ag": "drift" },
    // Put back, it joins with a new group_database_id: the link is waited for, and backed up, again.
    repair: {
      "erp-sales-ag": "update",
      "erp-sales-link-readiness": "replace",
      "erp-sales-log-backup": "replace",
    },
  },
  {
    label: "the distributed availability group dropped on SQL Server",
    change: (stack) => adminBatch(stack.world.sql, "DROP AVAILABILITY GROUP [DAG_Sales];"),
    refresh: { "erp-sales-dag": "gone", "erp-sales-link-readiness": "gone" },
    // The managed instance's side of the link stays bound to the dropped group: a new link joins the new one.
    repair: {
      "erp-sales-dag": "create",
      "erp-sales-link": "replace",
      "erp-sales-link-readiness": "create",
      "erp-sales-log-backup": "replace",
    },
  },
  {
    label: "the distributed availability group's member on SQL Server switched to synchronous commit",
    change: (stack) =>
      adminBatch(
        stack.world.sql,
        `ALTER AVAILABILITY GROUP [DAG_Sales] MODIFY AVAILABILITY GROUP ON N'AG_Sales' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT);`,
      ),
    refresh: { "erp-sales-dag": "drift" },
    repair: { "erp-sales-dag": "update" },
  },
  {
    label: "the distributed availability group dropped and made again out of band",
    change: async (stack) => {
      const groups = catalogRows(stack.world.sql, "sys.availability_groups");
      const dag = groups.find((g) => g.name === "DAG_Sales");
      const sqlMember = catalogRows(stack.world.sql, "sys.availability_replicas").find(
        (r) => r.group_id === dag?.group_id && r.replica_server_name === "AG_Sales",
      );
      const { fqdn, managedInstanceName } = stack.world.info.arm;
      await adminBatch(stack.world.sql, "DROP AVAILABILITY GROUP [DAG_Sales];");
      await adminBatch(
        stack.world.sql,
        buildCreateDistributedAgSql({
          dagName: "DAG_Sales",
          agName: "AG_Sales",
          miAgName: "AG_Sales_MI",
          sqlServerListenerUrl: String(sqlMember?.endpoint_url),
          miFqdn: fqdn,
          miName: managedInstanceName,
          database: "Sales",
          initialPrimary: "SqlServer",
        }),
      );
    },
    refresh: { "erp-sales-dag": "drift" },
    repair: {
      "erp-sales-link": "replace",
      "erp-sales-link-readiness": "replace",
      "erp-sales-log-backup": "replace",
    },
  },
  {
    label: "a link deleted on the managed instance",
    change: async (stack) => {
      stack.world.arm.managedInstance().links.delete("DAG_Sales");
    },
    refresh: { "erp-sales-link": "gone" },
    // A new link (a new id in Azure): waited for again, and its first log backup taken or found again.
    repair: {
      "erp-sales-link": "create",
      "erp-sales-link-readiness": "replace",
      "erp-sales-log-backup": "replace",
    },
  },
  {
    label: "a link's replication mode switched to synchronous on the managed instance",
    change: async (stack) => {
      stack.world.arm.managedInstance().links.setReplicationMode("DAG_Sales", "Sync");
    },
    refresh: { "erp-sales-link": "drift" },
    repair: { "erp-sales-link": "update" },
  },
  {
    label: "the server trust certificate deleted on the managed instance",
    change: async (stack) => {
      stack.world.arm.managedInstance().trustCertificates.delete("Cert_SQL1_endpoint");
    },
    refresh: { "erp-trust-sql-cert-on-mi": "gone" },
    repair: { "erp-trust-sql-cert-on-mi": "create" },
  },
  {
    label: "the server trust certificate replaced on the managed instance by another under the same name",
    change: async (stack) => {
      const trusts = stack.world.arm.managedInstance().trustCertificates;
      trusts.delete("Cert_SQL1_endpoint");
      trusts.put(trusts.validatePut("Cert_SQL1_endpoint", otherCertificateHex()));
    },
    refresh: { "erp-trust-sql-cert-on-mi": "drift" },
    // Another certificate is not PUT over an existing trust (the ARM emulator refuses it): deleted, then uploaded.
    repair: { "erp-trust-sql-cert-on-mi": "replace" },
  },
  {
    label: "the log backup Agent job disabled on SQL Server",
    stack: "job",
    change: (stack) =>
      adminBatch(
        stack.world.sql,
        "EXEC msdb.dbo.sp_update_job @job_name = N'LogBackup_Sales', @enabled = 0;",
      ),
    refresh: { "sales-sales-log-backup-job": "drift" },
    repair: { "sales-sales-log-backup-job": "update" },
  },
  {
    label: "the log backup Agent job's schedule changed to once an hour",
    stack: "job",
    change: (stack) =>
      adminBatch(
        stack.world.sql,
        "EXEC msdb.dbo.sp_update_schedule @name = N'LogBackup_Sales', @freq_subday_interval = 60;",
      ),
    refresh: { "sales-sales-log-backup-job": "drift" },
    repair: { "sales-sales-log-backup-job": "update" },
  },
  {
    label: "the log backup Agent job deleted on SQL Server",
    stack: "job",
    change: (stack) =>
      adminBatch(stack.world.sql, "EXEC msdb.dbo.sp_delete_job @job_name = N'LogBackup_Sales';"),
    refresh: { "sales-sales-log-backup-job": "gone" },
    repair: { "sales-sales-log-backup-job": "create" },
  },
];

/** A fresh stack for `drift`: the two-link example, or the one-link program with a log backup job. */
async function stackFor(drift: DriftCase): Promise<TestStack> {
  if (drift.stack !== "job") return startStack();
  const stack = await startCutoverStack("drift-job");
  return { ...stack, rehearsal: stack.withCutover(false) };
}

/** A certificate no server of the stack has: what someone might upload by mistake. */
function otherCertificateHex(): string {
  const keys = generateRsaKeyPair();
  const name = { CN: "Someone else's endpoint" };
  const { der } = createCertificate({
    subject: name,
    issuer: name,
    publicKey: keys.publicKey,
    signingKey: keys,
  });
  return "0x" + der.toString("hex");
}

/**
 * The links and their readiness checks carry the link's live status in their outputs (replica state,
 * hardened LSN, when it was observed): every refresh reports them as changed, drift or not.
 */
const LIVE_STATUS = /-link(-readiness)?$/;

/** What refresh reported beyond the links' live status, name → op; `expected` drifts are kept. */
function reportedBeyondLiveStatus(
  run: RunReport,
  expected: Record<string, Reported> = {},
): Record<string, string> {
  const reported = stepsDoing(run, ["gone", "drift"]);
  return Object.fromEntries(
    Object.entries(reported).filter(
      ([name, op]) => !(LIVE_STATUS.test(name) && op === "drift" && expected[name] !== "drift"),
    ),
  );
}

/** The resources a run's steps did `ops` to, name → op. */
function stepsDoing(run: RunReport, ops: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    run.steps.filter((step) => step.custom && ops.includes(step.op)).map((step) => [step.name, step.op]),
  );
}

/**
 * The readiness checks and first log backups in the state that were not made for the link Azure has now
 * (its `distributedAvailabilityGroupId`): a link made again must be waited for, and backed up, again.
 */
function followingOtherLinks(stack: TestStack): string[] {
  const links = stack.world.arm.managedInstance().links;
  return loadState(stack.stateFile)
    .resources.filter((r) => /-(link-readiness|log-backup)$/.test(r.name))
    .filter((r) => {
      const dagName = String(r.inputs.dagName);
      return !links.has(dagName) || r.inputs.linkId !== links.view(dagName).distributedAvailabilityGroupId;
    })
    .map((r) => r.name);
}

/**
 * What an out-of-band change can alter that a name does not show: the endpoint, the replicas' URLs and
 * modes, the certificates the managed instance trusts, the Agent jobs' state, steps and schedules.
 */
function properties(stack: TestStack): unknown {
  const rows = (table: string) => catalogRows(stack.world.sql, table);
  const trusts = stack.world.arm.managedInstance().trustCertificates.list();
  return {
    trusts: trusts.map((t) => `${t.name} ${t.thumbprint}`).sort(),
    jobs: rows("msdb.dbo.sysjobs").map((j) => `${String(j.name)} enabled ${String(j.enabled)}`),
    jobSteps: rows("msdb.dbo.sysjobsteps").map((j) => String(j.command)),
    jobSchedules: rows("msdb.dbo.sysschedules").map(({ schedule_id: _id, ...schedule }) => schedule),
    endpoints: rows("sys.database_mirroring_endpoints").map((e) => ({
      name: e.name,
      state: e.state_desc,
      auth: e.connection_auth_desc,
      certificateId: e.certificate_id,
      encryption: e.encryption_algorithm_desc,
      port: rows("sys.tcp_endpoints").find((t) => t.endpoint_id === e.endpoint_id)?.port,
    })),
    groupDatabases: rows("sys.availability_databases_cluster")
      .map((d) => String(d.database_name))
      .sort(),
    replicas: rows("sys.availability_replicas")
      .map((r) => [r.replica_server_name, r.endpoint_url, r.availability_mode_desc].map(String).join(" "))
      .sort(),
  };
}

describe.concurrent("drift: each object dropped or altered out of band", () => {
  beforeAll(async () => {
    await buildIfStale();
  }, 180_000);

  it.each(CASES.map((c) => [c.label, c] as const))(
    "%s: refresh reports it, the next up repairs exactly it",
    async (_label, drift) => {
      await withStack(stackFor(drift), async (stack) => {
        const up = await stack.rehearsal.up();
        expect(up.errors, stack.lines.join("\n")).toEqual([]);
        const made = { objects: objects(stack), properties: properties(stack) };

        await drift.change(stack);
        const refreshed = await stack.rehearsal.refresh();
        expect(refreshed.errors, stack.lines.join("\n")).toEqual([]);
        expect(reportedBeyondLiveStatus(refreshed, drift.refresh)).toEqual(drift.refresh);

        const repaired = await stack.rehearsal.up();
        expect(repaired.errors, stack.lines.join("\n")).toEqual([]);
        expect(stepsDoing(repaired, ["create", "update", "replace"])).toEqual(drift.repair);
        expect({ objects: objects(stack), properties: properties(stack) }).toEqual(made);
        expect(followingOtherLinks(stack)).toEqual([]);

        const again = await stack.rehearsal.up();
        expect(again.changes, stack.lines.join("\n")).toBe(0);
        await destroyedClean(stack, [up, refreshed, repaired, again]);
      });
    },
    180_000,
  );

  it("the repair of a dropped distributed group interrupted after the old link's delete: the next up completes it", async () => {
    await withStack(startStack(), async (stack) => {
      const up = await stack.rehearsal.up();
      expect(up.errors, stack.lines.join("\n")).toEqual([]);
      const made = { objects: objects(stack), properties: properties(stack) };
      await adminBatch(stack.world.sql, "DROP AVAILABILITY GROUP [DAG_Sales];");
      const refreshed = await stack.rehearsal.refresh();
      expect(refreshed.errors, stack.lines.join("\n")).toEqual([]);

      // The new link's PUT fails, after the old link was deleted (same name: deleted first).
      const newLink = { method: "PUT", pathRegex: /\/distributedAvailabilityGroups\/DAG_Sales(\?|$)/ };
      stack.world.arm.addFault({ match: newLink, status: 500, times: 1000 });
      const failed = await stack.rehearsal.up();
      expect(failed.ok).toBe(false);
      expect(failed.errors.join("\n")).toMatch(/erp-sales-link/);
      const links = stack.world.arm.managedInstance().links;
      expect(links.has("DAG_Sales")).toBe(false);
      expect(links.has("DAG_Orders")).toBe(true);

      stack.world.arm.clearFaults();
      const resumed = await stack.rehearsal.up();
      expect(resumed.errors, stack.lines.join("\n")).toEqual([]);
      expect(stepsDoing(resumed, ["create", "update", "replace"])).toEqual({
        "erp-sales-link": "replace",
        "erp-sales-link-readiness": "create",
        "erp-sales-log-backup": "replace",
      });
      expect({ objects: objects(stack), properties: properties(stack) }).toEqual(made);
      expect(followingOtherLinks(stack)).toEqual([]);
      const again = await stack.rehearsal.up();
      expect(again.changes, stack.lines.join("\n")).toBe(0);
      await destroyedClean(stack, [up, refreshed, failed, resumed, again]);
    });
  }, 180_000);

  it("the endpoint moved to another port: refresh reports it, the next up refuses before any change, naming the field and the fix", async () => {
    await withStack(startStack(), async (stack) => {
      const up = await stack.rehearsal.up();
      expect(up.errors, stack.lines.join("\n")).toEqual([]);
      const endpoint = "ALTER ENDPOINT [database_mirroring_endpoint] AS TCP (LISTENER_PORT = %);";
      await adminBatch(stack.world.sql, endpoint.replace("%", "5023"));
      const refreshed = await stack.rehearsal.refresh();
      expect(reportedBeyondLiveStatus(refreshed)).toEqual({ "erp-trust-endpoint": "drift" });
      const moved = { objects: objects(stack), properties: properties(stack) };

      // Other applications may use the port now: the stack does not move it back by itself.
      stack.world.sql.tds.resetCounters();
      const refused = await stack.rehearsal.up();
      expect(refused.errors.join("\n")).toMatch(
        /sqlServer\.endpointPort.*5023.*Set sqlServer\.endpointPort: 5023/s,
      );
      expect(stack.world.sql.tds.requestLog().filter((entry) => DDL.test(entry.text))).toEqual([]);
      expect({ objects: objects(stack), properties: properties(stack) }).toEqual(moved);

      await adminBatch(stack.world.sql, endpoint.replace("%", "5022"));
      const back = await stack.rehearsal.up();
      expect(back.errors, stack.lines.join("\n")).toEqual([]);
      await destroyedClean(stack, [up, refreshed, refused, back]);
    });
  }, 180_000);
});

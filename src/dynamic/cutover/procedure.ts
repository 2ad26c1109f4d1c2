/**
 * The migration cutover of one link, in the documented order (mi-link.md §1 rows 14-15, §6):
 * fail over to the managed instance (planned unless forced), wait until the managed instance's
 * first full backup of the database exists (its `earliestRestorePoint`), then delete the Azure
 * link, drop SQL Server's distributed availability group, and its availability group unless
 * another link still uses it. The database on SQL Server is never touched.
 *
 * Every step first looks at what exists, so a run interrupted anywhere completes on the next one.
 */
import type * as mssql from "mssql";
import { deleteLink } from "../../azure/links";
import { readManagedDatabase } from "../../azure/managed-database";
import { readAvailabilityGroupDropCheck } from "../../sql/catalog/distributed-ags-using-ag";
import { buildDropAgSql } from "../../tsql";
import { dropUnlessGone } from "../common/drop";
import { logInfo } from "../common/log";
import { describeRoles, observeLinkRoles } from "../failover/observe";
import { forcedRoleChange, plannedRoleChange, type RoleChangeContext } from "../failover/procedure";

export interface CutoverContext extends RoleChangeContext {
  /** Fail over with ForcedAllowDataLoss instead of the planned path. */
  forced: boolean;
  /** Deadline of the wait for the managed instance's first full backup. */
  firstBackupTimeoutSeconds: number;
  /** Interval between two reads of the managed database while waiting. */
  firstBackupPollMs: number;
}

export interface CutoverOutcome {
  /** This run failed the link over (false when the managed instance already was primary). */
  failedOver: boolean;
  /** The managed database's earliestRestorePoint: its first full backup. */
  firstFullBackupAt: string;
  /** SQL Server's availability group was kept because these distributed availability groups still use it. */
  availabilityGroupKeptFor: string[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** The managed instance holds the database as primary: on the link, or standalone after it. */
async function failOverIfNeeded(ctx: CutoverContext): Promise<boolean> {
  const before = await observeLinkRoles(ctx.pool, ctx.target, ctx.dagName, ctx.database);
  if (before.managedInstanceRole === "PRIMARY" && before.sqlServerRole !== "PRIMARY") {
    logInfo(`Link [${ctx.dagName}]: the managed instance already is the primary.`);
    return false;
  }
  if (!before.linkExists) {
    // A run interrupted after deleting the link: SQL Server is no longer primary, the managed
    // instance holds the database.
    if (before.sqlServerRole !== "PRIMARY" && (await readManagedDatabase(ctx.target, ctx.database))) {
      logInfo(`Link [${ctx.dagName}]: the link is gone and the managed instance holds [${ctx.database}].`);
      return false;
    }
    throw new Error(
      `Cannot cut over [${ctx.database}]: the Azure link [${ctx.dagName}] does not exist, so the managed ` +
        `instance cannot become the primary (${describeRoles(before)}). Create the link first (cutover: false), ` +
        "wait until it replicates, then set cutover: true.",
    );
  }
  logInfo(`Link [${ctx.dagName}]: cutover starts with a ${ctx.forced ? "forced" : "planned"} failover.`);
  if (ctx.forced) await forcedRoleChange(ctx, "ManagedInstance");
  else await plannedRoleChange(ctx, "ManagedInstance");
  return true;
}

/** Waits, with its own deadline, until Azure reports the managed database's earliestRestorePoint. */
async function waitForFirstFullBackup(ctx: CutoverContext): Promise<string> {
  const started = Date.now();
  const deadline = started + ctx.firstBackupTimeoutSeconds * 1000;
  let lastReport = 0;
  for (;;) {
    const database = await readManagedDatabase(ctx.target, ctx.database);
    if (database?.earliestRestorePoint) {
      logInfo(
        `Link [${ctx.dagName}]: the managed instance's first full backup of [${ctx.database}] exists ` +
          `(earliest restore point ${database.earliestRestorePoint}).`,
      );
      return database.earliestRestorePoint;
    }
    const now = Date.now();
    if (now >= deadline) {
      throw new Error(
        `The managed instance's first full backup of [${ctx.database}] did not appear within ` +
          `${ctx.firstBackupTimeoutSeconds} s (${database ? `database ${database.status ?? "present"}, no earliestRestorePoint yet` : "no such database on the managed instance"}). ` +
          `The failover is done and the link [${ctx.dagName}] is kept: dropping it before that backup ` +
          "exists risks the database. Run `pulumi up` again later, or raise firstBackupTimeoutSeconds.",
      );
    }
    if (now - lastReport >= 30_000) {
      lastReport = now;
      logInfo(
        `Link [${ctx.dagName}]: waiting for the managed instance's first full backup of [${ctx.database}] ` +
          `before dropping the link (${Math.round((now - started) / 1000)} s of ${ctx.firstBackupTimeoutSeconds} s).`,
      );
    }
    await sleep(Math.min(ctx.firstBackupPollMs, deadline - now));
  }
}

async function dropIfPresent(
  pool: mssql.ConnectionPool,
  name: string,
  distributed: boolean,
  secrets: string[],
): Promise<string[]> {
  const check = await readAvailabilityGroupDropCheck(pool, name);
  if (!check.exists || check.isDistributed !== distributed) return [];
  if (!distributed && check.usedBy.length > 0) return check.usedBy;
  const kind = distributed ? "distributed availability group" : "availability group";
  logInfo(`Cutover: drop the ${kind} [${name}] on SQL Server (the database stays).`);
  await dropUnlessGone(pool, buildDropAgSql(name), { action: `drop ${kind}`, object: `[${name}]`, secrets });
  return [];
}

/** Runs the cutover; safe to run again after a failure at any step, and after it completed. */
export async function cutOver(ctx: CutoverContext): Promise<CutoverOutcome> {
  const failedOver = await failOverIfNeeded(ctx);
  const firstFullBackupAt = await waitForFirstFullBackup(ctx);
  if (await deleteLink(ctx.target, ctx.dagName)) {
    logInfo(`Link [${ctx.dagName}]: the Azure link was deleted.`);
  }
  await dropIfPresent(ctx.pool, ctx.dagName, true, ctx.secrets);
  const availabilityGroupKeptFor = await dropIfPresent(ctx.pool, ctx.agName, false, ctx.secrets);
  if (availabilityGroupKeptFor.length > 0) {
    logInfo(
      `Cutover: the availability group [${ctx.agName}] is kept: ` +
        `${availabilityGroupKeptFor.map((d) => `[${d}]`).join(", ")} still use it.`,
    );
  }
  return { failedOver, firstFullBackupAt, availabilityGroupKeptFor };
}

/** What a cutover of this link does, for preview. */
export function describeCutover(dagName: string, agName: string, database: string, forced: boolean): string {
  return (
    `cutover (ends the link): ${forced ? "forced failover (may lose data)" : "planned failover"} of [${dagName}] ` +
    `to the managed instance, wait for the managed instance's first full backup of [${database}], then delete ` +
    `the Azure link [${dagName}] and drop [${dagName}] and [${agName}] on SQL Server; the database [${database}] ` +
    "on SQL Server is kept as it is"
  );
}

/**
 * ALTER AVAILABILITY GROUP: replica and member changes, failover (planned and
 * forced), SET (ROLE = SECONDARY), GRANT CREATE ANY DATABASE, ADD/REMOVE
 * DATABASE.
 */
import type { AlterAvailabilityGroupAction, ExecContext } from "./contract";
import type { ModelContext } from "./context";
import { checkAgDdl, checkJoinableDatabase } from "./availability-groups";
import { errors } from "./errors";
import { advance } from "./hadr-clock";
import { linkView, localDatabase } from "./hadr-status";
import type { AvailabilityGroupState, DistributedGroupState } from "./state";
import { supportsLinkFailover } from "./version";

/** The secondary starts over: it must catch up and synchronize again. */
export function restartSynchronization(m: ModelContext, dag: DistributedGroupState): void {
  dag.link.syncClockStart = m.now();
}

/** SQL Server becomes secondary to the MI: its copy reverts to the MI's log (data loss on a split brain). */
export function demoteLocal(m: ModelContext, dag: DistributedGroupState): void {
  dag.localRole = "SECONDARY";
  if (dag.remoteRole !== "PRIMARY") return;
  const db = localDatabase(m, dag);
  // Transactions only this side had (written while both were primary) are lost.
  if (db && dag.link.seeding === "COMPLETED") db.lsn = dag.link.remoteLsn;
  restartSynchronization(m, dag);
}

/** The MI becomes secondary to SQL Server: its copy reverts to SQL Server's log. */
export function demoteRemote(m: ModelContext, dag: DistributedGroupState): void {
  dag.remoteRole = "SECONDARY";
  if (dag.localRole !== "PRIMARY") return;
  const db = localDatabase(m, dag);
  if (db && dag.link.seeding === "COMPLETED") dag.link.remoteLsn = db.lsn;
  restartSynchronization(m, dag);
}

function alterRegular(
  m: ModelContext,
  ag: AvailabilityGroupState,
  action: AlterAvailabilityGroupAction,
): void {
  switch (action.kind) {
    case "modifyReplica": {
      const r = ag.replicas.find((x) => m.sameName(x.serverName, action.serverName));
      if (!r) throw errors.dagMemberNotFound(ag.name, action.serverName);
      const c = action.changes;
      if (c.endpointUrl !== undefined) r.endpointUrl = c.endpointUrl;
      if (c.availabilityMode) r.availabilityMode = c.availabilityMode;
      if (c.failoverMode) r.failoverMode = c.failoverMode;
      if (c.seedingMode) r.seedingMode = c.seedingMode;
      if (c.sessionTimeout !== undefined) r.sessionTimeout = c.sessionTimeout;
      r.modifyDate = m.now();
      return;
    }
    case "addDatabase": {
      if (ag.localRole !== "PRIMARY") throw errors.notPrimary(ag.name);
      const db = checkJoinableDatabase(m, action.database, ag.name);
      ag.databases.push({ name: db.name, groupDatabaseId: m.newGuid() });
      return;
    }
    case "removeDatabase": {
      const entry = ag.databases.find((d) => m.sameName(d.name, action.database));
      if (!entry) throw errors.agDatabaseNotInGroup(action.database, ag.name);
      ag.databases = ag.databases.filter((d) => d !== entry);
      return;
    }
    case "grantCreateAnyDatabase":
      ag.createAnyDatabase = true;
      return;
    case "failover":
      if (ag.clusterType === 2) throw errors.failoverClusterTypeNone(ag.name);
      if (ag.localRole === "PRIMARY") throw errors.alreadyPrimary(ag.name);
      ag.localRole = "PRIMARY";
      return;
    case "forceFailoverAllowDataLoss":
      if (ag.localRole === "PRIMARY") throw errors.alreadyPrimary(ag.name);
      ag.localRole = "PRIMARY";
      return;
    case "setRole":
      ag.localRole = "SECONDARY";
      return;
    case "modifyDistributedMembers":
      throw errors.agOptionUnsupported(ag.name, "MODIFY AVAILABILITY GROUP ON (it is not distributed)");
  }
}

function alterDistributed(
  m: ModelContext,
  dag: DistributedGroupState,
  action: AlterAvailabilityGroupAction,
): void {
  switch (action.kind) {
    case "modifyDistributedMembers": {
      const found = action.members.map((change) => {
        const member = dag.members.find((mb) => m.sameName(mb.agName, change.agName));
        if (!member) throw errors.dagMemberNotFound(dag.name, change.agName);
        return { member, change };
      });
      const wasSync = linkView(m, dag).synchronousCommit;
      for (const { member, change } of found) {
        if (change.availabilityMode) member.availabilityMode = change.availabilityMode;
        if (change.failoverMode) member.failoverMode = change.failoverMode;
        if (change.seedingMode) member.seedingMode = change.seedingMode;
        if (change.listenerUrl !== undefined) member.listenerUrl = change.listenerUrl;
        if (change.sessionTimeout !== undefined) member.sessionTimeout = change.sessionTimeout;
        member.modifyDate = m.now();
      }
      if (!wasSync && linkView(m, dag).synchronousCommit) restartSynchronization(m, dag);
      return;
    }
    case "failover": {
      if (!supportsLinkFailover(m.product)) throw errors.dagFailoverUnsupported(dag.name);
      if (dag.localRole !== "PRIMARY") throw errors.notPrimary(dag.name);
      const view = linkView(m, dag);
      if (
        view.splitBrain ||
        !view.synchronousCommit ||
        view.secondaryState !== "SYNCHRONIZED" ||
        view.sqlServerLsn !== view.managedInstanceLsn
      ) {
        throw errors.dagNotSynchronized(dag.name);
      }
      dag.localRole = "SECONDARY";
      dag.remoteRole = "PRIMARY";
      return;
    }
    case "forceFailoverAllowDataLoss":
      if (dag.localRole === "PRIMARY") throw errors.alreadyPrimary(dag.name);
      // The MI keeps its role: when it is still primary both sides are primary (split brain).
      dag.localRole = "PRIMARY";
      return;
    case "setRole":
      demoteLocal(m, dag);
      return;
    case "grantCreateAnyDatabase": {
      const ag = m.availabilityGroup(dag.localAgName);
      if (ag) ag.createAnyDatabase = true;
      return;
    }
    case "modifyReplica":
    case "addDatabase":
    case "removeDatabase":
      throw errors.agOptionUnsupported(dag.name, `${action.kind} on a distributed availability group`);
  }
}

export function alterAvailabilityGroup(
  m: ModelContext,
  ctx: ExecContext,
  name: string,
  action: AlterAvailabilityGroupAction,
): void {
  checkAgDdl(m, ctx, "ALTER AVAILABILITY GROUP");
  const group = m.group(name);
  if (!group) throw errors.agNotFound("alter", name);
  advance(m);
  if (group.kind === "AG") alterRegular(m, group, action);
  else alterDistributed(m, group, action);
}

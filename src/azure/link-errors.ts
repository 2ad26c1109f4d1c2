/**
 * What to do about the documented refusals of the link operations
 * (distributedAvailabilityGroups: failover, setRole, PATCH, DELETE).
 */
import type { FixFinder } from "./request";

const LINK_FIXES: Array<[RegExp, string]> = [
  [
    /^InvalidDistributedAvailabilityGroupFailoverInstanceRole$/,
    "a planned failover through Azure makes the managed instance primary and must start while SQL Server is " +
      "primary. To make SQL Server primary again, fail over from SQL Server (ALTER AVAILABILITY GROUP [<DAG>] " +
      "FAILOVER, SQL Server 2022 CU13+) or set the managed instance's role to Secondary.",
  ],
  [
    /FailoverSecondariesNotSynchronizing$/,
    "switch the link to synchronous commit on both sides (replicationMode Sync on the managed instance, " +
      "AVAILABILITY_MODE = SYNCHRONOUS_COMMIT for both replicas of the DAG on SQL Server), stop the workload, " +
      "wait until last_hardened_lsn is equal on both sides, then fail over again; ForcedAllowDataLoss fails " +
      "over anyway and may lose data.",
  ],
  [
    /LogSendQueueSizeTooBig$/,
    "the log send queue of the link is too large: stop the workload and wait until log_send_queue_size in " +
      "sys.dm_hadr_database_replica_states drains, then fail over again.",
  ],
  [
    /RedoQueueSizeTooBig$/,
    "the redo queue of the link is too large: wait until redo_queue_size in " +
      "sys.dm_hadr_database_replica_states drains, then fail over again.",
  ],
  [
    /SetRoleInstanceAlreadyInRequestedRole$/,
    "nothing to change: the managed instance already has the requested role in this link.",
  ],
  [
    /(SetRoleChangeRoleAlreadyInProgress|RoleChangeAlreadyInProgress)$/,
    "a role change of this link is already running: wait for it to finish, check both roles, and only then " +
      "retry.",
  ],
  [
    /^DistributedAvailabilityGroupNotConnected$/,
    "the link is not connected to SQL Server: check the DAG on SQL Server, both certificates and the network " +
      "between SQL Server and the managed instance (port 5022, and 11000-11999 towards the instance), then " +
      "wait until the replica is CONNECTED.",
  ],
  [
    /PropertyUpdateNotSupported$/,
    "only replicationMode can change on an existing link: delete and recreate the link to change the rest.",
  ],
];

/** Fixes for link operations, by Azure error code. */
export const linkFixes: FixFinder = (_statusCode, code) => {
  if (!code) return undefined;
  return LINK_FIXES.find(([pattern]) => pattern.test(code))?.[1];
};

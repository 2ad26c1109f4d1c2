/**
 * The distributed availability groups that have the availability group @name as a member (a
 * DAG's "replicas" are its member AGs): an AG must not be dropped while one of them exists.
 */
export const DISTRIBUTED_AGS_USING_AG_QUERY = `
SELECT
  dag.name
FROM sys.availability_groups dag
JOIN sys.availability_replicas r ON r.group_id = dag.group_id
WHERE dag.is_distributed = 1
  AND r.replica_server_name = @name
ORDER BY dag.name;`.trim();

/**
 * What dropping the availability group @name needs to know, in one round trip: whether it exists
 * and is a regular AG (first result set), and the distributed AGs that still use it (second).
 */
export const AVAILABILITY_GROUP_DROP_CHECK_QUERY = `
SELECT
  ag.is_distributed
FROM sys.availability_groups ag
WHERE ag.name = @name;
${DISTRIBUTED_AGS_USING_AG_QUERY}`;

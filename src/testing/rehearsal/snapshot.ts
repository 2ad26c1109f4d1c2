/**
 * What a link leaves on both sides, as a set of readable names: SQL Server's certificates, mirroring
 * endpoint, availability groups, master key and Agent jobs (read from the emulator's catalog), and the managed
 * instance's server trust certificates and links (read from the ARM emulator). Taken before `up` and after
 * `destroy`, the difference is what destroy left behind.
 */
import type { LocalWorld } from "../world";

const MASTER = { login: "sa", database: "master", inTransaction: false, info: () => undefined };

function rows(world: LocalWorld, table: string): Record<string, unknown>[] {
  const t = world.sql.model.catalogTable(table, MASTER);
  return (t?.rows ?? []).map((row) => Object.fromEntries(t!.columns.map((c, i) => [c.name, row[i]])));
}

/** Sorted names such as `sql certificate LinkCert`, `azure link DAG_Sales`. */
export function snapshotWorld(world: LocalWorld): string[] {
  const names: string[] = [];
  for (const c of rows(world, "sys.certificates")) {
    if (!String(c.name).startsWith("##")) names.push(`sql certificate ${String(c.name)}`);
  }
  for (const k of rows(world, "sys.symmetric_keys")) {
    if (k.name === "##MS_DatabaseMasterKey##") names.push("sql master key (master)");
  }
  for (const e of rows(world, "sys.database_mirroring_endpoints"))
    names.push(`sql endpoint ${String(e.name)}`);
  for (const ag of rows(world, "sys.availability_groups")) {
    names.push(`sql ${ag.is_distributed ? "distributed " : ""}availability group ${String(ag.name)}`);
  }
  for (const job of rows(world, "msdb.dbo.sysjobs")) names.push(`sql agent job ${String(job.name)}`);
  const mi = world.arm.managedInstance();
  for (const trust of mi.trustCertificates.list()) names.push(`azure server trust certificate ${trust.name}`);
  for (const link of mi.links.list()) names.push(`azure link ${link}`);
  return names.sort();
}

/** What `after` has that `before` had not. */
export function leftovers(before: string[], after: string[]): string[] {
  const existed = new Set(before);
  return after.filter((name) => !existed.has(name));
}

/**
 * The names of each database's link objects: the runbook's defaults (`AG_<db>`, `AG_<db>_MI`,
 * `DAG_<db>`, made Azure-valid by src/tsql/names) unless the user overrides them.
 */
import { defaultAgName, defaultDagName, defaultMiAgName } from "../tsql/names";
import type { LinkNameArgs } from "./args";

/** The resolved names of one database's link. */
export interface LinkNames {
  database: string;
  agName: string;
  miAgName: string;
  dagName: string;
}

/**
 * Resolves the names of every database's link. Call only with databases that passed validation
 * (the defaults throw on an invalid database name).
 */
export function resolveLinkNames(
  databases: readonly string[],
  overrides: Readonly<Record<string, LinkNameArgs>> = {},
): LinkNames[] {
  return databases.map((database) => {
    const own = overrides[database] ?? {};
    return {
      database,
      agName: own.agName ?? defaultAgName(database),
      miAgName: own.miAgName ?? defaultMiAgName(database),
      dagName: own.dagName ?? defaultDagName(database),
    };
  });
}

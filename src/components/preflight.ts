/**
 * Preflight: the prerequisites of the link checked against what SQL Server and the managed
 * instance report, before any change. Pure: facts and plan in, problems out (each naming what is
 * wrong and how to fix it). An empty list means "go".
 */
import {
  linkSupport,
  supportsFailback,
  type DatabaseFormat,
  type InitialPrimary,
  type LinkFailoverMode,
} from "../tsql/versions";
import { DEFAULTS } from "./args";
import type { LinkNames } from "./link-names";
import type { Problem } from "./problems";
import type { SqlServerInfo } from "./sql-server-info";

/** What the managed instance reports (azure-native getManagedInstance). */
export interface ManagedInstanceFacts {
  name: string;
  fullyQualifiedDomainName: string;
  /** The update policy: AlwaysUpToDate, SQLServer2022, SQLServer2025. Unknown when absent. */
  databaseFormat?: string;
  collation?: string;
  /**
   * The names of the links already on the managed instance (this component's included), when
   * they could be listed. Unknown: the link limit is checked against this component's links only.
   */
  linkNames?: readonly string[];
}

/** What the component is asked to do. */
export interface PreflightPlan {
  links: readonly LinkNames[];
  initialPrimary: InitialPrimary;
  failoverMode: LinkFailoverMode;
  endpointPort: number;
  /** `YYYY-MM-DD`, when given. */
  certificateExpiry?: string;
  /** Whether a backup target was given, so a database without a full backup can get one. */
  hasBackupTarget: boolean;
  /** Whether the links' roles are managed (`primary` given): failovers need the MI's update policy. */
  managesRole?: boolean;
  /** Host preparation runs first and restarts SQL Server with Always On enabled. Default false. */
  hostEnablesAlwaysOn?: boolean;
  /** The links end (migration cutover): the databases' readiness for a link no longer matters. */
  cutover?: boolean;
  now: Date;
}

const SUPPORTED_ENGINE_EDITIONS = new Map([
  [2, "Standard"],
  [3, "Enterprise or Developer"],
]);
const KNOWN_FORMATS: readonly string[] = ["AlwaysUpToDate", "SQLServer2022", "SQLServer2025"];

/** Every unmet prerequisite of the plan; empty when the link can be created. */
export function preflight(info: SqlServerInfo, mi: ManagedInstanceFacts, plan: PreflightPlan): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, problem: string, fix: string) => problems.push({ field, problem, fix });
  const format = KNOWN_FORMATS.includes(mi.databaseFormat ?? "")
    ? (mi.databaseFormat as DatabaseFormat)
    : undefined;

  const support = linkSupport(info.productVersion, {
    initialPrimary: plan.initialPrimary,
    failoverMode: plan.failoverMode,
    databaseFormat: format,
  });
  if (!support.ok) {
    add("sqlServer.version", support.reason, support.fix);
  } else if (plan.failoverMode === "Manual" && format && !supportsFailback(info.productVersion, format)) {
    add(
      "managedInstance.updatePolicy",
      format === "AlwaysUpToDate"
        ? `managed instance "${mi.name}" uses the Always-up-to-date update policy: after a failover to it there is no way back to SQL Server ${info.productVersion}`
        : `SQL Server ${info.productVersion} cannot take the database back from a managed instance with the ${format} update policy`,
      'Use failoverMode: "None" (one-way to Azure), or a managed instance whose update policy matches the SQL Server release (SQL Server 2022 CU10 or later with the SQLServer2022 policy).',
    );
  }
  if (plan.managesRole && !format) {
    add(
      "managedInstance.updatePolicy",
      `managed instance "${mi.name}" reports no known update policy (databaseFormat ${JSON.stringify(mi.databaseFormat ?? null)}), which decides whether a failover can come back`,
      "Leave primary out to manage failovers outside this component, or check the managed instance's update policy in Azure.",
    );
  }
  if (!info.isHadrEnabled && !plan.hostEnablesAlwaysOn) {
    add(
      "sqlServer.alwaysOn",
      `Always On availability groups are disabled on ${info.serverName}`,
      "Enable Always On in SQL Server Configuration Manager (or Enable-SqlAlwaysOn) and restart the SQL Server service.",
    );
  }
  if (!SUPPORTED_ENGINE_EDITIONS.has(info.engineEdition)) {
    add(
      "sqlServer.edition",
      `${info.edition} does not support the Managed Instance link`,
      "Use SQL Server Enterprise, Standard or Developer edition.",
    );
  }
  if (mi.collation && info.collation.toLowerCase() !== mi.collation.toLowerCase()) {
    add(
      "sqlServer.collation",
      `SQL Server's collation ${info.collation} differs from managed instance "${mi.name}"'s ${mi.collation}`,
      "Use a managed instance with the same server collation (collation is chosen when the instance is created).",
    );
  }
  const endpoint = info.mirroringEndpoint;
  if (endpoint && endpoint.port !== null && endpoint.port !== plan.endpointPort) {
    add(
      "sqlServer.endpointPort",
      `the existing mirroring endpoint [${endpoint.name}] listens on port ${endpoint.port}, not ${plan.endpointPort}; an instance has only one`,
      `Set sqlServer.endpointPort: ${endpoint.port} to use it.`,
    );
  }
  if (plan.certificateExpiry !== undefined) {
    const expiry = Date.parse(`${plan.certificateExpiry}T00:00:00Z`);
    if (!Number.isNaN(expiry) && expiry <= plan.now.getTime()) {
      add(
        "certificateExpiry",
        `${plan.certificateExpiry} is in the past; the link fails once a certificate expires`,
        "Choose a day in the future, or leave it out (2 years from creation).",
      );
    }
  }
  checkLinkLimit(mi, plan, add);
  plan.links.forEach((link, i) => checkDatabase(info, plan, link, `databases[${i}]`, add));
  return problems;
}

/**
 * A managed instance holds at most 100 links: this component's plus the others already there. This
 * component's links that already exist (a second up) are counted once, by name.
 */
function checkLinkLimit(
  mi: ManagedInstanceFacts,
  plan: PreflightPlan,
  add: (field: string, problem: string, fix: string) => void,
): void {
  const ours = new Set(plan.links.map((link) => link.dagName.toLowerCase()));
  const others = (mi.linkNames ?? []).filter((name) => !ours.has(name.toLowerCase())).length;
  const total = others + plan.links.length;
  if (total <= DEFAULTS.maxLinks) return;
  if (others === 0) {
    add(
      "databases",
      `${plan.links.length} links requested; a managed instance holds at most ${DEFAULTS.maxLinks}`,
      "Split the databases over several managed instances.",
    );
    return;
  }
  const room = Math.max(0, DEFAULTS.maxLinks - others);
  add(
    "databases",
    `${plan.links.length} links requested and ${others} other links already on managed instance "${mi.name}" ` +
      `make ${total}; a managed instance holds at most ${DEFAULTS.maxLinks}`,
    `Link at most ${room} databases to this managed instance (remove links it no longer needs to make room), ` +
      "or split the databases over several managed instances.",
  );
}

function checkDatabase(
  info: SqlServerInfo,
  plan: PreflightPlan,
  link: LinkNames,
  field: string,
  add: (field: string, problem: string, fix: string) => void,
): void {
  // After a cutover SQL Server's copy is left as the link left it (RESTORING on a real server).
  if (plan.cutover) return;
  const db = info.databases.find((d) => d.name.toLowerCase() === link.database.toLowerCase());
  if (plan.initialPrimary === "ManagedInstance") {
    // The managed instance seeds the database to SQL Server: a database of that name is in the way.
    if (db && db.availabilityGroup?.toLowerCase() !== link.agName.toLowerCase()) {
      add(
        field,
        `database [${link.database}] already exists on ${info.serverName}; with the managed instance as initial primary it is seeded from Azure`,
        "Drop or rename the SQL Server copy, or make SQL Server the initial primary.",
      );
    }
    return;
  }
  if (!db) {
    add(
      field,
      `database [${link.database}] does not exist on ${info.serverName}`,
      "Create it, or fix the name (the comparison ignores case).",
    );
    return;
  }
  if (db.isSystem) {
    add(field, `[${db.name}] is a system database`, "Link user databases only.");
    return;
  }
  if (db.state !== "ONLINE") {
    add(field, `database [${db.name}] is ${db.state}`, "Bring it ONLINE before linking it.");
  }
  const needsBackup = db.recoveryModel !== "FULL" || db.lastFullBackup === null;
  if (needsBackup && !plan.hasBackupTarget && db.availabilityGroup === null) {
    add(
      field,
      db.recoveryModel !== "FULL"
        ? `database [${db.name}] uses the ${db.recoveryModel} recovery model; the link needs FULL and then a full backup`
        : `database [${db.name}] has no full backup, which the link needs to start a log backup chain`,
      "Set backupTarget ({ disk } or { url }) so the full backup can be taken, or take a full (not COPY_ONLY) backup yourself.",
    );
  }
  if (db.availabilityGroup && db.availabilityGroup.toLowerCase() !== link.agName.toLowerCase()) {
    add(
      field,
      `database [${db.name}] already belongs to availability group [${db.availabilityGroup}]; the link needs its own group [${link.agName}]`,
      `Remove it from [${db.availabilityGroup}], or set links.${db.name}.agName: "${db.availabilityGroup}" if that group was made for this link.`,
    );
  }
}

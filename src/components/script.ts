/**
 * The complete sequence of T-SQL statements and Azure REST calls the component performs for a set
 * of arguments, rendered for review by a DBA before `pulumi up`. Pure, and built from the same
 * src/tsql builders the resources use. Secrets never appear: the master key password is shown as
 * `<masterKeyPassword>`, and values only known while running (public keys) as placeholders.
 */
import { AZURE_ROOT_CERTIFICATES, AZURE_TRUSTED_ISSUER_DNS_NAME } from "../tsql/root-certificates";
import { buildCreateAgSql, buildGrantCreateAnyDatabaseSql } from "../tsql/statements/availability-group";
import {
  buildCreateLogBackupJobSql,
  defaultLogBackupJobName,
  logBackupJobDescription,
} from "../tsql/statements/agent-job";
import { buildDropAgSql } from "../tsql/statements/availability-group";
import { buildFullBackupSql, buildLogBackupSql, type BackupTarget } from "../tsql/statements/backup";
import {
  buildAddIssuerSql,
  buildCreateCertificateFromBinarySql,
  buildCreateEndpointCertificateSql,
  buildValidateCaChainSql,
} from "../tsql/statements/certificates";
import { buildCreateDistributedAgSql } from "../tsql/statements/distributed-ag";
import {
  buildAlterEndpointForLinkSql,
  buildCreateMirroringEndpointSql,
  type EndpointAlgorithm,
} from "../tsql/statements/endpoint";
import { buildCreateMasterKeySql } from "../tsql/statements/master-key";
import { buildSetRecoveryFullSql } from "../tsql/statements/recovery";
import { endpointUrl } from "../tsql/urls";
import type { InitialPrimary, LinkFailoverMode } from "../tsql/versions";
import type { SqlServerHostPreparationArgs } from "../hostprep/component";
import type { LogBackupScheduleArgs, ReplicationMode } from "./args";
import { renderHostPreparation } from "./host-preparation";
import type { LinkNames } from "./link-names";

/** Shown instead of the master key password. */
export const MASTER_KEY_PASSWORD_PLACEHOLDER = "<masterKeyPassword>";
/** The Azure API version of the link and certificate calls (the azure-native resources' version). */
export const SCRIPT_API_VERSION = "2023-08-01";

/** Everything the script depends on, resolved. */
export interface ScriptPlan {
  serverName: string;
  productVersion: string;
  certificateName: string;
  certificateSubject: string;
  /** `YYYY-MM-DD` */
  certificateExpiry: string;
  endpointName: string;
  endpointHost: string;
  endpointPort: number;
  endpointAlgorithms?: EndpointAlgorithm[];
  /** An existing endpoint is altered (keeping Windows authentication) instead of created. */
  existingEndpoint?: { name: string; windowsAuth: boolean };
  subscriptionId: string;
  resourceGroupName: string;
  managedInstanceName: string;
  managedInstanceFqdn: string;
  links: readonly LinkNames[];
  initialPrimary: InitialPrimary;
  failoverMode: LinkFailoverMode;
  replicationMode: ReplicationMode;
  backupTarget?: BackupTarget;
  /** When enabled, its commands come first (the SSH connection is not shown). */
  hostPreparation?: SqlServerHostPreparationArgs;
  /** The regular log backups' Agent job, when asked for. */
  logBackupSchedule?: LogBackupScheduleArgs;
  /** The migration ends: each link is failed over, then dropped on both sides. */
  cutover?: boolean;
}

// Public keys are only known while running: the builders get a stand-in blob, replaced by a placeholder for review.
const STAND_IN_BLOB = "0x00";

function withPlaceholderBlob(sql: string, placeholder: string): string {
  return sql.replace(`= ${STAND_IN_BLOB};`, `= ${placeholder};`);
}

function rest(method: string, path: string, body?: unknown): string {
  const lines = [`${method} https://management.azure.com${path}?api-version=${SCRIPT_API_VERSION}`];
  if (body !== undefined) lines.push(JSON.stringify(body, null, 2));
  return lines.join("\n");
}

/** Renders the whole sequence as text, in the order the component performs it. */
export function renderScript(plan: ScriptPlan): string {
  const mi = `/subscriptions/${plan.subscriptionId}/resourceGroups/${plan.resourceGroupName}/providers/Microsoft.Sql/managedInstances/${plan.managedInstanceName}`;
  const sqlUrl = endpointUrl(plan.endpointHost, plan.endpointPort);
  const sections: string[] = [
    `-- Managed Instance link: ${plan.serverName} (SQL Server ${plan.productVersion}) <-> ${plan.managedInstanceFqdn}`,
    "-- Every SQL Server step runs in master. Each step is skipped when its object already exists and matches.",
    ...renderHostPreparation(plan.hostPreparation),
    "-- 1. SQL Server: database master key (only when master has none)",
    buildCreateMasterKeySql(MASTER_KEY_PASSWORD_PLACEHOLDER),
    "-- 2. SQL Server: the endpoint certificate",
    buildCreateEndpointCertificateSql({
      name: plan.certificateName,
      subject: plan.certificateSubject,
      expiryDate: plan.certificateExpiry,
    }),
    `-- 3. Azure: trust SQL Server's certificate on the managed instance (publicBlob = CERTENCODED(CERT_ID(N'${plan.certificateName}')))`,
    rest("PUT", `${mi}/serverTrustCertificates/${plan.certificateName}`, {
      properties: { publicBlob: `<public key of ${plan.certificateName}>` },
    }),
    "-- 4. Azure: read the managed instance's endpoint certificate",
    rest("GET", `${mi}/endpointCertificates/DATABASE_MIRRORING`),
    "-- 5. SQL Server: the root CAs trusted for *.database.windows.net",
  ];
  for (const root of AZURE_ROOT_CERTIFICATES) {
    sections.push(
      buildCreateCertificateFromBinarySql(root.name, root.blob),
      buildAddIssuerSql(root.name, AZURE_TRUSTED_ISSUER_DNS_NAME),
    );
  }
  sections.push(
    "-- 6. SQL Server: the managed instance's certificate, named exactly after its FQDN, and its chain",
    withPlaceholderBlob(
      buildCreateCertificateFromBinarySql(plan.managedInstanceFqdn, STAND_IN_BLOB),
      "<publicBlob of the managed instance's DATABASE_MIRRORING certificate>",
    ),
    buildValidateCaChainSql(plan.managedInstanceFqdn),
    "-- 7. SQL Server: the database mirroring endpoint",
    plan.existingEndpoint
      ? buildAlterEndpointForLinkSql({
          name: plan.existingEndpoint.name,
          port: plan.endpointPort,
          certificateName: plan.certificateName,
          algorithms: plan.endpointAlgorithms,
          windowsAuth: plan.existingEndpoint.windowsAuth,
        })
      : buildCreateMirroringEndpointSql({
          name: plan.endpointName,
          port: plan.endpointPort,
          certificateName: plan.certificateName,
          algorithms: plan.endpointAlgorithms,
        }),
  );
  plan.links.forEach((link, i) => sections.push(...linkSection(plan, link, i + 8, mi, sqlUrl)));
  return `${sections.join("\n\n")}\n`;
}

function linkSection(plan: ScriptPlan, link: LinkNames, step: number, mi: string, sqlUrl: string): string[] {
  const miPrimary = plan.initialPrimary === "ManagedInstance";
  const out = [`-- ${step}. Link of database [${link.database}]`];
  if (!miPrimary) {
    out.push(
      "-- SQL Server: FULL recovery and a full backup (only when missing)",
      buildSetRecoveryFullSql(link.database),
      plan.backupTarget
        ? buildFullBackupSql(link.database, plan.backupTarget)
        : "-- (no backupTarget: an existing full, non-COPY_ONLY backup is required)",
    );
  }
  out.push(
    "-- SQL Server: the availability group",
    buildCreateAgSql({
      agName: link.agName,
      database: miPrimary ? undefined : link.database,
      serverName: plan.serverName,
      endpointUrl: sqlUrl,
      version: plan.productVersion,
    }),
  );
  if (miPrimary) out.push(buildGrantCreateAnyDatabaseSql(link.agName));
  out.push(
    "-- SQL Server: the distributed availability group",
    buildCreateDistributedAgSql({
      dagName: link.dagName,
      agName: link.agName,
      miAgName: link.miAgName,
      sqlServerListenerUrl: sqlUrl,
      miFqdn: plan.managedInstanceFqdn,
      miName: plan.managedInstanceName,
      database: link.database,
      initialPrimary: plan.initialPrimary,
    }),
    "-- Azure: the link",
    rest("PUT", `${mi}/distributedAvailabilityGroups/${link.dagName}`, {
      properties: linkProperties(plan, link, sqlUrl),
    }),
    `-- Then: wait until the managed instance's replica of [${link.dagName}] is CONNECTED and [${link.database}] synchronizes (sys.dm_hadr_availability_replica_states, sys.dm_hadr_database_replica_states).`,
  );
  if (!miPrimary && plan.backupTarget) {
    out.push(
      `-- SQL Server: once the seeding of [${link.dagName}] has completed (never during it: errors 1408/1412), the first log backup, once`,
      buildLogBackupSql(link.database, plan.backupTarget),
    );
  }
  const schedule = plan.logBackupSchedule;
  if (schedule) {
    out.push(
      `-- SQL Server: the Agent job of the regular log backups of [${link.database}]`,
      buildCreateLogBackupJobSql({
        jobName: defaultLogBackupJobName(link.database),
        database: link.database,
        destination:
          schedule.url !== undefined ? { url: schedule.url } : { directory: schedule.directory ?? "" },
        everyMinutes: schedule.everyMinutes,
        description: logBackupJobDescription(link.database),
      }),
    );
  }
  if (plan.cutover) out.push(...cutoverSection(link, mi));
  return out;
}

/** The migration cutover of one link, in order (mi-link.md §1 row 15). */
function cutoverSection(link: LinkNames, mi: string): string[] {
  return [
    `-- Cutover of [${link.database}] (ends the link): a planned failover to the managed instance (synchronous commit, equal and stable LSNs, then the switch)`,
    `-- Azure: wait until the managed instance's first full backup of [${link.database}] exists (properties.earliestRestorePoint)`,
    rest("GET", `${mi}/databases/${link.database}`),
    "-- Azure: delete the link",
    rest("DELETE", `${mi}/distributedAvailabilityGroups/${link.dagName}`),
    `-- SQL Server: drop the distributed availability group, then the availability group (unless another link uses it); [${link.database}] stays as it is`,
    buildDropAgSql(link.dagName),
    buildDropAgSql(link.agName),
  ];
}

/** The Azure link's properties (API 2023-08-01), as the component sends them. */
export function linkProperties(
  plan: Pick<ScriptPlan, "initialPrimary" | "failoverMode" | "replicationMode">,
  link: LinkNames,
  sqlServerEndpointUrl: string,
): Record<string, unknown> {
  return {
    partnerAvailabilityGroupName: link.agName,
    instanceAvailabilityGroupName: link.miAgName,
    partnerEndpoint: sqlServerEndpointUrl,
    instanceLinkRole: plan.initialPrimary === "ManagedInstance" ? "Primary" : "Secondary",
    databases: [{ databaseName: link.database }],
    failoverMode: plan.failoverMode,
    replicationMode: plan.replicationMode,
    seedingMode: "Automatic",
  };
}

/**
 * MiLink's `script` output: the lookups' facts and the arguments turned into the {@link ScriptPlan}
 * a DBA reviews, with the endpoint certificate this up creates or keeps (the rotation plan when
 * the lookup ran). Known in preview: no resource output feeds it.
 */
import {
  DEFAULT_ROTATE_BEFORE,
  parseRotationWindow,
  planEndpointCertificate,
  type CurrentEndpointCertificate,
} from "../dynamic/certificates/rotation";
import { defaultEndpointCertificateSubject } from "../dynamic/endpoint-certificate";
import { defaultEndpointCertificateName } from "../tsql/names";
import { DEFAULTS, type MiLinkArgs } from "./args";
import { subscriptionOf } from "./managed-instance-links";
import type { ManagedInstanceFacts } from "./preflight";
import { renderScript, type ScriptPlan } from "./script";
import type { SqlServerInfo } from "./sql-server-info";
import { defaultCertificateExpiry } from "./sql-server-trust";

/** The settings MiLink resolved from its arguments (plain values). */
export interface MiLinkScriptSettings {
  subscriptionId?: string;
  resourceGroupName: string;
  endpointHost: string;
  endpointPort: number;
  endpointName?: string;
  endpointAlgorithms?: ScriptPlan["endpointAlgorithms"];
  /** `YYYY-MM-DD`, when given. */
  certificateExpiry?: string;
}

/** What MiLink decided besides the settings. */
export interface MiLinkScriptChoices extends Pick<
  ScriptPlan,
  "links" | "initialPrimary" | "failoverMode" | "replicationMode" | "backupTarget" | "logBackupSchedule"
> {
  args: MiLinkArgs;
  /** The endpoint certificate in use; undefined when the component's trust is not its own. */
  currentCertificate: CurrentEndpointCertificate | null | undefined;
  cutover: boolean;
}

export function miLinkScript(
  info: SqlServerInfo,
  mi: ManagedInstanceFacts & { id: string },
  settings: MiLinkScriptSettings,
  choices: MiLinkScriptChoices,
): string {
  const { args, currentCertificate } = choices;
  const planned =
    currentCertificate === undefined
      ? undefined
      : plannedCertificate(info.serverName, settings.certificateExpiry, currentCertificate, args);
  const certificateName = planned?.name ?? defaultEndpointCertificateName(info.serverName);
  const existing = info.mirroringEndpoint;
  return renderScript({
    serverName: info.serverName,
    productVersion: info.productVersion,
    certificateName,
    certificateSubject: defaultEndpointCertificateSubject(certificateName),
    // Without an explicit expiry: the day the certificate would get if created now.
    certificateExpiry: planned?.expiryDate ?? settings.certificateExpiry ?? defaultCertificateExpiry(),
    endpointName: settings.endpointName ?? DEFAULTS.endpointName,
    endpointHost: settings.endpointHost,
    endpointPort: settings.endpointPort,
    endpointAlgorithms: settings.endpointAlgorithms,
    existingEndpoint: existing
      ? { name: existing.name, windowsAuth: /NTLM|KERBEROS|NEGOTIATE/.test(existing.authentication) }
      : undefined,
    subscriptionId: settings.subscriptionId ?? subscriptionOf(mi.id),
    resourceGroupName: settings.resourceGroupName,
    managedInstanceName: mi.name,
    managedInstanceFqdn: mi.fullyQualifiedDomainName,
    links: choices.links,
    initialPrimary: choices.initialPrimary,
    failoverMode: choices.failoverMode,
    replicationMode: choices.replicationMode,
    backupTarget: choices.backupTarget,
    hostPreparation: args.hostPreparation,
    logBackupSchedule: choices.logBackupSchedule,
    cutover: choices.cutover,
  });
}

/** The rotation plan of the component's own trust. */
function plannedCertificate(
  serverName: string,
  explicitExpiry: string | undefined,
  current: CurrentEndpointCertificate | null,
  args: MiLinkArgs,
): { name: string; expiryDate: string } {
  return planEndpointCertificate({
    baseName: defaultEndpointCertificateName(serverName),
    explicitExpiry,
    current,
    rotateBeforeDays: parseRotationWindow(args.rotateCertificateBefore ?? DEFAULT_ROTATE_BEFORE),
    validityYears: DEFAULTS.certificateValidityYears,
    now: new Date(),
  });
}

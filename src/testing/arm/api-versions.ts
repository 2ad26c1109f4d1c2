/**
 * The Microsoft.Sql api-versions the emulator answers: those @azure/arm-sql 10 sends
 * (2021-11-01-preview, 2022-08-01-preview) and those azure-native 3.x can target.
 */
export const SUPPORTED_API_VERSIONS: readonly string[] = [
  "2021-05-01-preview",
  "2021-08-01-preview",
  "2021-11-01",
  "2021-11-01-preview",
  "2022-02-01-preview",
  "2022-05-01-preview",
  "2022-08-01-preview",
  "2022-11-01-preview",
  "2023-02-01-preview",
  "2023-05-01-preview",
  "2023-08-01",
  "2023-08-01-preview",
  "2024-05-01-preview",
  "2024-11-01-preview",
  "2025-01-01",
  "2025-02-01-preview",
  "2025-08-01-preview",
];

/**
 * From 2023-05-01-preview the link resource uses partner/instance naming
 * (partnerAvailabilityGroupName, instanceLinkRole, databases[]) and has the failover
 * and setRole actions; earlier versions use source/target naming.
 */
export function usesInstancePartnerLinkShape(apiVersion: string): boolean {
  return apiVersion >= "2023-05-01-preview";
}

export function isSupportedApiVersion(apiVersion: string): boolean {
  return SUPPORTED_API_VERSIONS.includes(apiVersion);
}

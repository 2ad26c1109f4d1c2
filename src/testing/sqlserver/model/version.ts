/**
 * What a SQL Server build number says: release year, service pack / CU, and
 * which link features the build has (mi-link.md §3).
 */

export interface ProductInfo {
  productVersion: string;
  major: number;
  minor: number;
  build: number;
  revision: number;
  /** 2016, 2017, 2019, 2022, 2025 */
  year: number;
  /** SERVERPROPERTY('ProductLevel'): RTM, SP1, SP2, SP3 */
  level: string;
  /** SERVERPROPERTY('ProductUpdateLevel'): CU13, or null for RTM / a service pack baseline. */
  updateLevel: string | null;
}

const YEARS: Record<number, number> = { 13: 2016, 14: 2017, 15: 2019, 16: 2022, 17: 2025 };

/** SQL Server 2016 service pack baselines (build → level); CUs keep the level. */
const SQL2016_LEVELS: Array<[number, string]> = [
  [6300, "SP3"],
  [5026, "SP2"],
  [4001, "SP1"],
  [1601, "RTM"],
];

/** Known CU builds where the formula below does not fit (2017 and 2019 builds are irregular). */
const KNOWN_CUS: Record<string, string> = {
  "14.0.3456.2": "CU31",
  "14.0.3490.10": "CU31",
  "15.0.4312.2": "CU20",
  "15.0.4316.3": "CU21",
  "15.0.4322.2": "CU22",
  "15.0.4335.1": "CU23",
  "15.0.4345.5": "CU24",
  "15.0.4355.3": "CU25",
  "15.0.4375.4": "CU27",
  "15.0.4385.2": "CU28",
  "15.0.4405.4": "CU29",
  "15.0.4415.2": "CU30",
  "15.0.4420.2": "CU31",
  "15.0.4430.1": "CU32",
};

export function parseProductVersion(productVersion: string): ProductInfo {
  const parts = productVersion.split(".").map((p) => Number(p));
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new Error(
      `Invalid SQL Server product version '${productVersion}' (expected major.minor.build.revision)`,
    );
  }
  const [major, minor, build, revision] = parts;
  const year = YEARS[major];
  if (!year) throw new Error(`Unsupported SQL Server major version ${major} (supported: 13 to 17)`);
  let level = "RTM";
  let updateLevel: string | null = KNOWN_CUS[productVersion] ?? null;
  if (major === 13) {
    level = SQL2016_LEVELS.find(([b]) => build >= b)?.[1] ?? "RTM";
  } else if (!updateLevel && build >= 4000) {
    // 2022 and 2025 CUs are numbered 4003 (CU1), 4015 (CU2), ... 4125 (CU13): ten builds per CU.
    updateLevel = `CU${Math.ceil((build - 4000) / 10)}`;
  } else if (!updateLevel && major === 14 && build >= 3000) {
    updateLevel = `CU${Math.max(1, Math.round((build - 3006) / 15))}`;
  }
  return { productVersion, major, minor, build, revision, year, level, updateLevel };
}

function compareBuild(info: ProductInfo, other: string): number {
  const o = other.split(".").map(Number);
  const mine = [info.major, info.minor, info.build, info.revision];
  for (let i = 0; i < 4; i++) if (mine[i] !== o[i]) return mine[i] - o[i];
  return 0;
}

export function atLeast(info: ProductInfo, version: string): boolean {
  return compareBuild(info, version) >= 0;
}

/** sp_certificate_add_issuer / sp_validate_certificate_ca_chain ship with the Azure Connect pack on 2016/2017. */
export function hasCertificateIssuerProcedures(info: ProductInfo): boolean {
  if (info.major === 13) return atLeast(info, "13.0.7000.253");
  if (info.major === 14) return atLeast(info, "14.0.3490.10");
  return true;
}

/** T-SQL `ALTER AVAILABILITY GROUP [dag] FAILOVER` for a link: SQL Server 2022 CU13+ (and 2025). */
export function supportsLinkFailover(info: ProductInfo): boolean {
  return info.major >= 17 || (info.major === 16 && atLeast(info, "16.0.4125.3"));
}

/** CLUSTER_TYPE exists from 2017; 2016 availability groups are always WSFC. */
export function supportsClusterType(info: ProductInfo): boolean {
  return info.major >= 14;
}

export function versionString(info: ProductInfo, edition: string): string {
  const tag = info.updateLevel ? `${info.level}-${info.updateLevel}` : info.level;
  const os =
    info.major >= 14 ? "Linux (Ubuntu 22.04.4 LTS) <X64>" : "Windows Server 2019 Datacenter 10.0 <X64>";
  return (
    `Microsoft SQL Server ${info.year} (${tag}) - ${info.productVersion} (X64) \n` +
    `\tJan  1 ${info.year} 00:00:00 \n\tCopyright (C) ${info.year} Microsoft Corporation\n\t${edition} on ${os}`
  );
}

/** SERVERPROPERTY('EngineEdition'): 2 Standard, 3 Enterprise/Developer/Evaluation, 4 Express. */
export function engineEdition(edition: string): number {
  const e = edition.toLowerCase();
  if (e.startsWith("standard")) return 2;
  if (e.startsWith("express")) return 4;
  return 3;
}

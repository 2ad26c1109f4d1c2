/**
 * SQL Server versions and what the Managed Instance link supports on each (mi-link reference §3).
 * The rules are data ({@link SQL_SERVER_RELEASES}) so a changed minimum build is a one-line edit.
 */
import { TsqlInputError } from "./quote";

/** A parsed `SERVERPROPERTY('ProductVersion')`, e.g. 16.0.4125.3. */
export interface ProductVersion {
  major: number;
  minor: number;
  build: number;
  revision: number;
}

/** The managed instance update policy (`databaseFormat` in ARM). */
export type DatabaseFormat = "AlwaysUpToDate" | "SQLServer2022" | "SQLServer2025";

/** Which side holds the database when the link is created. */
export type InitialPrimary = "SqlServer" | "ManagedInstance";

/** The link's `failoverMode`: `None` is one-way to Azure, `Manual` allows failing back. */
export type LinkFailoverMode = "None" | "Manual";

/** Link rules for one SQL Server release. */
export interface SqlServerRelease {
  /** e.g. "SQL Server 2022". */
  name: string;
  major: number;
  /** Oldest build that supports a link with SQL Server as initial primary. */
  minLinkBuild: string;
  /** The update that build corresponds to, for messages, e.g. "CU20". */
  minLinkUpdate: string;
  /** The Azure Connect feature pack build, when the release needs one (2016, 2017). */
  azureConnectPackBuild?: string;
  /** Oldest build that accepts a managed instance as initial primary (and replication back). */
  miInitialPrimaryMinBuild?: string;
  miInitialPrimaryMinUpdate?: string;
  /** Oldest build that runs `ALTER AVAILABILITY GROUP [dag] FAILOVER` for the link. */
  tsqlDagFailoverMinBuild?: string;
  tsqlDagFailoverMinUpdate?: string;
  /** The MI update policy under which failing back to this release works; absent = never. */
  failbackDatabaseFormat?: DatabaseFormat;
  /** 2016 needs WSFC, so `CLUSTER_TYPE` must be left out of CREATE AVAILABILITY GROUP. */
  omitClusterType: boolean;
}

/** The supported releases, newest first. Releases older than the last one do not support the link. */
export const SQL_SERVER_RELEASES: readonly SqlServerRelease[] = [
  {
    name: "SQL Server 2025",
    major: 17,
    minLinkBuild: "17.0.1000.7",
    minLinkUpdate: "RTM",
    miInitialPrimaryMinBuild: "17.0.1000.7",
    miInitialPrimaryMinUpdate: "RTM",
    tsqlDagFailoverMinBuild: "17.0.1000.7",
    tsqlDagFailoverMinUpdate: "RTM",
    failbackDatabaseFormat: "SQLServer2025",
    omitClusterType: false,
  },
  {
    name: "SQL Server 2022",
    major: 16,
    minLinkBuild: "16.0.1000.6",
    minLinkUpdate: "RTM",
    miInitialPrimaryMinBuild: "16.0.4095.4",
    miInitialPrimaryMinUpdate: "CU10",
    tsqlDagFailoverMinBuild: "16.0.4125.3",
    tsqlDagFailoverMinUpdate: "CU13",
    failbackDatabaseFormat: "SQLServer2022",
    omitClusterType: false,
  },
  {
    name: "SQL Server 2019",
    major: 15,
    minLinkBuild: "15.0.4312.2",
    minLinkUpdate: "CU20",
    omitClusterType: false,
  },
  {
    name: "SQL Server 2017",
    major: 14,
    minLinkBuild: "14.0.3456.2",
    minLinkUpdate: "CU31",
    azureConnectPackBuild: "14.0.3490.10",
    omitClusterType: false,
  },
  {
    name: "SQL Server 2016",
    major: 13,
    minLinkBuild: "13.0.6300.2",
    minLinkUpdate: "SP3",
    azureConnectPackBuild: "13.0.7000.253",
    omitClusterType: true,
  },
];

const SUPPORTED_LIST =
  "SQL Server 2016 SP3 + Azure Connect pack, 2017 CU31 + Azure Connect pack, 2019 CU20, 2022 or 2025";

/**
 * Parses a ProductVersion such as `16.0.4125.3` (missing trailing parts count as 0).
 * @throws TsqlInputError when the text is not 1-4 dot-separated non-negative integers
 */
export function parseProductVersion(version: string, field = "productVersion"): ProductVersion {
  const text = typeof version === "string" ? version.trim() : "";
  if (!/^\d{1,9}(\.\d{1,9}){0,3}$/.test(text)) {
    throw new TsqlInputError(
      field,
      `"${String(version)}" is not a SQL Server product version`,
      "Pass SERVERPROPERTY('ProductVersion'), e.g. 16.0.4125.3.",
    );
  }
  const [major, minor = 0, build = 0, revision = 0] = text.split(".").map(Number);
  return { major, minor, build, revision };
}

/** Formats a version as `major.minor.build.revision`. */
export function formatProductVersion(version: ProductVersion): string {
  return `${version.major}.${version.minor}.${version.build}.${version.revision}`;
}

function toVersion(version: string | ProductVersion): ProductVersion {
  return typeof version === "string" ? parseProductVersion(version) : version;
}

/**
 * Compares two versions part by part.
 * @returns a negative number when a < b, 0 when equal, a positive number when a > b
 */
export function compareProductVersions(a: string | ProductVersion, b: string | ProductVersion): number {
  const x = toVersion(a);
  const y = toVersion(b);
  return x.major - y.major || x.minor - y.minor || x.build - y.build || x.revision - y.revision;
}

function atLeast(version: ProductVersion, minimum: string | undefined): boolean {
  return minimum !== undefined && compareProductVersions(version, minimum) >= 0;
}

/**
 * The release rules for a version. Majors newer than the newest known release follow the newest
 * known release's rules; majors older than 2016 return undefined (the link is unsupported).
 */
export function releaseOf(version: string | ProductVersion): SqlServerRelease | undefined {
  const { major } = toVersion(version);
  const newest = SQL_SERVER_RELEASES[0];
  if (major > newest.major) return newest;
  return SQL_SERVER_RELEASES.find((release) => release.major === major);
}

/** Outcome of a support check: `ok`, or why not and what to do. */
export type SupportResult = { ok: true } | { ok: false; reason: string; fix: string };

/** What the link is asked to do. */
export interface LinkSupportOptions {
  initialPrimary: InitialPrimary;
  failoverMode: LinkFailoverMode;
  /** The managed instance's update policy, when known: checked for MI as initial primary. */
  databaseFormat?: DatabaseFormat;
}

/**
 * Decides whether a SQL Server version supports the requested link.
 * @param version `SERVERPROPERTY('ProductVersion')` or a parsed version
 */
export function linkSupport(version: string | ProductVersion, options: LinkSupportOptions): SupportResult {
  const parsed = toVersion(version);
  const shown = formatProductVersion(parsed);
  const release = releaseOf(parsed);
  if (!release) {
    return {
      ok: false,
      reason: `SQL Server ${shown} (major version ${parsed.major}) does not support the Managed Instance link`,
      fix: `Upgrade to ${SUPPORTED_LIST}.`,
    };
  }
  if (!atLeast(parsed, release.minLinkBuild)) {
    const pack = release.azureConnectPackBuild
      ? ` and then the Azure Connect feature pack (${release.azureConnectPackBuild})`
      : "";
    return {
      ok: false,
      reason: `${release.name} ${shown} is older than ${release.minLinkUpdate} (${release.minLinkBuild}), the first build that supports the link`,
      fix: `Install ${release.name} ${release.minLinkUpdate} or later${pack}.`,
    };
  }
  if (release.azureConnectPackBuild && !atLeast(parsed, release.azureConnectPackBuild)) {
    return {
      ok: false,
      reason: `${release.name} ${shown} lacks the Azure Connect feature pack (${release.azureConnectPackBuild}), which provides the link's certificate procedures`,
      fix: `Install the ${release.name} Azure Connect feature pack (${release.azureConnectPackBuild} or later).`,
    };
  }
  if (options.initialPrimary === "ManagedInstance") {
    if (!atLeast(parsed, release.miInitialPrimaryMinBuild)) {
      return {
        ok: false,
        reason: `${release.name} ${shown} cannot receive a link whose initial primary is the managed instance (needs SQL Server 2022 CU10 16.0.4095.4 or later)`,
        fix: release.miInitialPrimaryMinBuild
          ? `Install ${release.name} ${release.miInitialPrimaryMinUpdate} (${release.miInitialPrimaryMinBuild}) or later, or make SQL Server the initial primary.`
          : "Make SQL Server the initial primary, or upgrade to SQL Server 2022 CU10 or later.",
      };
    }
    if (options.databaseFormat && options.databaseFormat !== release.failbackDatabaseFormat) {
      return {
        ok: false,
        reason: `a managed instance with the ${options.databaseFormat} update policy cannot replicate to ${release.name}`,
        fix: `Use a managed instance with the ${release.failbackDatabaseFormat} update policy, or make SQL Server the initial primary.`,
      };
    }
  }
  if (options.failoverMode === "Manual" && !release.failbackDatabaseFormat) {
    return {
      ok: false,
      reason: `${release.name} does not support failing back from the managed instance (failover mode Manual); failover to the managed instance ends the link`,
      fix: 'Use failover mode "None" (one-way replication to Azure), or upgrade to SQL Server 2022 or later.',
    };
  }
  return { ok: true };
}

/**
 * Whether `ALTER AVAILABILITY GROUP [dag] FAILOVER` works for the link on this version
 * (SQL Server 2022 CU13 16.0.4125.3 and later); otherwise failover goes through Azure.
 */
export function supportsTsqlDagFailover(version: string | ProductVersion): boolean {
  const parsed = toVersion(version);
  return atLeast(parsed, releaseOf(parsed)?.tsqlDagFailoverMinBuild);
}

/**
 * Whether, after a failover to the managed instance, the database can fail back to this SQL
 * Server: needs a release that accepts replication from the MI and an MI on that release's update
 * policy (an Always-up-to-date MI accepts the link but offers no way back).
 */
export function supportsFailback(version: string | ProductVersion, databaseFormat: DatabaseFormat): boolean {
  const parsed = toVersion(version);
  const release = releaseOf(parsed);
  return (
    release !== undefined &&
    release.failbackDatabaseFormat === databaseFormat &&
    atLeast(parsed, release.miInitialPrimaryMinBuild)
  );
}

/**
 * The `WITH (CLUSTER_TYPE = NONE)` clause of CREATE AVAILABILITY GROUP, or "" for SQL Server 2016,
 * which has no CLUSTER_TYPE and needs a Windows Server failover cluster.
 */
export function clusterTypeClause(version: string | ProductVersion): string {
  return releaseOf(version)?.omitClusterType ? "" : "WITH (CLUSTER_TYPE = NONE)";
}

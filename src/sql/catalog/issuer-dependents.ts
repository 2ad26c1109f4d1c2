import type * as mssql from "mssql";
import { ISSUER_DEPENDENTS_QUERY } from "../../tsql/queries/issuer-dependents";
import { runQueryResultSets } from "../execute";
import { optionalText, text } from "./values";

/** What still relies on a trusted issuer certificate for a DNS name pattern. */
export interface IssuerDependents {
  /** Other certificates of master named (or with a subject) matching the pattern, e.g. managed instances' FQDNs. */
  certificates: string[];
  /** Distributed availability groups with a member whose endpoint host matches the pattern (links). */
  distributedGroups: string[];
}

/**
 * Whether `host` matches a DNS name pattern as sp_certificate_add_issuer takes it: `*.example.com`
 * matches any name ending in `.example.com`; anything else matches itself. Case is ignored.
 */
export function matchesDnsPattern(host: string, pattern: string): boolean {
  const name = host.trim().toLowerCase().replace(/\.$/, "");
  const wanted = pattern.trim().toLowerCase().replace(/\.$/, "");
  if (wanted.startsWith("*.")) {
    const suffix = wanted.slice(1);
    return name.length > suffix.length && name.endsWith(suffix);
  }
  return name === wanted;
}

/** The host of `TCP://host:port[;Server=[...]]`, or null. */
function endpointHost(url: string | null): string | null {
  const match = /^\s*tcp:\/\/([^:/;\s]+)/i.exec(url ?? "");
  return match ? match[1] : null;
}

/** The subject's common name ("CN=host, O=..." or just "host"). */
function subjectName(subject: string | null): string | null {
  if (!subject) return null;
  const match = /(?:^|[,/]\s*)CN=([^,/]+)/i.exec(subject);
  return (match ? match[1] : subject).trim();
}

/**
 * The certificates and distributed availability groups that rely on the trusted issuer
 * `certificateName` for `dnsPattern` (one round trip).
 */
export async function readIssuerDependents(
  pool: mssql.ConnectionPool,
  certificateName: string,
  dnsPattern: string,
): Promise<IssuerDependents> {
  const [certificateRows = [], replicaRows = []] = await runQueryResultSets(
    pool,
    ISSUER_DEPENDENTS_QUERY,
    { name: certificateName },
    { action: "read what relies on the trusted issuer certificate", object: `[${certificateName}]` },
  );
  const certificates = certificateRows
    .filter((row) => {
      const subject = subjectName(optionalText(row, "subject"));
      return (
        matchesDnsPattern(text(row, "name"), dnsPattern) ||
        (subject !== null && matchesDnsPattern(subject, dnsPattern))
      );
    })
    .map((row) => text(row, "name"));
  const distributedGroups = [
    ...new Set(
      replicaRows
        .filter((row) => {
          const host = endpointHost(optionalText(row, "endpoint_url"));
          return host !== null && matchesDnsPattern(host, dnsPattern);
        })
        .map((row) => text(row, "group_name")),
    ),
  ];
  return { certificates, distributedGroups };
}

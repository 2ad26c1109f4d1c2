/**
 * One LinkCertificateCheck for all the links of a MiLink: after each rotation of SQL Server's
 * endpoint certificate it proves every link CONNECTED with the new one, in one round trip per
 * observation, before the old generation is removed at the end of the up.
 */
import * as pulumi from "@pulumi/pulumi";
import { LinkCertificateCheck } from "../dynamic/certificates/link-certificate-check";
import type { ConnectionArgs } from "../dynamic/common/resource";
import type { DatabaseLink } from "./database-link";
import type { SqlServerTrust } from "./sql-server-trust";

export function linksCertificateCheck(
  name: string,
  links: readonly DatabaseLink[],
  trust: SqlServerTrust,
  connection: ConnectionArgs,
  timeoutSeconds: pulumi.Input<number> | undefined,
  parent: pulumi.Resource,
): LinkCertificateCheck | undefined {
  const checked = links.filter((link) => link.linkReadiness !== undefined);
  if (checked.length === 0) return undefined;
  return new LinkCertificateCheck(
    `${name}-link-certificate`,
    {
      ...connection,
      links: checked.map((link) => ({
        dagName: link.distributedAvailabilityGroup!.name,
        database: link.database,
      })),
      certificateName: trust.certificateName,
      timeoutSeconds,
    },
    { parent, dependsOn: [...checked.map((link) => link.linkReadiness!), trust.endpoint] },
  );
}

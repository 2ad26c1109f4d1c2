import type { RemoteReplicaJoin, SqlServerPartner } from "../sqlserver/model/partner";

/** What the MI knows when it tries to join the SQL Server's distributed availability group. */
export interface LinkTrustInput {
  managedInstance: {
    name: string;
    fqdn: string;
    /** DER of the MI's DATABASE_MIRRORING endpoint certificate. */
    endpointCertificateDer: Buffer;
    /** DER of every uploaded server trust certificate. */
    trustCertificates: Array<{ name: string; der: Buffer }>;
  };
  link: {
    name: string;
    /** TCP://host:port of the SQL Server mirroring endpoint. */
    partnerEndpoint: string;
    partnerAvailabilityGroupName: string;
    instanceAvailabilityGroupName: string;
    instanceLinkRole: "Primary" | "Secondary";
    databases: string[];
  };
}

export type TrustPartnerView = Pick<
  SqlServerPartner,
  "mirroringEndpoint" | "certificate" | "validateCaChain" | "distributedAvailabilityGroup"
>;

/**
 * Why a join fails. `network` problems are only reported once the connection window has
 * passed (41962); certificate problems surface at the first handshake.
 */
export type TrustFailureKind = "network" | "sqlServerCertificate" | "managedInstanceCertificate" | "topology";

export type LinkTrustResult =
  | { ok: true; join: RemoteReplicaJoin }
  | { ok: false; kind: TrustFailureKind; error: { number: number; description: string } };

export const LINK_NOT_INITIATED = 41962;
export const SQL_SERVER_CERTIFICATE_NOT_ON_MI = 41973;
export const MI_CERTIFICATE_NOT_ON_SQL_SERVER = 41974;
export const AVAILABILITY_GROUP_NOT_RESPONDING = 41976;
export const TARGET_DATABASE_NOT_RESPONSIVE = 41977;

function fail(kind: TrustFailureKind, number: number, description: string): LinkTrustResult {
  return { ok: false, kind, error: { number, description } };
}

/** "TCP://host:port[;...]" → { host, port }; undefined when not a TCP URL. */
export function parseTcpUrl(url: string): { host: string; port: number } | undefined {
  const match = /^tcp:\/\/([^:;/]+):(\d+)/i.exec(url.trim());
  if (!match) return undefined;
  return { host: match[1].toLowerCase(), port: Number(match[2]) };
}

/**
 * Decides whether the MI can join the SQL Server's DAG: the same checks the two
 * mirroring endpoints make when they connect, in the order a connection meets them.
 */
export function evaluateLinkTrust(partner: TrustPartnerView, input: LinkTrustInput): LinkTrustResult {
  const { managedInstance: mi, link } = input;
  const target = parseTcpUrl(link.partnerEndpoint);
  const endpoint = partner.mirroringEndpoint();
  if (!target) {
    return fail(
      "network",
      LINK_NOT_INITIATED,
      `The partner endpoint '${link.partnerEndpoint}' is not a TCP URL.`,
    );
  }
  if (!endpoint || endpoint.state !== "STARTED" || endpoint.port !== target.port) {
    const why = !endpoint
      ? "SQL Server has no DATABASE_MIRRORING endpoint"
      : endpoint.state !== "STARTED"
        ? `the mirroring endpoint '${endpoint.name}' is ${endpoint.state}`
        : `the mirroring endpoint listens on port ${endpoint.port}, not ${target.port}`;
    return fail(
      "network",
      LINK_NOT_INITIATED,
      `The link was not initiated: connection to '${link.partnerEndpoint}' failed (${why}). ` +
        "Check the network, the firewalls and the endpoint.",
    );
  }
  if (endpoint.encryption === "DISABLED" || !endpoint.algorithms.includes("AES")) {
    return fail(
      "network",
      LINK_NOT_INITIATED,
      `The link was not initiated: the mirroring endpoint '${endpoint.name}' does not offer AES encryption ` +
        `(encryption ${endpoint.encryption}, algorithms ${endpoint.algorithms.join(", ") || "none"}).`,
    );
  }

  const sqlCertificate = endpoint.certificateName ? partner.certificate(endpoint.certificateName) : undefined;
  if (!sqlCertificate) {
    return fail(
      "sqlServerCertificate",
      SQL_SERVER_CERTIFICATE_NOT_ON_MI,
      `The mirroring endpoint '${endpoint.name}' does not use CERTIFICATE authentication; ` +
        "the managed instance cannot authenticate SQL Server.",
    );
  }
  if (!mi.trustCertificates.some((trusted) => trusted.der.equals(sqlCertificate.der))) {
    return fail(
      "sqlServerCertificate",
      SQL_SERVER_CERTIFICATE_NOT_ON_MI,
      `The certificate '${sqlCertificate.name}' of the SQL Server mirroring endpoint has not been imported ` +
        "to the managed instance as a server trust certificate.",
    );
  }

  const miCertificate = partner.certificate(mi.fqdn);
  if (!miCertificate || !miCertificate.der.equals(mi.endpointCertificateDer)) {
    return fail(
      "managedInstanceCertificate",
      MI_CERTIFICATE_NOT_ON_SQL_SERVER,
      miCertificate
        ? `The certificate '${mi.fqdn}' on SQL Server is not the managed instance's endpoint certificate.`
        : `The managed instance certificate has not been imported on SQL Server under the name '${mi.fqdn}'.`,
    );
  }
  const chain = partner.validateCaChain(mi.fqdn);
  if (!chain.ok) {
    return fail(
      "managedInstanceCertificate",
      MI_CERTIFICATE_NOT_ON_SQL_SERVER,
      `SQL Server does not trust the managed instance certificate '${mi.fqdn}': ${chain.reason}`,
    );
  }

  const dag = partner.distributedAvailabilityGroup(link.name);
  if (!dag) {
    return fail(
      "topology",
      AVAILABILITY_GROUP_NOT_RESPONDING,
      `The distributed availability group '${link.name}' does not exist on SQL Server.`,
    );
  }
  if (
    dag.localAgName !== link.partnerAvailabilityGroupName ||
    dag.remoteAgName !== link.instanceAvailabilityGroupName
  ) {
    return fail(
      "topology",
      AVAILABILITY_GROUP_NOT_RESPONDING,
      `The distributed availability group '${link.name}' on SQL Server joins '${dag.localAgName}' and ` +
        `'${dag.remoteAgName}', not '${link.partnerAvailabilityGroupName}' and '${link.instanceAvailabilityGroupName}'.`,
    );
  }
  const remoteMember = dag.members.find((member) => member.agName === dag.remoteAgName);
  const listener = remoteMember ? parseTcpUrl(remoteMember.listenerUrl) : undefined;
  if (!listener || listener.host !== mi.fqdn.toLowerCase()) {
    return fail(
      "topology",
      AVAILABILITY_GROUP_NOT_RESPONDING,
      `The listener URL of '${dag.remoteAgName}' in '${link.name}' ` +
        `('${remoteMember?.listenerUrl ?? ""}') does not name the managed instance '${mi.fqdn}'.`,
    );
  }
  const database = link.databases[0];
  if (dag.database !== undefined && dag.database.toLowerCase() !== database?.toLowerCase()) {
    return fail(
      "topology",
      TARGET_DATABASE_NOT_RESPONSIVE,
      `The availability group '${dag.localAgName}' holds database '${dag.database}', not '${database ?? ""}'.`,
    );
  }
  return {
    ok: true,
    join: {
      managedInstanceName: mi.name,
      managedInstanceRole: link.instanceLinkRole === "Primary" ? "PRIMARY" : "SECONDARY",
    },
  };
}

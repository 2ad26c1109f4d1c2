/**
 * sys.endpoints, sys.tcp_endpoints and sys.database_mirroring_endpoints.
 */
import type { CatalogTable } from "../contract";
import type { ModelContext } from "../context";
import { connectionAuth, encryptionAlgorithm, ROLE_CODES, STATE_CODES, SYSTEM_ENDPOINTS } from "../endpoints";
import { findCertificate } from "../security";
import { T, table, type ColumnSpec, type Row } from "./columns";

const ENDPOINT: ColumnSpec[] = [
  ["name", T.sysname, false],
  ["endpoint_id", T.int, false],
  ["principal_id", T.int],
  ["protocol", T.tinyint, false],
  ["protocol_desc", T.nvarchar(60)],
  ["type", T.tinyint, false],
  ["type_desc", T.nvarchar(60)],
  ["state", T.tinyint],
  ["state_desc", T.nvarchar(60)],
  ["is_admin_endpoint", T.bit, false],
];
const TCP: ColumnSpec[] = [
  ...ENDPOINT,
  ["port", T.int, false],
  ["is_dynamic_port", T.bit, false],
  ["ip_address", T.nvarchar(45)],
];
const MIRRORING: ColumnSpec[] = [
  ...ENDPOINT,
  ["role", T.tinyint],
  ["role_desc", T.nvarchar(60)],
  ["is_encryption_enabled", T.bit, false],
  ["connection_auth", T.tinyint, false],
  ["connection_auth_desc", T.nvarchar(60)],
  ["certificate_id", T.int, false],
  ["encryption_algorithm", T.tinyint, false],
  ["encryption_algorithm_desc", T.nvarchar(60)],
];

function systemRows(): Row[] {
  return SYSTEM_ENDPOINTS.map((s) => ({
    name: s.name,
    endpoint_id: s.id,
    principal_id: 1,
    protocol: s.protocol,
    protocol_desc: s.protocolDesc,
    type: 2,
    type_desc: "TSQL",
    state: 0,
    state_desc: "STARTED",
    is_admin_endpoint: s.isAdmin,
    port: s.port,
    is_dynamic_port: s.port === 0,
  }));
}

function mirroringRow(m: ModelContext): Row | undefined {
  const e = m.state.endpoint;
  if (!e) return undefined;
  const auth = connectionAuth(e);
  const algorithm = encryptionAlgorithm(e);
  const cert = e.certificateName ? findCertificate(m, "master", e.certificateName) : undefined;
  return {
    name: e.name,
    endpoint_id: e.id,
    principal_id: 1,
    protocol: 2,
    protocol_desc: "TCP",
    type: 4,
    type_desc: "DATABASE_MIRRORING",
    state: STATE_CODES[e.state],
    state_desc: e.state,
    is_admin_endpoint: false,
    port: e.port,
    is_dynamic_port: false,
    ip_address: e.listenerIp.toUpperCase() === "ALL" ? null : e.listenerIp,
    role: ROLE_CODES[e.role],
    role_desc: e.role,
    is_encryption_enabled: e.encryption !== "DISABLED",
    connection_auth: auth.code,
    connection_auth_desc: auth.desc,
    certificate_id: cert?.id ?? 0,
    encryption_algorithm: algorithm.code,
    encryption_algorithm_desc: algorithm.desc,
  };
}

export function endpointsView(m: ModelContext, visible: boolean): CatalogTable {
  const mirroring = visible ? mirroringRow(m) : undefined;
  return table(ENDPOINT, [...systemRows(), ...(mirroring ? [mirroring] : [])]);
}

export function tcpEndpointsView(m: ModelContext, visible: boolean): CatalogTable {
  const mirroring = visible ? mirroringRow(m) : undefined;
  const tcp = systemRows().filter((r) => r.protocol === 2);
  return table(TCP, [...tcp, ...(mirroring ? [mirroring] : [])]);
}

export function mirroringEndpointsView(m: ModelContext, visible: boolean): CatalogTable {
  const mirroring = visible ? mirroringRow(m) : undefined;
  return table(MIRRORING, mirroring ? [mirroring] : []);
}

/**
 * The DATABASE_MIRRORING endpoint (one per instance) and the system
 * endpoints every instance has, with the catalog codes of
 * sys.database_mirroring_endpoints.
 */
import type { EndpointAlgorithm, EndpointSpec, ExecContext } from "./contract";
import type { ModelContext } from "./context";
import { errors } from "./errors";
import { findCertificate } from "./security";
import type { EndpointState } from "./state";

export const MIRRORING_ENDPOINT_ID = 65536;
/** The TDS listener: an endpoint on this port conflicts with it. */
export const TSQL_DEFAULT_PORT = 1433;

export interface SystemEndpoint {
  id: number;
  name: string;
  protocol: number;
  protocolDesc: string;
  isAdmin: boolean;
  port?: number;
}

export const SYSTEM_ENDPOINTS: SystemEndpoint[] = [
  { id: 1, name: "Dedicated Admin Connection", protocol: 2, protocolDesc: "TCP", isAdmin: true, port: 0 },
  { id: 2, name: "TSQL Local Machine", protocol: 4, protocolDesc: "SHARED_MEMORY", isAdmin: false },
  { id: 3, name: "TSQL Named Pipes", protocol: 3, protocolDesc: "NAMED_PIPES", isAdmin: false },
  { id: 4, name: "TSQL Default TCP", protocol: 2, protocolDesc: "TCP", isAdmin: false, port: 0 },
  { id: 5, name: "TSQL Default VIA", protocol: 5, protocolDesc: "VIA", isAdmin: false },
];

const AUTH_CODES: Record<string, number> = {
  NTLM: 1,
  KERBEROS: 2,
  NEGOTIATE: 3,
  CERTIFICATE: 4,
  "NTLM, CERTIFICATE": 5,
  "KERBEROS, CERTIFICATE": 6,
  "NEGOTIATE, CERTIFICATE": 7,
  "CERTIFICATE, NTLM": 8,
  "CERTIFICATE, KERBEROS": 9,
  "CERTIFICATE, NEGOTIATE": 10,
};

const ALGORITHM_CODES: Record<string, number> = {
  NONE: 0,
  RC4: 1,
  AES: 2,
  "NONE, RC4": 3,
  "NONE, AES": 4,
  "RC4, AES": 5,
  "AES, RC4": 6,
  "NONE, RC4, AES": 7,
  "NONE, AES, RC4": 8,
};

export function connectionAuth(e: EndpointState): { code: number; desc: string } {
  const parts = e.certificateName
    ? e.windowsAuth
      ? e.certificateFirst
        ? ["CERTIFICATE", e.windowsAuth]
        : [e.windowsAuth, "CERTIFICATE"]
      : ["CERTIFICATE"]
    : [e.windowsAuth ?? "NEGOTIATE"];
  const desc = parts.join(", ");
  return { code: AUTH_CODES[desc], desc };
}

export function encryptionAlgorithm(e: EndpointState): { code: number; desc: string } {
  if (e.encryption === "DISABLED") return { code: 0, desc: "NONE" };
  const parts: string[] = e.encryption === "SUPPORTED" ? ["NONE", ...e.algorithms] : [...e.algorithms];
  const desc = parts.join(", ");
  return { code: ALGORITHM_CODES[desc] ?? 0, desc };
}

export const STATE_CODES = { STARTED: 0, STOPPED: 1, DISABLED: 2 } as const;
export const ROLE_CODES = { NONE: 0, PARTNER: 1, WITNESS: 2, ALL: 3 } as const;

function dedupe(algorithms: EndpointAlgorithm[]): EndpointAlgorithm[] {
  return algorithms.filter((a, i) => algorithms.indexOf(a) === i);
}

function checkCertificate(m: ModelContext, name: string): void {
  const cert = findCertificate(m, "master", name);
  if (!cert) throw errors.certificateNotFound(name);
  if (cert.keyEncryption === "NA") throw errors.certificateWithoutPrivateKey(cert.name);
}

function checkPort(m: ModelContext, name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1024 || port > 32767 || port === TSQL_DEFAULT_PORT) {
    throw errors.endpointPortInUse(name);
  }
}

export function createEndpoint(m: ModelContext, ctx: ExecContext, spec: EndpointSpec): void {
  m.requirePermission(ctx, "CREATE ENDPOINT");
  if (SYSTEM_ENDPOINTS.some((s) => m.sameName(s.name, spec.name))) throw errors.endpointNameExists(spec.name);
  if (m.state.endpoint) {
    if (m.sameName(m.state.endpoint.name, spec.name)) throw errors.endpointNameExists(spec.name);
    throw errors.endpointTypeExists();
  }
  const port = spec.port ?? 5022;
  checkPort(m, spec.name, port);
  const auth = spec.authentication ?? { windows: "NEGOTIATE" as const, certificateFirst: false };
  if (auth.certificate) checkCertificate(m, auth.certificate);
  const encryption = spec.encryption ?? { mode: "REQUIRED" as const, algorithms: ["AES" as const] };
  m.state.endpoint = {
    name: spec.name,
    id: MIRRORING_ENDPOINT_ID,
    // CREATE ENDPOINT defaults to STOPPED.
    state: spec.state ?? "STOPPED",
    port,
    listenerIp: spec.listenerIp ?? "ALL",
    role: spec.role ?? "ALL",
    windowsAuth: auth.windows ?? (auth.certificate ? undefined : "NEGOTIATE"),
    certificateName: auth.certificate,
    certificateFirst: auth.certificateFirst,
    encryption: encryption.mode,
    algorithms: dedupe(encryption.algorithms.length ? encryption.algorithms : ["AES"]),
  };
}

export function alterEndpoint(m: ModelContext, ctx: ExecContext, spec: EndpointSpec): void {
  m.requirePermission(ctx, "ALTER ENDPOINT");
  if (SYSTEM_ENDPOINTS.some((s) => m.sameName(s.name, spec.name))) throw errors.endpointSystem(spec.name);
  const e = m.state.endpoint;
  if (!e || !m.sameName(e.name, spec.name)) throw errors.endpointNotFound(spec.name);
  if (spec.port !== undefined) checkPort(m, e.name, spec.port);
  if (spec.authentication?.certificate) checkCertificate(m, spec.authentication.certificate);
  if (spec.state) e.state = spec.state;
  if (spec.port !== undefined) e.port = spec.port;
  if (spec.listenerIp !== undefined) e.listenerIp = spec.listenerIp;
  if (spec.role) e.role = spec.role;
  if (spec.authentication) {
    const a = spec.authentication;
    e.windowsAuth = a.windows ?? (a.certificate ? undefined : "NEGOTIATE");
    e.certificateName = a.certificate;
    e.certificateFirst = a.certificateFirst;
  }
  if (spec.encryption) {
    e.encryption = spec.encryption.mode;
    if (spec.encryption.algorithms.length) e.algorithms = dedupe(spec.encryption.algorithms);
  }
}

export function dropEndpoint(m: ModelContext, ctx: ExecContext, name: string): void {
  m.requirePermission(ctx, "DROP ENDPOINT");
  if (SYSTEM_ENDPOINTS.some((s) => m.sameName(s.name, name))) throw errors.endpointSystem(name);
  const e = m.state.endpoint;
  if (!e || !m.sameName(e.name, name)) throw errors.endpointDropNotFound(name);
  m.state.endpoint = undefined;
}

/**
 * The system stored procedures the link uses: sp_certificate_add_issuer,
 * sp_validate_certificate_ca_chain and sp_get_endpoint_certificate.
 */
import type { SqlValue } from "../types";
import type { ExecContext, ProcedureArgument, ProcedureResult } from "./contract";
import type { ModelContext } from "./context";
import { executeAgentProcedure } from "./agent-jobs";
import { validateCertificate } from "./ca-chain";
import { errors } from "./errors";
import { certificateById, findCertificate } from "./security";
import { hasCertificateIssuerProcedures } from "./version";

function argument(args: ProcedureArgument[], index: number, names: string[]): SqlValue | undefined {
  const named = args.find((a) => names.includes(a.name.toLowerCase()));
  if (named) return named.value;
  const positional = args.filter((a) => a.name === "");
  return positional[index]?.value;
}

function asInt(value: SqlValue | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const n = typeof value === "bigint" ? Number(value) : Number(value);
  return Number.isInteger(n) ? n : undefined;
}

const OK: ProcedureResult = { resultSets: [], returnStatus: 0 };

function addIssuer(m: ModelContext, ctx: ExecContext, args: ProcedureArgument[]): ProcedureResult {
  m.requireSysadmin(ctx);
  const idValue = argument(args, 0, ["@certificate_id", "@certid", "@cert_id"]);
  const dnsValue = argument(args, 1, ["@dns_name", "@dnsname", "@dns"]);
  if (idValue === undefined)
    throw errors.procedureArgumentMissing("sp_certificate_add_issuer", "@certificate_id");
  if (dnsValue === undefined || dnsValue === null)
    throw errors.procedureArgumentMissing("sp_certificate_add_issuer", "@dns_name");
  const cert = certificateById(m, "master", asInt(idValue) ?? -1);
  if (!cert) throw errors.certificateIdNotFound(idValue);
  const dnsName = String(dnsValue);
  const existing = m.state.trustedIssuers.find(
    (t) => m.sameName(t.certificateName, cert.name) && t.dnsName.toLowerCase() === dnsName.toLowerCase(),
  );
  if (existing) throw errors.trustedIssuerExists(cert.name, existing.dnsName);
  m.state.trustedIssuers.push({ certificateName: cert.name, dnsName });
  return OK;
}

function validateChain(m: ModelContext, ctx: ExecContext, args: ProcedureArgument[]): ProcedureResult {
  m.requireSysadmin(ctx);
  const idValue = argument(args, 0, ["@certificate_id", "@certid", "@cert_id"]);
  if (idValue === undefined)
    throw errors.procedureArgumentMissing("sp_validate_certificate_ca_chain", "@certificate_id");
  const cert = certificateById(m, "master", asInt(idValue) ?? -1);
  if (!cert) throw errors.certificateIdNotFound(idValue);
  const result = validateCertificate(m, cert);
  if (!result.ok) throw errors.caChainInvalid(cert.name, result.reason);
  return OK;
}

function endpointCertificate(m: ModelContext): ProcedureResult {
  const e = m.state.endpoint;
  const cert = e?.certificateName ? findCertificate(m, "master", e.certificateName) : undefined;
  return {
    resultSets: [
      {
        columns: [
          { name: "EndpointCertificate", type: { kind: "varbinary", length: "max" }, nullable: true },
        ],
        rows: cert ? [[Buffer.from(cert.derHex, "hex")]] : [],
      },
    ],
    returnStatus: 0,
  };
}

export function executeProcedure(
  m: ModelContext,
  ctx: ExecContext,
  name: string,
  args: ProcedureArgument[],
): ProcedureResult {
  // msdb's Agent procedures: msdb.dbo.sp_..., or dbo.sp_... while msdb is the current database.
  const msdb = /^\[?msdb\]?\.\[?dbo\]?\.\[?([^\]]+)\]?$/i.exec(name);
  const inMsdb =
    ctx.database.toLowerCase() === "msdb" ? /^(?:\[?dbo\]?\.)?\[?([^\].]+)\]?$/i.exec(name) : null;
  const agentName = msdb?.[1] ?? inMsdb?.[1];
  if (agentName) {
    const result = executeAgentProcedure(m, ctx, agentName, args);
    if (result) return result;
    if (msdb) throw errors.procedureNotFound(name);
  }
  const bare = name
    .replace(/^\[?(?:master|sys)\]?\.(?:\[?(?:sys|dbo)\]?\.)?|^\[?(?:sys|dbo)\]?\./i, "")
    .replace(/^\[|\]$/g, "");
  switch (bare.toLowerCase()) {
    case "sp_certificate_add_issuer":
      if (!hasCertificateIssuerProcedures(m.product)) throw errors.procedureNotFound(name);
      return addIssuer(m, ctx, args);
    case "sp_validate_certificate_ca_chain":
      if (!hasCertificateIssuerProcedures(m.product)) throw errors.procedureNotFound(name);
      return validateChain(m, ctx, args);
    case "sp_get_endpoint_certificate":
      m.requireSysadmin(ctx);
      return endpointCertificate(m);
    default:
      throw errors.procedureNotFound(name);
  }
}

import { issueManagedInstanceCertificate } from "../sqlserver/model/certificates";

export interface ManagedInstanceCertificate {
  /** DER of the endpoint certificate (CN = the MI FQDN, issued by a Microsoft issuing CA). */
  der: Buffer;
  notAfter: Date;
}

const issued = new Map<string, ManagedInstanceCertificate>();

/**
 * The endpoint certificate of the managed instance `fqdn`, minted by the SQL Server
 * model's CA (so sp_validate_certificate_ca_chain on the emulated SQL Server accepts it
 * once the runbook's root CAs are imported): once per FQDN and endpoint type per
 * process, as an MI keeps its certificate.
 */
export function managedInstanceCertificateFor(
  fqdn: string,
  endpoint = "DATABASE_MIRRORING",
): ManagedInstanceCertificate {
  const key = `${endpoint}/${fqdn.toLowerCase()}`;
  let certificate = issued.get(key);
  if (!certificate) {
    const notBefore = new Date(Date.now() - 24 * 60 * 60 * 1000);
    const notAfter = new Date(notBefore.getTime() + 365 * 24 * 60 * 60 * 1000);
    certificate = { der: issueManagedInstanceCertificate(fqdn, { notBefore, notAfter }).der, notAfter };
    issued.set(key, certificate);
  }
  return certificate;
}

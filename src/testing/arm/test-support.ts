import { FakeSqlServerPartner } from "./fake-partner";
import { createCertificate, generateRsaKeyPair } from "./x509";

export interface LinkTopology {
  dagName: string;
  sqlAgName: string;
  miAgName: string;
  database: string;
  port: number;
  endpointCertificateName: string;
}

export const DEFAULT_TOPOLOGY: LinkTopology = {
  dagName: "DAG_sales",
  sqlAgName: "AG_sales",
  miAgName: "AG_sales_MI",
  database: "sales",
  port: 5022,
  endpointCertificateName: "Cert_SQLHOST01_endpoint",
};

/** A SQL Server endpoint certificate as CREATE CERTIFICATE ... WITH SUBJECT makes it (self-signed). */
export function sqlServerEndpointCertificate(subject = "SQLHOST01 endpoint"): Buffer {
  const keys = generateRsaKeyPair(1024);
  return createCertificate({
    subject: { CN: subject },
    issuer: { CN: subject },
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
  }).der;
}

/**
 * A FakeSqlServerPartner with the whole SQL Server side of the runbook done right for the
 * MI `miFqdn` whose endpoint certificate is `miCertificateDer`.
 */
export function configuredPartner(
  miFqdn: string,
  miCertificateDer: Buffer,
  topology: LinkTopology = DEFAULT_TOPOLOGY,
): { partner: FakeSqlServerPartner; sqlCertificateDer: Buffer } {
  const partner = new FakeSqlServerPartner();
  const sqlCertificateDer = sqlServerEndpointCertificate();
  const now = new Date();
  const expiry = new Date(now.getTime() + 365 * 24 * 60 * 60 * 1000);
  partner.certificates.set(topology.endpointCertificateName, {
    name: topology.endpointCertificateName,
    certificateId: 256,
    der: sqlCertificateDer,
    hasPrivateKey: true,
    subject: "SQLHOST01 endpoint",
    issuerName: "SQLHOST01 endpoint",
    startDate: now,
    expiryDate: expiry,
  });
  partner.certificates.set(miFqdn, {
    name: miFqdn,
    certificateId: 259,
    der: miCertificateDer,
    hasPrivateKey: false,
    subject: miFqdn,
    issuerName: "Microsoft Azure RSA TLS Issuing CA 04",
    startDate: now,
    expiryDate: expiry,
  });
  partner.validChains.add(miFqdn);
  partner.endpoint = {
    name: "Hadr_endpoint",
    state: "STARTED",
    port: topology.port,
    certificateName: topology.endpointCertificateName,
    encryption: "REQUIRED",
    algorithms: ["AES"],
  };
  partner.dags.set(topology.dagName, {
    name: topology.dagName,
    localAgName: topology.sqlAgName,
    remoteAgName: topology.miAgName,
    database: topology.database,
    localRole: "PRIMARY",
    members: [
      {
        agName: topology.sqlAgName,
        listenerUrl: `TCP://sqlhost01.corp.example:${topology.port}`,
        availabilityMode: "ASYNCHRONOUS_COMMIT",
        failoverMode: "MANUAL",
        seedingMode: "AUTOMATIC",
      },
      {
        agName: topology.miAgName,
        listenerUrl: `tcp://${miFqdn}:5022;Server=[${miFqdn.split(".")[0]}]`,
        availabilityMode: "ASYNCHRONOUS_COMMIT",
        failoverMode: "MANUAL",
        seedingMode: "AUTOMATIC",
      },
    ],
  });
  return { partner, sqlCertificateDer };
}

import type { ServiceClient } from "@azure/core-client";
import { createHttpPoller, type RawResponse } from "@azure/core-lro";
import { createHttpHeaders, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
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
    signingKey: keys,
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

/**
 * Raw ARM calls through an SDK client's pipeline (auth, retries, TLS settings): for the
 * link shape of 2023-08-01 and the failover/setRole actions, which @azure/arm-sql 10 lacks.
 */
export async function armRequest(
  client: ServiceClient,
  url: string,
  method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE",
  body?: unknown,
): Promise<RawResponse> {
  const request = createPipelineRequest({
    url,
    method,
    headers: createHttpHeaders({ "Content-Type": "application/json" }),
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const response = await client.sendRequest(request);
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) headers[name] = value;
  return {
    statusCode: response.status,
    headers,
    body: response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined,
  };
}

/** A long-running ARM call polled with @azure/core-lro, as the Azure SDKs do. */
export async function armLongRunning(
  client: ServiceClient,
  url: string,
  method: "PUT" | "PATCH" | "POST" | "DELETE",
  body: unknown,
  intervalInMs = 10,
): Promise<unknown> {
  const toLro = (raw: RawResponse) => {
    if (raw.statusCode >= 400) {
      const error = (raw.body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new RestError(error?.message ?? `HTTP ${raw.statusCode}`, {
        code: error?.code,
        statusCode: raw.statusCode,
      });
    }
    return { flatResponse: raw.body, rawResponse: raw };
  };
  const poller = await createHttpPoller(
    {
      requestMethod: method,
      requestPath: url,
      sendInitialRequest: async () => toLro(await armRequest(client, url, method, body)),
      sendPollRequest: async (path: string) => toLro(await armRequest(client, path, "GET")),
    },
    { intervalInMs },
  );
  return poller.pollUntilDone();
}

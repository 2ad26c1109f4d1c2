import { describe, expect, it } from "vitest";
import { evaluateLinkTrust, type LinkTrustInput } from "./link-trust";
import { managedInstanceCertificateFor } from "./mi-certificate";
import { configuredPartner, DEFAULT_TOPOLOGY, sqlServerEndpointCertificate } from "./test-support";

const fqdn = "sqlmi1.0a1b2c3d4e5f.database.windows.net";
const miCertificate = managedInstanceCertificateFor(fqdn);

function setup() {
  const { partner, sqlCertificateDer } = configuredPartner(fqdn, miCertificate.der);
  const input: LinkTrustInput = {
    managedInstance: {
      name: "sqlmi1",
      fqdn,
      endpointCertificateDer: miCertificate.der,
      trustCertificates: [{ name: "Cert_SQLHOST01_endpoint", der: sqlCertificateDer }],
    },
    link: {
      name: DEFAULT_TOPOLOGY.dagName,
      partnerEndpoint: "TCP://sqlhost01.corp.example:5022",
      partnerAvailabilityGroupName: DEFAULT_TOPOLOGY.sqlAgName,
      instanceAvailabilityGroupName: DEFAULT_TOPOLOGY.miAgName,
      instanceLinkRole: "Secondary",
      databases: [DEFAULT_TOPOLOGY.database],
    },
  };
  return { partner, input };
}

function errorOf(result: ReturnType<typeof evaluateLinkTrust>) {
  if (result.ok) throw new Error("expected the join to fail");
  return result;
}

describe("evaluateLinkTrust", () => {
  it("joins as secondary when SQL Server and the MI trust each other", () => {
    const { partner, input } = setup();
    expect(evaluateLinkTrust(partner, input)).toEqual({
      ok: true,
      join: { managedInstanceName: "sqlmi1", managedInstanceRole: "SECONDARY" },
    });
  });

  it("joins as primary when the MI is the initial primary", () => {
    const { partner, input } = setup();
    const dag = partner.dags.get(DEFAULT_TOPOLOGY.dagName)!;
    partner.dags.set(dag.name, { ...dag, database: undefined, localRole: "SECONDARY" });
    const result = evaluateLinkTrust(partner, {
      ...input,
      link: { ...input.link, instanceLinkRole: "Primary" },
    });
    expect(result).toMatchObject({ ok: true, join: { managedInstanceRole: "PRIMARY" } });
  });

  it("reports 41973 when the SQL Server certificate was never uploaded to the MI", () => {
    const { partner, input } = setup();
    const result = errorOf(
      evaluateLinkTrust(partner, {
        ...input,
        managedInstance: { ...input.managedInstance, trustCertificates: [] },
      }),
    );
    expect(result.error.number).toBe(41973);
    expect(result.kind).toBe("sqlServerCertificate");
  });

  it("reports 41973 when the MI trusts a different certificate than the endpoint uses", () => {
    const { partner, input } = setup();
    const other = [{ name: "Cert_SQLHOST01_endpoint", der: sqlServerEndpointCertificate() }];
    const result = errorOf(
      evaluateLinkTrust(partner, {
        ...input,
        managedInstance: { ...input.managedInstance, trustCertificates: other },
      }),
    );
    expect(result.error.number).toBe(41973);
  });

  it("reports 41973 when the endpoint has no certificate authentication", () => {
    const { partner, input } = setup();
    partner.endpoint = { ...partner.endpoint!, certificateName: undefined, windowsAuth: "NEGOTIATE" };
    expect(errorOf(evaluateLinkTrust(partner, input)).error.number).toBe(41973);
  });

  it("reports 41974 when the MI certificate is missing on SQL Server", () => {
    const { partner, input } = setup();
    partner.certificates.delete(fqdn);
    const result = errorOf(evaluateLinkTrust(partner, input));
    expect(result.error.number).toBe(41974);
    expect(result.error.description).toContain(fqdn);
  });

  it("reports 41974 when the MI certificate is imported under another name than the FQDN", () => {
    const { partner, input } = setup();
    const certificate = partner.certificates.get(fqdn)!;
    partner.certificates.delete(fqdn);
    partner.certificates.set("sqlmi1", { ...certificate, name: "sqlmi1" });
    expect(errorOf(evaluateLinkTrust(partner, input)).error.number).toBe(41974);
  });

  it("reports 41974 when the certificate under the FQDN is not the MI's", () => {
    const { partner, input } = setup();
    const certificate = partner.certificates.get(fqdn)!;
    partner.certificates.set(fqdn, { ...certificate, der: sqlServerEndpointCertificate("impostor") });
    expect(errorOf(evaluateLinkTrust(partner, input)).error.number).toBe(41974);
  });

  it("reports 41974 when the CA chain of the MI certificate does not validate", () => {
    const { partner, input } = setup();
    partner.validChains.clear();
    const result = errorOf(evaluateLinkTrust(partner, input));
    expect(result.error.number).toBe(41974);
    expect(result.error.description).toContain("does not trust");
  });

  it.each([
    ["no endpoint", (p: ReturnType<typeof setup>["partner"]) => (p.endpoint = undefined)],
    [
      "a stopped endpoint",
      (p: ReturnType<typeof setup>["partner"]) => (p.endpoint = { ...p.endpoint!, state: "STOPPED" }),
    ],
    [
      "another port",
      (p: ReturnType<typeof setup>["partner"]) => (p.endpoint = { ...p.endpoint!, port: 5023 }),
    ],
    [
      "encryption disabled",
      (p: ReturnType<typeof setup>["partner"]) => (p.endpoint = { ...p.endpoint!, encryption: "DISABLED" }),
    ],
    [
      "RC4 only",
      (p: ReturnType<typeof setup>["partner"]) => (p.endpoint = { ...p.endpoint!, algorithms: ["RC4"] }),
    ],
  ])("reports 41962 (network) for %s", (_label, breakIt) => {
    const { partner, input } = setup();
    breakIt(partner);
    const result = errorOf(evaluateLinkTrust(partner, input));
    expect(result.error.number).toBe(41962);
    expect(result.kind).toBe("network");
  });

  it("accepts encryption SUPPORTED with AES among the algorithms", () => {
    const { partner, input } = setup();
    partner.endpoint = { ...partner.endpoint!, encryption: "SUPPORTED", algorithms: ["RC4", "AES"] };
    expect(evaluateLinkTrust(partner, input).ok).toBe(true);
  });

  it("fails when the DAG does not exist on SQL Server", () => {
    const { partner, input } = setup();
    partner.dags.clear();
    expect(errorOf(evaluateLinkTrust(partner, input)).kind).toBe("topology");
  });

  it("fails when the AG names of the link and the SQL Server DAG differ", () => {
    const { partner, input } = setup();
    const result = evaluateLinkTrust(partner, {
      ...input,
      link: { ...input.link, instanceAvailabilityGroupName: "AG_other" },
    });
    expect(errorOf(result).error.description).toContain("AG_other");
  });

  it("fails when the MI member's listener URL names another host", () => {
    const { partner, input } = setup();
    const dag = partner.dags.get(DEFAULT_TOPOLOGY.dagName)!;
    partner.dags.set(dag.name, {
      ...dag,
      members: [
        dag.members[0],
        { ...dag.members[1], listenerUrl: "tcp://othermi.0a1b2c3d4e5f.database.windows.net:5022" },
      ],
    });
    expect(errorOf(evaluateLinkTrust(partner, input)).kind).toBe("topology");
  });

  it("fails with 41977 when the link names another database", () => {
    const { partner, input } = setup();
    const result = evaluateLinkTrust(partner, { ...input, link: { ...input.link, databases: ["hr"] } });
    expect(errorOf(result).error.number).toBe(41977);
  });
});

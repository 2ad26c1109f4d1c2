import { beforeAll, describe, expect, it } from "vitest";
import { SqlError } from "../types";
import type { EndpointSpec } from "./contract";
import { createInstanceModel, type SqlServerInstance } from "./index";
import { execContext, rows } from "./test-support";

function sqlError(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error("expected a SqlError");
}

const ctx = execContext();
let saved: ReturnType<SqlServerInstance["saveState"]>;

beforeAll(() => {
  const model = createInstanceModel();
  model.createMasterKey(ctx, "pw");
  model.createCertificate(ctx, { name: "Cert_SQL1_endpoint", subject: "Certificate for Cert_SQL1_endpoint" });
  saved = model.saveState();
});

/** A fresh instance with the endpoint certificate already there (certificates are costly to create). */
const fresh = () => createInstanceModel({ state: saved });

const runbookEndpoint: EndpointSpec = {
  name: "database_mirroring_endpoint",
  state: "STARTED",
  port: 5022,
  listenerIp: "ALL",
  role: "ALL",
  authentication: { certificate: "Cert_SQL1_endpoint", certificateFirst: true },
  encryption: { mode: "REQUIRED", algorithms: ["AES"] },
};

describe("mirroring endpoint", () => {
  it("shows the runbook's endpoint as the runbook's verification query expects", () => {
    const model = fresh();
    model.createEndpoint(ctx, runbookEndpoint);
    const [row] = rows(model, "sys.database_mirroring_endpoints");
    expect(row).toMatchObject({
      name: "database_mirroring_endpoint",
      type_desc: "DATABASE_MIRRORING",
      state_desc: "STARTED",
      role_desc: "ALL",
      connection_auth_desc: "CERTIFICATE",
      is_encryption_enabled: true,
      encryption_algorithm_desc: "AES",
      certificate_id: model.certificateId("Cert_SQL1_endpoint"),
    });
    const tcp = rows(model, "sys.tcp_endpoints").find((r) => r.name === "database_mirroring_endpoint");
    expect(tcp).toMatchObject({ port: 5022, is_dynamic_port: false, ip_address: null, protocol_desc: "TCP" });
    expect(rows(model, "sys.endpoints").map((r) => r.name)).toContain("TSQL Default TCP");
    expect(model.partner.mirroringEndpoint()).toEqual({
      name: "database_mirroring_endpoint",
      state: "STARTED",
      port: 5022,
      windowsAuth: undefined,
      certificateName: "Cert_SQL1_endpoint",
      encryption: "REQUIRED",
      algorithms: ["AES"],
    });
  });

  it("allows only one DATABASE_MIRRORING endpoint (7862)", () => {
    const model = fresh();
    model.createEndpoint(ctx, runbookEndpoint);
    const e = sqlError(() => model.createEndpoint(ctx, { ...runbookEndpoint, name: "second", port: 5023 }));
    expect(e.number).toBe(7862);
  });

  it("refuses a port in use (7890) and a missing certificate (15151)", () => {
    const model = fresh();
    expect(sqlError(() => model.createEndpoint(ctx, { ...runbookEndpoint, port: 1433 })).number).toBe(7890);
    const e = sqlError(() =>
      model.createEndpoint(ctx, {
        ...runbookEndpoint,
        authentication: { certificate: "nope", certificateFirst: true },
      }),
    );
    expect(e.number).toBe(15151);
    expect(e.message).toBe(
      "Cannot find the certificate 'nope', because it does not exist or you do not have permission.",
    );
  });

  it("describes Windows and certificate authentication in the order written", () => {
    const cases: Array<[EndpointSpec["authentication"], string, number]> = [
      [{ windows: "NEGOTIATE", certificateFirst: false }, "NEGOTIATE", 0],
      [
        { windows: "NEGOTIATE", certificate: "Cert_SQL1_endpoint", certificateFirst: false },
        "NEGOTIATE, CERTIFICATE",
        1,
      ],
      [
        { windows: "NEGOTIATE", certificate: "Cert_SQL1_endpoint", certificateFirst: true },
        "CERTIFICATE, NEGOTIATE",
        1,
      ],
      [
        { windows: "KERBEROS", certificate: "Cert_SQL1_endpoint", certificateFirst: false },
        "KERBEROS, CERTIFICATE",
        1,
      ],
      [{ windows: "NTLM", certificateFirst: false }, "NTLM", 0],
    ];
    for (const [authentication, desc, hasCert] of cases) {
      const model = fresh();
      model.createEndpoint(ctx, { ...runbookEndpoint, authentication });
      const [row] = rows(model, "sys.database_mirroring_endpoints");
      expect(row.connection_auth_desc).toBe(desc);
      expect(row.certificate_id === 0).toBe(hasCert === 0);
    }
  });

  it("describes the encryption algorithms", () => {
    const cases: Array<[EndpointSpec["encryption"], string, boolean]> = [
      [{ mode: "REQUIRED", algorithms: ["AES"] }, "AES", true],
      [{ mode: "REQUIRED", algorithms: ["RC4", "AES"] }, "RC4, AES", true],
      [{ mode: "REQUIRED", algorithms: ["AES", "RC4"] }, "AES, RC4", true],
      [{ mode: "SUPPORTED", algorithms: ["AES"] }, "NONE, AES", true],
      [{ mode: "DISABLED", algorithms: [] }, "NONE", false],
    ];
    for (const [encryption, desc, enabled] of cases) {
      const model = fresh();
      model.createEndpoint(ctx, { ...runbookEndpoint, encryption });
      const [row] = rows(model, "sys.database_mirroring_endpoints");
      expect([row.encryption_algorithm_desc, row.is_encryption_enabled]).toEqual([desc, enabled]);
    }
  });

  it("ALTER keeps what it does not mention (the runbook's Windows → Windows + certificate change)", () => {
    const model = fresh();
    model.createEndpoint(ctx, {
      name: "Hadr_endpoint",
      state: "STARTED",
      port: 5022,
      role: "ALL",
      authentication: { windows: "NEGOTIATE", certificateFirst: false },
      encryption: { mode: "REQUIRED", algorithms: ["RC4"] },
    });
    model.alterEndpoint(ctx, {
      name: "Hadr_endpoint",
      authentication: { windows: "NEGOTIATE", certificate: "Cert_SQL1_endpoint", certificateFirst: false },
    });
    expect(rows(model, "sys.database_mirroring_endpoints")[0]).toMatchObject({
      state_desc: "STARTED",
      role_desc: "ALL",
      connection_auth_desc: "NEGOTIATE, CERTIFICATE",
      encryption_algorithm_desc: "RC4",
    });
    model.alterEndpoint(ctx, {
      name: "Hadr_endpoint",
      state: "STOPPED",
      encryption: { mode: "REQUIRED", algorithms: ["AES", "RC4"] },
    });
    expect(rows(model, "sys.database_mirroring_endpoints")[0]).toMatchObject({
      state_desc: "STOPPED",
      connection_auth_desc: "NEGOTIATE, CERTIFICATE",
      encryption_algorithm_desc: "AES, RC4",
    });
  });

  it("defaults a new endpoint to STOPPED", () => {
    const model = fresh();
    model.createEndpoint(ctx, { name: "ep", port: 5022 });
    expect(rows(model, "sys.database_mirroring_endpoints")[0]).toMatchObject({
      state_desc: "STOPPED",
      connection_auth_desc: "NEGOTIATE",
    });
  });

  it("ALTER or DROP of a missing endpoint is 15151; a non-sysadmin gets 262", () => {
    const model = fresh();
    expect(sqlError(() => model.alterEndpoint(ctx, { name: "nope", state: "STARTED" })).number).toBe(15151);
    const e = sqlError(() => model.dropEndpoint(ctx, "nope"));
    expect(e.number).toBe(15151);
    expect(e.message).toBe(
      "Cannot drop the endpoint 'nope', because it does not exist or you do not have permission.",
    );
    expect(sqlError(() => model.createEndpoint(execContext("nobody"), runbookEndpoint)).number).toBe(262);
  });
});

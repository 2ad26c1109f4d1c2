import { describe, expect, it } from "vitest";
import { TsqlInputError } from "../quote";
import {
  buildAlterEndpointForLinkSql,
  buildCreateMirroringEndpointSql,
  buildDropEndpointSql,
} from "./endpoint";

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TsqlInputError);
    return (error as TsqlInputError).field;
  }
  return undefined;
}

const body = (auth: string, algorithms: string, port = 5022) =>
  "    STATE = STARTED\n" +
  `    AS TCP (LISTENER_PORT = ${port}, LISTENER_IP = ALL)\n` +
  "    FOR DATABASE_MIRRORING (\n" +
  "        ROLE = ALL,\n" +
  `        AUTHENTICATION = ${auth},\n` +
  `        ENCRYPTION = REQUIRED ALGORITHM ${algorithms}\n` +
  "    );";

describe("buildCreateMirroringEndpointSql", () => {
  it("creates the endpoint like the runbook: certificate auth, AES", () => {
    expect(
      buildCreateMirroringEndpointSql({
        name: "database_mirroring_endpoint",
        port: 5022,
        certificateName: "Cert_sqlserver1_endpoint",
      }),
    ).toBe(
      "CREATE ENDPOINT [database_mirroring_endpoint]\n" +
        body("CERTIFICATE [Cert_sqlserver1_endpoint]", "AES"),
    );
  });

  it("accepts AES with RC4 in the given order and refuses RC4 alone", () => {
    const spec = { name: "e", port: 5023, certificateName: "c" };
    expect(buildCreateMirroringEndpointSql({ ...spec, algorithms: ["AES", "RC4"] })).toBe(
      "CREATE ENDPOINT [e]\n" + body("CERTIFICATE [c]", "AES RC4", 5023),
    );
    expect(fieldOf(() => buildCreateMirroringEndpointSql({ ...spec, algorithms: ["RC4"] }))).toBe(
      "algorithms",
    );
    expect(fieldOf(() => buildCreateMirroringEndpointSql({ ...spec, algorithms: [] }))).toBe("algorithms");
    expect(
      fieldOf(() => buildCreateMirroringEndpointSql({ ...spec, algorithms: ["AES; DROP" as "AES"] })),
    ).toBe("algorithms");
  });

  it("refuses bad ports and certificate names", () => {
    const spec = { name: "e", port: 5022, certificateName: "c" };
    for (const port of [0, 65536, 1.5, NaN]) {
      expect(
        fieldOf(() => buildCreateMirroringEndpointSql({ ...spec, port })),
        String(port),
      ).toBe("port");
    }
    expect(fieldOf(() => buildCreateMirroringEndpointSql({ ...spec, certificateName: "H\\I" }))).toBe(
      "certificateName",
    );
    expect(buildCreateMirroringEndpointSql({ ...spec, name: "e]x" })).toMatch(
      /^CREATE ENDPOINT \[e\]\]x\]\n/,
    );
  });
});

describe("buildAlterEndpointForLinkSql", () => {
  const spec = { name: "Hadr_endpoint", port: 5022, certificateName: "Cert_sql1_endpoint" };

  it("keeps Windows authentication next to the certificate, as the runbook shows", () => {
    expect(buildAlterEndpointForLinkSql({ ...spec, windowsAuth: true, algorithms: ["AES"] })).toBe(
      "ALTER ENDPOINT [Hadr_endpoint]\n" + body("WINDOWS NEGOTIATE CERTIFICATE [Cert_sql1_endpoint]", "AES"),
    );
    expect(buildAlterEndpointForLinkSql({ ...spec, windowsAuth: "KERBEROS" })).toContain(
      "AUTHENTICATION = WINDOWS KERBEROS CERTIFICATE [Cert_sql1_endpoint],",
    );
  });

  it("uses certificate only when there is no Windows authentication", () => {
    expect(buildAlterEndpointForLinkSql(spec)).toBe(
      "ALTER ENDPOINT [Hadr_endpoint]\n" + body("CERTIFICATE [Cert_sql1_endpoint]", "AES"),
    );
  });

  it("keeps existing algorithms and adds AES", () => {
    expect(buildAlterEndpointForLinkSql({ ...spec, algorithms: ["RC4"] })).toContain("ALGORITHM RC4 AES\n");
    expect(buildAlterEndpointForLinkSql({ ...spec, algorithms: ["AES", "RC4"] })).toContain(
      "ALGORITHM AES RC4\n",
    );
    expect(buildAlterEndpointForLinkSql({ ...spec, algorithms: ["NONE"] })).toContain("ALGORITHM AES\n");
    expect(buildAlterEndpointForLinkSql({ ...spec, algorithms: ["NONE", "RC4"] })).toContain(
      "ALGORITHM RC4 AES\n",
    );
  });

  it("refuses unknown Windows methods", () => {
    expect(
      fieldOf(() => buildAlterEndpointForLinkSql({ ...spec, windowsAuth: "NTLM CERTIFICATE" as "NTLM" })),
    ).toBe("windowsAuth");
  });
});

describe("buildDropEndpointSql", () => {
  it("drops by quoted name", () => {
    expect(buildDropEndpointSql("database_mirroring_endpoint")).toBe(
      "DROP ENDPOINT [database_mirroring_endpoint];",
    );
    expect(buildDropEndpointSql("a]; DROP DATABASE x--")).toBe("DROP ENDPOINT [a]]; DROP DATABASE x--];");
  });
});

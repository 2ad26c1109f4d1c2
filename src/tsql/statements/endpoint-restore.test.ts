import { describe, expect, it } from "vitest";
import { TsqlInputError } from "../quote";
import { buildRestoreEndpointSql, type EndpointRestoreSpec } from "./endpoint-restore";

const found: EndpointRestoreSpec = {
  name: "Hadr_endpoint",
  state: "STARTED",
  role: "ALL",
  windows: "NEGOTIATE",
  certificateName: null,
  certificateFirst: false,
  encryptionMode: "REQUIRED",
  algorithms: ["RC4"],
};

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TsqlInputError);
    return (error as TsqlInputError).field;
  }
  return undefined;
}

describe("buildRestoreEndpointSql", () => {
  it("restores Windows authentication and RC4", () => {
    expect(buildRestoreEndpointSql(found)).toBe(
      "ALTER ENDPOINT [Hadr_endpoint]\n" +
        "    STATE = STARTED\n" +
        "    FOR DATABASE_MIRRORING (\n" +
        "        ROLE = ALL,\n" +
        "        AUTHENTICATION = WINDOWS NEGOTIATE,\n" +
        "        ENCRYPTION = REQUIRED ALGORITHM RC4\n" +
        "    );",
    );
  });

  it("keeps the order of certificate and Windows authentication, and SUPPORTED or DISABLED encryption", () => {
    const sql = buildRestoreEndpointSql({
      ...found,
      state: "STOPPED",
      windows: "KERBEROS",
      certificateName: "old]cert",
      certificateFirst: true,
      encryptionMode: "SUPPORTED",
      algorithms: ["AES", "RC4"],
    });
    expect(sql).toContain("STATE = STOPPED");
    expect(sql).toContain("AUTHENTICATION = CERTIFICATE [old]]cert] WINDOWS KERBEROS,");
    expect(sql).toContain("ENCRYPTION = SUPPORTED ALGORITHM AES RC4");
    expect(
      buildRestoreEndpointSql({ ...found, windows: null, certificateName: "c", encryptionMode: "DISABLED" }),
    ).toContain("AUTHENTICATION = CERTIFICATE [c],\n        ENCRYPTION = DISABLED\n");
  });

  it("refuses hostile or invalid settings, naming the field", () => {
    expect(fieldOf(() => buildRestoreEndpointSql({ ...found, name: "a".repeat(129) }))).toBe("name");
    expect(fieldOf(() => buildRestoreEndpointSql({ ...found, state: "STARTED; DROP DATABASE x--" }))).toBe(
      "state",
    );
    expect(fieldOf(() => buildRestoreEndpointSql({ ...found, role: "ALL)--" }))).toBe("role");
    expect(fieldOf(() => buildRestoreEndpointSql({ ...found, windows: "NTLM--" as never }))).toBe("windows");
    expect(fieldOf(() => buildRestoreEndpointSql({ ...found, certificateName: "x\u0000" }))).toBe(
      "certificateName",
    );
    expect(
      fieldOf(() => buildRestoreEndpointSql({ ...found, encryptionMode: "REQUIRED ALGORITHM AES;" })),
    ).toBe("encryptionMode");
    expect(fieldOf(() => buildRestoreEndpointSql({ ...found, algorithms: ["DES"] }))).toBe("algorithms");
    expect(fieldOf(() => buildRestoreEndpointSql({ ...found, algorithms: [] }))).toBe("algorithms");
    expect(fieldOf(() => buildRestoreEndpointSql({ ...found, windows: null, certificateName: null }))).toBe(
      "windows",
    );
    expect(buildRestoreEndpointSql({ ...found, name: "a]; DROP DATABASE x--" })).toContain(
      "ALTER ENDPOINT [a]]; DROP DATABASE x--]\n",
    );
  });
});

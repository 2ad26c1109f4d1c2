import { describe, expect, it } from "vitest";
import {
  APP_NAME,
  connectionSecrets,
  DEFAULT_REQUEST_TIMEOUT_MS,
  PULUMI_UNKNOWN_VALUE,
  toMssqlConfig,
  validateConnectionArgs,
  type SqlServerConnectionArgs,
} from "./connection-args";

const sqlAuth: SqlServerConnectionArgs = { host: "sql1.contoso.com", user: "sa", password: "S3cret!pw" };

function fields(args: SqlServerConnectionArgs): string[] {
  return validateConnectionArgs(args).map((f) => f.field);
}

describe("validateConnectionArgs", () => {
  it("accepts SQL, NTLM and access-token authentication when complete", () => {
    expect(validateConnectionArgs(sqlAuth)).toEqual([]);
    expect(
      validateConnectionArgs({
        host: "10.0.0.4",
        port: 14330,
        authentication: { type: "ntlm", domain: "CONTOSO", userName: "dba", password: "pw" },
      }),
    ).toEqual([]);
    expect(
      validateConnectionArgs({
        host: "fe80::1",
        authentication: { type: "azure-active-directory-access-token", token: "eyJ0eXAi" },
      }),
    ).toEqual([]);
    expect(validateConnectionArgs({ ...sqlAuth, host: "SQLHOST\\INST01" })).toEqual([]);
  });

  it.each([
    ["", "host"],
    ["sql 1", "host"],
    ["sql1,1433", "host"],
    ["-bad-.contoso.com", "host"],
    ["a".repeat(64) + ".com", "host"],
    ["sql1:1433", "host"],
  ])("refuses host %j", (host, field) => {
    const failures = validateConnectionArgs({ ...sqlAuth, host });
    expect(failures.map((f) => f.field)).toContain(field);
  });

  it("suggests `port` for the host,port form", () => {
    const [failure] = validateConnectionArgs({ ...sqlAuth, host: "sql1,14330" });
    expect(failure.reason).toContain("port");
  });

  it.each([0, 65536, 1.5, -1, Number.NaN])("refuses port %s", (port) => {
    expect(fields({ ...sqlAuth, port })).toEqual(["port"]);
  });

  it("refuses a port together with a named instance", () => {
    expect(fields({ ...sqlAuth, host: "h\\INST", port: 1433 })).toEqual(["port"]);
  });

  it("names each missing credential", () => {
    expect(fields({ host: "h" })).toEqual(["user", "password"]);
    expect(
      fields({ host: "h", authentication: { type: "ntlm", domain: "", userName: "u" } as never }),
    ).toEqual(["authentication.domain", "authentication.password"]);
    expect(
      fields({ host: "h", authentication: { type: "azure-active-directory-access-token", token: "" } }),
    ).toEqual(["authentication.token"]);
    expect(fields({ host: "h", authentication: { type: "kerberos" } as never })).toEqual([
      "authentication.type",
    ]);
  });

  it("refuses a SQL password next to another authentication type", () => {
    expect(
      fields({
        host: "h",
        password: "x",
        authentication: { type: "azure-active-directory-access-token", token: "t" },
      }),
    ).toEqual(["password"]);
  });

  it("checks flags, database and timeouts", () => {
    expect(
      fields({
        ...sqlAuth,
        encrypt: "yes" as never,
        database: "",
        connectTimeoutMs: 0,
        requestTimeoutMs: 2.5,
      }),
    ).toEqual(["encrypt", "database", "connectTimeoutMs", "requestTimeoutMs"]);
  });

  it("leaves fields Pulumi does not know yet (preview) to be checked later", () => {
    const unknown = PULUMI_UNKNOWN_VALUE as never;
    expect(
      validateConnectionArgs({
        host: unknown,
        port: unknown,
        user: "sa",
        password: unknown,
        encrypt: unknown,
        database: unknown,
        requestTimeoutMs: unknown,
      }),
    ).toEqual([]);
    expect(validateConnectionArgs({ host: "h", authentication: unknown })).toEqual([]);
    expect(fields({ host: "h", port: 0, user: unknown, password: unknown })).toEqual(["port"]);
  });

  it("never repeats a secret in a reason", () => {
    const failures = validateConnectionArgs({ host: "bad host", password: "hunter2-secret" });
    expect(JSON.stringify(failures)).not.toContain("hunter2-secret");
  });
});

describe("toMssqlConfig", () => {
  it("applies the secure defaults and a request timeout suited to BACKUP and AG DDL", () => {
    const config = toMssqlConfig(sqlAuth);
    expect(config).toMatchObject({
      server: "sql1.contoso.com",
      port: 1433,
      database: "master",
      requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
      connectionTimeout: 15_000,
      options: { encrypt: true, trustServerCertificate: false, appName: APP_NAME },
      authentication: { type: "default", options: { userName: "sa", password: "S3cret!pw" } },
    });
    expect(config.requestTimeout).toBeGreaterThanOrEqual(600_000);
    // A few connections per server, not a driver default sized for applications.
    expect(config.pool?.max).toBe(8);
  });

  it("passes explicit settings through", () => {
    const config = toMssqlConfig({
      host: "10.1.2.3",
      port: 14330,
      encrypt: false,
      trustServerCertificate: true,
      database: "msdb",
      connectTimeoutMs: 2_000,
      requestTimeoutMs: 30_000,
      authentication: { type: "ntlm", domain: "CONTOSO", userName: "dba", password: "pw" },
    });
    expect(config).toMatchObject({
      server: "10.1.2.3",
      port: 14330,
      database: "msdb",
      connectionTimeout: 2_000,
      requestTimeout: 30_000,
      options: { encrypt: false, trustServerCertificate: true },
      authentication: { type: "ntlm", options: { domain: "CONTOSO", userName: "dba", password: "pw" } },
    });
  });

  it("reaches a named instance through its instance name, not a port", () => {
    const config = toMssqlConfig({ ...sqlAuth, host: "SQLHOST\\INST01" });
    expect(config.server).toBe("SQLHOST");
    expect(config.port).toBeUndefined();
    expect(config.options?.instanceName).toBe("INST01");
  });

  it("passes an access token as tedious expects it", () => {
    const config = toMssqlConfig({
      host: "h",
      authentication: { type: "azure-active-directory-access-token", token: "tok" },
    });
    expect(config.authentication).toEqual({
      type: "azure-active-directory-access-token",
      options: { token: "tok" },
    });
  });
});

describe("connectionSecrets", () => {
  it("lists every secret value of the arguments", () => {
    expect(connectionSecrets(sqlAuth)).toEqual(["S3cret!pw"]);
    expect(
      connectionSecrets({
        host: "h",
        authentication: { type: "ntlm", domain: "d", userName: "u", password: "p1" },
      }),
    ).toEqual(["p1"]);
    expect(
      connectionSecrets({
        host: "h",
        authentication: { type: "azure-active-directory-access-token", token: "t1" },
      }),
    ).toEqual(["t1"]);
  });
});

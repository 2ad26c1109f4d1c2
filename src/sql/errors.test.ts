import { describe, expect, it } from "vitest";
import { describeSqlError, SqlServerOperationError, sqlErrorNumbersOf } from "./errors";
import { SQL_ERROR_FIXES } from "./error-fixes";
import { scrubSecrets } from "./secrets";

/** The shape node-mssql gives a failed request: the last error, the others as precedingErrors. */
function requestError(errors: Array<{ number: number; message: string }>): Error {
  const made = errors.map(({ number, message }) =>
    Object.assign(new Error(message), {
      name: "RequestError",
      code: "EREQUEST",
      number,
      class: 16,
      state: 1,
    }),
  );
  const last = made.pop()!;
  return Object.assign(last, { precedingErrors: made });
}

function connectionError(message: string, code: string, cause?: Error): Error {
  return Object.assign(new Error(message), { name: "ConnectionError", code, originalError: { code, cause } });
}

const socketCause = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.4:1433`), { code });

describe("describeSqlError", () => {
  it("names the action, the object, the server, the error number and text, and the fix", () => {
    const err = describeSqlError(
      requestError([
        {
          number: 15232,
          message:
            "A certificate with name 'Cert_SQL1_endpoint' already exists or this certificate already has been added to the database.",
        },
      ]),
      { action: "create certificate", object: "[Cert_SQL1_endpoint]", server: "sql1:1433" },
    );
    expect(err).toBeInstanceOf(SqlServerOperationError);
    expect(err.number).toBe(15232);
    expect(err.message).toContain("Failed to create certificate [Cert_SQL1_endpoint] on sql1:1433");
    expect(err.message).toContain(
      "SQL Server error 15232: A certificate with name 'Cert_SQL1_endpoint' already exists",
    );
    expect(err.message).toContain("Adopt it");
  });

  it.each([
    [18456, "Login failed for user 'sa'.", /password/],
    [262, "CREATE ENDPOINT permission denied in database 'master'.", /sysadmin/],
    [15247, "User does not have permission to perform this action.", /sysadmin/],
    [
      35221,
      "The operation cannot be performed. The Always On Availability Groups replica manager is disabled.",
      /restart/,
    ],
    [35208, "The statement must run in master.", /master/],
    [
      35237,
      "None of the specified replicas for availability group AG_db maps to the instance.",
      /@@SERVERNAME/,
    ],
    [35238, "Database 'db' cannot be added.", /does not exist/],
    [35244, "Database 'db' is already joined.", /REMOVE DATABASE/],
    [35259, "Database 'db' is already participating.", /REMOVE DATABASE/],
    [35249, "An attempt to add a system database.", /System databases/],
    [1465, "Database 'db' is not in full recovery mode.", /COPY_ONLY/],
    [1475, "Database 'db' might contain bulk logged changes.", /FULL recovery.*not COPY_ONLY/],
    [15578, "There is already a master key in the database.", /Adopt/],
    [15581, "Please create a master key in the database.", /CREATE MASTER KEY/],
    [15151, "Cannot find the certificate 'x', because it does not exist.", /Check the name/],
    [7862, "An endpoint of the requested type already exists.", /only one/],
    [7890, "An error occurred while attempting to register the endpoint.", /port/],
    [2812, "Could not find stored procedure 'sp_certificate_add_issuer'.", /Azure Connect/],
    [41973, "Certificate not found.", /serverTrustCertificates/],
    [41974, "Certificate not found.", /FQDN/],
    [41962, "Not initiated.", /5022/],
    [41976, "Not responding.", /STARTED/],
    [41986, "Connection failed.", /11000-11999/],
    [47521, "Request not received.", /certificates/],
    [9002, "The transaction log for database 'db' is full due to 'AVAILABILITY_REPLICA'.", /log backups/],
    [1408, "The remote copy of database is not recovered far enough.", /re-create the link/],
    [1412, "The remote copy of database has not been rolled forward.", /seeding/],
  ])("gives the fix for error %i", (number, message, fix) => {
    const err = describeSqlError(requestError([{ number, message }]), { action: "do it" });
    expect(err.number).toBe(number);
    expect(err.fix).toMatch(fix);
    expect(err.message).toContain(`SQL Server error ${number}`);
  });

  it("explains a backup failure by its first error, not the generic 3013", () => {
    const err = describeSqlError(
      requestError([
        { number: 3021, message: "Cannot perform a backup or restore operation within a transaction." },
        { number: 3013, message: "BACKUP DATABASE is terminating abnormally." },
      ]),
      { action: "back up database", object: "[db1]" },
    );
    expect(err.number).toBe(3021);
    expect(err.numbers).toEqual([3021, 3013]);
    expect(err.message).toContain("also reported: 3013");
    expect(sqlErrorNumbersOf(err)).toEqual([3021, 3013]);
  });

  it("recognises a failed login reported by the driver without a number", () => {
    const err = describeSqlError(connectionError("Login failed for user 'sa'.", "ELOGIN"), {
      action: "connect",
    });
    expect(err.number).toBe(18456);
    expect(err.fix).toBe(SQL_ERROR_FIXES[18456]);
  });

  it.each([
    ["ECONNREFUSED", /Check `host` and `port`/],
    ["ENOTFOUND", /does not resolve/],
    ["ETIMEDOUT", /cannot be reached/],
    ["ECONNRESET", /encryption/],
  ])("advises on socket failure %s", (code, advice) => {
    const err = describeSqlError(
      connectionError(`Failed to connect to sql1:1433 - connect ${code}`, "ESOCKET", socketCause(code)),
      { action: "connect to SQL Server", server: "sql1:1433" },
    );
    expect(err.systemCode).toBe(code);
    expect(err.fix).toMatch(advice);
    expect(err.message).toContain("sql1:1433");
  });

  it("advises on an untrusted server certificate and on a connect timeout", () => {
    const tls = describeSqlError(
      connectionError("Failed to connect to sql1:1433 - self-signed certificate", "ESOCKET"),
      { action: "connect" },
    );
    expect(tls.fix).toMatch(/trustServerCertificate/);
    const timeout = describeSqlError(
      connectionError("Failed to connect to sql1:1433 in 15000ms", "ETIMEOUT"),
      {
        action: "connect",
      },
    );
    expect(timeout.fix).toMatch(/connectTimeoutMs/);
    const encrypt = describeSqlError(connectionError("Server requires encryption", "EENCRYPT"), {
      action: "connect",
    });
    expect(encrypt.fix).toMatch(/encrypt: true/);
  });

  it("gives no TLS advice for a numbered SQL Server error about a certificate", () => {
    const err = describeSqlError(
      requestError([
        { number: 15299, message: "The certificate 'x' cannot be used for endpoint authentication." },
      ]),
      { action: "create the mirroring endpoint" },
    );
    expect(err.number).toBe(15299);
    expect(err.message).not.toMatch(/TLS|trustServerCertificate/);
  });

  it("removes known secrets and PASSWORD literals from every text", () => {
    const err = describeSqlError(
      requestError([
        {
          number: 102,
          message:
            "Incorrect syntax near 'Tr0ub4dor&3'. CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'other''secret' failed; token eyJhbGciOi",
        },
      ]),
      { action: "create the master key", secrets: ["Tr0ub4dor&3", "eyJhbGciOi"] },
    );
    for (const text of [err.message, err.serverMessage, JSON.stringify(err)]) {
      expect(text).not.toContain("Tr0ub4dor&3");
      expect(text).not.toContain("other''secret");
      expect(text).not.toContain("eyJhbGciOi");
    }
    expect(err.message).toContain("PASSWORD = '***'");
  });

  it("returns an already described error unchanged", () => {
    const once = describeSqlError(requestError([{ number: 15151, message: "x" }]), { action: "drop" });
    expect(describeSqlError(once, { action: "other" })).toBe(once);
  });
});

describe("scrubSecrets", () => {
  it("removes a secret in its quote-doubled T-SQL form and in connection strings", () => {
    expect(scrubSecrets("PASSWORD = N'it''s'", [])).toBe("PASSWORD = '***'");
    expect(scrubSecrets("value it''s here", ["it's"])).toBe("value *** here");
    expect(scrubSecrets("Server=x;Password=abc123;User Id=sa", [])).toBe("Server=x;Password=***;User Id=sa");
    expect(scrubSecrets("abcdef and abc", ["abc", "abcdef"])).toBe("*** and ***");
    expect(scrubSecrets("a.b*c", ["a.b*c"])).toBe("***");
  });
});

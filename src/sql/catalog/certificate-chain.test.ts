import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../testing/sqlserver";
import { issueManagedInstanceCertificate } from "../../testing/sqlserver/model";
import {
  DIGICERT_GLOBAL_ROOT_G2_HEX,
  MICROSOFT_RSA_ROOT_2017_HEX,
} from "../../testing/sqlserver/model/root-certificates";
import type { SqlServerConnectionArgs } from "../connection-args";
import { SqlServerOperationError } from "../errors";
import { runStatement } from "../execute";
import { closeAllPools, withConnection } from "../pool";
import { validateCertificateChain } from "./certificate-chain";

const MI_FQDN = "sqlmi1.0a1b2c3d4e5f.database.windows.net";
const sql2022 = new SqlServerEmulator({ serverName: "SQL1" });
const sql2017WithoutPack = new SqlServerEmulator({ serverName: "SQL2017", productVersion: "14.0.3456.2" });
let args: SqlServerConnectionArgs;
let args2017: SqlServerConnectionArgs;

const connection = (info: { host: string; port: number; user: string; password: string }) => ({
  ...info,
  trustServerCertificate: true,
});

beforeAll(async () => {
  args = connection(await sql2022.start());
  args2017 = connection(await sql2017WithoutPack.start());
});

afterAll(async () => {
  await closeAllPools();
  await sql2022.stop();
  await sql2017WithoutPack.stop();
});

const exec = (sql: string) => withConnection(args, (pool) => runStatement(pool, sql));

describe("validateCertificateChain", () => {
  it("reports the managed instance's certificate untrusted until the root CAs are bound as issuers", async () => {
    expect(await withConnection(args, (pool) => validateCertificateChain(pool, MI_FQDN))).toBeNull();

    const der = issueManagedInstanceCertificate(MI_FQDN).der.toString("hex");
    await exec(`CREATE CERTIFICATE [${MI_FQDN}] FROM BINARY = 0x${der}`);
    const untrusted = await withConnection(args, (pool) => validateCertificateChain(pool, MI_FQDN));
    expect(untrusted).toMatchObject({ valid: false });
    expect(untrusted?.valid === false && untrusted.reason).toContain(MI_FQDN);

    for (const [name, hex] of [
      ["MicrosoftPKI", MICROSOFT_RSA_ROOT_2017_HEX],
      ["DigiCertPKI", DIGICERT_GLOBAL_ROOT_G2_HEX],
    ]) {
      await exec(`CREATE CERTIFICATE [${name}] FROM BINARY = 0x${hex}`);
      await exec(
        `DECLARE @id int = CERT_ID(N'${name}'); EXEC sp_certificate_add_issuer @id, N'*.database.windows.net'`,
      );
    }
    expect(await withConnection(args, (pool) => validateCertificateChain(pool, MI_FQDN))).toEqual({
      valid: true,
    });
  });

  it("throws, with the Azure Connect pack as the fix, where the procedure does not exist", async () => {
    const der = issueManagedInstanceCertificate(MI_FQDN).der.toString("hex");
    await withConnection(args2017, (pool) =>
      runStatement(pool, `CREATE CERTIFICATE [${MI_FQDN}] FROM BINARY = 0x${der}`),
    );
    const error = await withConnection(args2017, (pool) => validateCertificateChain(pool, MI_FQDN)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SqlServerOperationError);
    expect((error as SqlServerOperationError).number).toBe(2812);
    expect((error as SqlServerOperationError).fix).toMatch(/Azure Connect/);
  });
});

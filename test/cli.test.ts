/**
 * `mi-link-emulator`: the package's bin, as a user runs it.
 */
import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { beforeAll, describe, expect, it } from "vitest";
import { SqlManagementClient } from "@azure/arm-sql";
import { StaticTokenCredential } from "../src/testing/arm/credential";
import { buildIfStale } from "./support/build";

const CLI = path.join(__dirname, "..", "dist", "testing", "cli.js");

describe("mi-link-emulator", () => {
  beforeAll(async () => {
    await buildIfStale();
  }, 120_000);

  it("prints one JSON line, serves SQL Server and ARM as configured, and stops on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        "--sql-port",
        "0",
        "--arm-port",
        "0",
        "--server-name",
        "HOST01\\INST1",
        "--product-version",
        "15.0.4312.2",
        "--database",
        "Sales",
        "--database",
        "Inventory",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const firstLine = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once("line", resolve);
      child.once("exit", (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(firstLine);
    expect(Object.keys(info.sql).sort()).toEqual(
      expect.arrayContaining(["host", "password", "port", "serverName", "user"]),
    );
    expect(Object.keys(info.arm)).toEqual(
      expect.arrayContaining([
        "endpoint",
        "subscriptionId",
        "resourceGroupName",
        "managedInstanceName",
        "fqdn",
      ]),
    );

    const sql: typeof import("mssql") = require("mssql");
    const pool = await new sql.ConnectionPool({
      server: info.sql.host,
      port: info.sql.port,
      user: info.sql.user,
      password: info.sql.password,
      options: { encrypt: true, trustServerCertificate: true },
    }).connect();
    const result = await pool
      .request()
      .query(
        "SELECT @@SERVERNAME AS server, SERVERPROPERTY('ProductVersion') AS version, DB_ID(N'Inventory') AS inventory",
      );
    await pool.close();
    expect(result.recordset[0].server).toBe("HOST01\\INST1");
    expect(result.recordset[0].version).toBe("15.0.4312.2");
    expect(result.recordset[0].inventory).toBeGreaterThan(4);

    const arm = new SqlManagementClient(new StaticTokenCredential(), info.arm.subscriptionId, {
      endpoint: info.arm.endpoint,
      tlsOptions: { ca: info.arm.tlsCaPem },
    });
    const mi = await arm.managedInstances.get(info.arm.resourceGroupName, info.arm.managedInstanceName);
    expect(mi.fullyQualifiedDomainName).toBe(info.arm.fqdn);

    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("refuses an unknown option with usage and exit code 2", () => {
    const result = spawnSync(process.execPath, [CLI, "--hadr", "maybe"], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--hadr must be "on" or "off"');
  });
});

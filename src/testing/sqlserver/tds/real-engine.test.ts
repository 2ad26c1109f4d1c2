import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInstanceModel, type SqlServerInstance } from "../model";
import { TdsServer } from "../tds-server";
import { createSqlEngine } from "../tsql/engine";
import { connectPool, tsqlEnv } from "./test-clients";

/** The front end over the real T-SQL engine and instance model: TLS clients and FreeTDS. */
describe("TDS front end over the T-SQL engine", () => {
  let model: SqlServerInstance;
  let server: TdsServer;
  let port = 0;
  beforeAll(async () => {
    model = createInstanceModel({
      serverName: "SQL1",
      logins: [{ name: "linkadmin", password: "L1nk!Passw0rd", sysadmin: true }],
    });
    server = new TdsServer({ engine: createSqlEngine(model) });
    ({ port } = await server.start());
  });
  afterAll(async () => {
    await server?.stop();
    model?.dispose();
  });

  it("serves mssql over TLS", async () => {
    const pool = await connectPool(port, { encrypt: true, user: "linkadmin", password: "L1nk!Passw0rd" });
    try {
      const result = await pool.request().query("SELECT @@SERVERNAME AS name");
      expect(result.recordset).toEqual([{ name: "SQL1" }]);
    } finally {
      await pool.close();
    }
  });

  it.runIf(existsSync("/usr/bin/tsql"))("serves FreeTDS tsql", async () => {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        "/usr/bin/tsql",
        ["-H", "127.0.0.1", "-p", String(port), "-U", "linkadmin", "-P", "L1nk!Passw0rd"],
        {
          env: tsqlEnv({ TDSVER: "7.4" }),
        },
      );
      let text = "";
      child.stdout.on("data", (d: Buffer) => (text += d.toString()));
      child.stderr.on("data", (d: Buffer) => (text += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.on("error", reject);
      child.on("close", () => {
        clearTimeout(timer);
        resolve(text);
      });
      child.stdin.end("SELECT @@SERVERNAME AS name\ngo\nexit\n");
    });
    expect(output).toMatch(/name\s+SQL1/);
  });
});

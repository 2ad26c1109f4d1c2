import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TdsServer } from "../tds-server";
import { ScriptedEngine } from "./test-engine";
import { encodePassword } from "./login7";
import { TEST_PASSWORD, TEST_USER, tsqlEnv } from "./test-clients";
import { startRecordingProxy } from "./test-proxy";

const TSQL = "/usr/bin/tsql";
const QUERY = "SELECT @@SERVERNAME AS name, 42 AS answer";

interface TsqlRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs FreeTDS tsql with a batch on stdin, using a freetds.conf with the given encryption setting. */
function runTsql(
  port: number,
  input: string,
  encryption: "off" | "request" | "require",
  password = TEST_PASSWORD,
  tdsVersion = "7.4",
) {
  const dir = mkdtempSync(join(tmpdir(), "freetds-"));
  const conf = join(dir, "freetds.conf");
  writeFileSync(conf, `[global]\n\ttds version = ${tdsVersion}\n\tencryption = ${encryption}\n`);
  return new Promise<TsqlRun>((resolve, reject) => {
    const child = spawn(TSQL, ["-H", "127.0.0.1", "-p", String(port), "-U", TEST_USER, "-P", password], {
      env: tsqlEnv({ FREETDSCONF: conf, TDSVER: tdsVersion }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe.runIf(existsSync(TSQL))("FreeTDS tsql against the emulator", () => {
  const engine = new ScriptedEngine();
  const server = new TdsServer({ engine });
  let port = 0;
  beforeAll(async () => {
    ({ port } = await server.start());
    engine.scripts.set(QUERY, () => [
      {
        kind: "rows",
        resultSet: {
          columns: [
            { name: "name", type: { kind: "nvarchar", length: 128 } },
            { name: "answer", type: { kind: "int" } },
          ],
          rows: [["SQL1", 42]],
        },
      },
      { kind: "done", rowCount: 1 },
    ]);
  });
  afterAll(() => server.stop());

  // FreeTDS "request" sends ENCRYPT_OFF: TLS for the login packet only, then clear text.
  const cases = [
    { encryption: "off", loginEncrypted: false, queryEncrypted: false },
    { encryption: "request", loginEncrypted: true, queryEncrypted: false },
    { encryption: "require", loginEncrypted: true, queryEncrypted: true },
  ] as const;
  for (const { encryption, loginEncrypted, queryEncrypted } of cases) {
    it(`runs a batch with encryption = ${encryption}`, async () => {
      const proxy = await startRecordingProxy(port);
      try {
        const run = await runTsql(proxy.port, `${QUERY}\ngo\nexit\n`, encryption);
        const output = `${run.stdout}\n${run.stderr}`;
        expect(output, output).toMatch(/name\s+answer/);
        expect(run.stdout, output).toMatch(/SQL1\s+42/);
        expect(run.stdout, output).toMatch(/\(1 row affected\)/);
        expect(engine.batches).toContain(`${QUERY}\n`);
        const sent = proxy.fromClients();
        expect(sent.includes(encodePassword(TEST_PASSWORD))).toBe(!loginEncrypted);
        expect(sent.includes(Buffer.from(QUERY, "utf16le"))).toBe(!queryEncrypted);
      } finally {
        await proxy.close();
      }
    });
  }

  for (const version of ["7.2", "7.3"]) {
    it(`follows an older client down to TDS ${version}`, async () => {
      const run = await runTsql(port, `${QUERY}\ngo\nexit\n`, "off", TEST_PASSWORD, version);
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.stdout, output).toMatch(/SQL1\s+42/);
    });
  }

  it("refuses a client older than TDS 7.2 with a message saying so", async () => {
    const run = await runTsql(port, `${QUERY}\ngo\nexit\n`, "off", TEST_PASSWORD, "7.1");
    expect(`${run.stdout}\n${run.stderr}`).toMatch(/TDS 7\.1 is not supported by this server/);
  });

  it("reports a failed login", async () => {
    const run = await runTsql(port, "exit\n", "off", "wrong");
    expect(run.stdout + run.stderr).toMatch(/Login failed for user 'sa'/);
  });
});

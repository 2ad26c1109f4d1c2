import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import sql from "mssql";
import { TdsServer } from "../tds-server";
import { ScriptedEngine } from "./test-engine";
import { serverCertificate } from "./certificate";
import { encodePassword } from "./login7";
import { connectPool, TEST_PASSWORD, TEST_USER } from "./test-clients";
import { startRecordingProxy, type RecordingProxy } from "./test-proxy";

const MARKER = "MarkerTextThatMustNotLeak";

function markerEngine(): ScriptedEngine {
  const engine = new ScriptedEngine();
  engine.scripts.set(`SELECT '${MARKER}'`, () => [
    {
      kind: "rows",
      resultSet: { columns: [{ name: "m", type: { kind: "nvarchar", length: 100 } }], rows: [[MARKER]] },
    },
    { kind: "done", rowCount: 1 },
  ]);
  return engine;
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const ucs2 = (text: string) => Buffer.from(text, "utf16le");

describe("encryption negotiation with mssql/tedious", () => {
  const server = new TdsServer({ engine: markerEngine() });
  let port = 0;
  let proxy: RecordingProxy;
  beforeAll(async () => {
    ({ port } = await server.start());
  });
  afterEach(() => proxy?.close());
  afterAll(() => server.stop());

  it("encrypt:true + trustServerCertificate runs the whole session in TLS", async () => {
    proxy = await startRecordingProxy(port);
    const pool = await connectPool(proxy.port, { encrypt: true });
    const result = await pool.request().query(`SELECT '${MARKER}'`);
    await pool.close();
    expect(result.recordset).toEqual([{ m: MARKER }]);
    const up = proxy.fromClients();
    const down = proxy.fromServer();
    // The query, the result and the login's (obfuscated) password are all inside TLS.
    expect(up.includes(ucs2(MARKER))).toBe(false);
    expect(down.includes(ucs2(MARKER))).toBe(false);
    expect(up.includes(encodePassword(TEST_PASSWORD))).toBe(false);
    // After the PRELOGIN exchange the client sends TLS application-data records.
    expect(up.includes(Buffer.from([0x17, 0x03, 0x03]))).toBe(true);
  });

  it("encrypt:false (NOT_SUP) stays in clear text", async () => {
    proxy = await startRecordingProxy(port);
    const pool = await connectPool(proxy.port, { encrypt: false });
    const result = await pool.request().query(`SELECT '${MARKER}'`);
    await pool.close();
    expect(result.recordset).toEqual([{ m: MARKER }]);
    expect(proxy.fromClients().includes(ucs2(MARKER))).toBe(true);
    expect(proxy.fromServer().includes(ucs2(MARKER))).toBe(true);
    expect(proxy.fromClients().includes(encodePassword(TEST_PASSWORD))).toBe(true);
  });

  it("tedious encrypt:'strict' (TDS 8, TLS first) works", async () => {
    proxy = await startRecordingProxy(port);
    // Strict mode verifies the certificate whatever trustServerCertificate says.
    const pool = new sql.ConnectionPool({
      server: "127.0.0.1",
      port: proxy.port,
      user: TEST_USER,
      password: TEST_PASSWORD,
      options: {
        encrypt: "strict" as unknown as boolean,
        cryptoCredentialsDetails: { ca: serverCertificate().certPem },
      },
    });
    await pool.connect();
    const result = await pool.request().query(`SELECT '${MARKER}'`);
    await pool.close();
    expect(result.recordset).toEqual([{ m: MARKER }]);
    expect(proxy.fromClients()[0]).toBe(0x16);
    expect(proxy.fromClients().includes(ucs2(MARKER))).toBe(false);
  });
});

describe("encryption policies", () => {
  it("'required' refuses a client that cannot encrypt and serves one that can", async () => {
    const server = new TdsServer({ engine: markerEngine(), encryption: "required" });
    const { port } = await server.start();
    try {
      await expect(connectPool(port, { encrypt: false })).rejects.toMatchObject({ code: "EENCRYPT" });
      const pool = await connectPool(port, { encrypt: true });
      expect((await pool.request().query(`SELECT '${MARKER}'`)).recordset).toEqual([{ m: MARKER }]);
      await pool.close();
    } finally {
      await server.stop();
    }
  });

  it("'none' answers NOT_SUP and serves clear-text clients", async () => {
    const server = new TdsServer({ engine: markerEngine(), encryption: "none" });
    const { port } = await server.start();
    const proxy = await startRecordingProxy(port);
    try {
      const pool = await connectPool(proxy.port, { encrypt: false });
      expect((await pool.request().query(`SELECT '${MARKER}'`)).recordset).toEqual([{ m: MARKER }]);
      await pool.close();
      expect(proxy.fromServer().includes(ucs2(MARKER))).toBe(true);
    } finally {
      await proxy.close();
      await server.stop();
    }
  });
});

describe("login", () => {
  const engine = markerEngine();
  const server = new TdsServer({ engine });
  let port = 0;
  beforeAll(async () => {
    ({ port } = await server.start());
  });
  afterAll(() => server.stop());

  for (const encrypt of [false, true]) {
    it(`a wrong password fails with ELOGIN and the server closes the connection (encrypt=${encrypt})`, async () => {
      await expect(connectPool(port, { encrypt, password: "wrong" })).rejects.toMatchObject({
        code: "ELOGIN",
        message: "Login failed for user 'sa'.",
      });
      await until(() => server.openConnectionCount() === 0);
      expect(server.counters().failedLogins).toBeGreaterThan(0);
    });
  }

  it("the ERROR token of a failed login carries number 18456, class 14, state 1", async () => {
    const { Connection } = await import("tedious");
    const connection = new Connection({
      server: "127.0.0.1",
      authentication: { type: "default", options: { userName: "sa", password: "nope" } },
      options: { port, encrypt: false },
    });
    const token = await new Promise<{ number: number; class: number; state: number }>((resolve) => {
      connection.on("errorMessage", resolve);
      connection.connect(() => undefined);
    });
    expect(token).toMatchObject({ number: 18456, class: 14, state: 1 });
    connection.close();
  });

  it("a database the session cannot open refuses the login with its error, then 18456", async () => {
    const { Connection } = await import("tedious");
    const connection = new Connection({
      server: "127.0.0.1",
      authentication: { type: "default", options: { userName: TEST_USER, password: TEST_PASSWORD } },
      options: { port, encrypt: false, database: "missing" },
    });
    const numbers: number[] = [];
    connection.on("errorMessage", (token: { number: number }) => numbers.push(token.number));
    const error = await new Promise<Error | undefined>((resolve) => connection.connect(resolve));
    expect(error).toMatchObject({ code: "ELOGIN" });
    expect(numbers).toEqual([4060, 18456]);
  });

  it("a good login decodes the password and starts in the requested database", async () => {
    engine.scripts.set("SELECT DB_NAME()", (session) => [
      {
        kind: "rows",
        resultSet: {
          columns: [{ name: "db", type: { kind: "nvarchar", length: 128 } }],
          rows: [[session.database]],
        },
      },
      { kind: "done", rowCount: 1 },
    ]);
    const pool = await connectPool(port, { password: TEST_PASSWORD, database: "appdb" });
    const result = await pool.request().query("SELECT DB_NAME()");
    await pool.close();
    expect(result.recordset).toEqual([{ db: "appdb" }]);
  });
});

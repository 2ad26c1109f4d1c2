import sql from "mssql";
import { Connection, type ConnectionConfiguration } from "tedious";

export const TEST_USER = "sa";
export const TEST_PASSWORD = "Str0ng!Passw0rd";

/**
 * The environment of a FreeTDS `tsql` child: this process's, with `settings` and without TDSDUMP.
 * FreeTDS writes a protocol log to /tmp/freetds.log.<pid> whenever TDSDUMP is set, even to "".
 */
export function tsqlEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings };
  delete env.TDSDUMP;
  return env;
}

export interface PoolOptions {
  encrypt?: boolean;
  user?: string;
  password?: string;
  database?: string;
  /** Connections in the pool; 1 makes every request share one session. */
  max?: number;
  requestTimeout?: number;
  /**
   * mssql's pool runs "SELECT 1;" (an RPC) each time it hands out a connection unless this is
   * false; off by default here so that request numbers are predictable.
   */
  validateConnection?: boolean;
}

/** An mssql pool against the emulator, connected. */
export async function connectPool(port: number, options: PoolOptions = {}): Promise<sql.ConnectionPool> {
  const config: sql.config & { validateConnection: boolean } = {
    server: "127.0.0.1",
    port,
    user: options.user ?? TEST_USER,
    password: options.password ?? TEST_PASSWORD,
    database: options.database,
    pool: { max: options.max ?? 1, min: 0 },
    requestTimeout: options.requestTimeout ?? 10_000,
    connectionTimeout: 10_000,
    validateConnection: options.validateConnection ?? false,
    options: { encrypt: options.encrypt ?? false, trustServerCertificate: true },
  };
  const pool = new sql.ConnectionPool(config);
  await pool.connect();
  return pool;
}

/** A raw tedious connection; resolves once logged in, rejects with the login error. */
export function connectTedious(
  port: number,
  options: ConnectionConfiguration["options"] = {},
  credentials = { user: TEST_USER, password: TEST_PASSWORD },
): Promise<Connection> {
  const connection = new Connection({
    server: "127.0.0.1",
    authentication: {
      type: "default",
      options: { userName: credentials.user, password: credentials.password },
    },
    options: { port, encrypt: false, trustServerCertificate: true, connectTimeout: 10_000, ...options },
  });
  return new Promise((resolve, reject) => {
    connection.connect((error) =>
      error ? reject(Object.assign(error, { connection })) : resolve(connection),
    );
  });
}

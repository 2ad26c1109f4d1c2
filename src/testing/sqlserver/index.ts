/**
 * The SQL Server emulator: an instance model (catalog, rules, HADR) behind a
 * T-SQL interpreter behind a TDS server on loopback. The real `mssql`/tedious
 * driver and FreeTDS `tsql` connect to it as to SQL Server.
 */
import * as fs from "node:fs";
import type { SqlServerConnectionArgs } from "../../sql/connection-args";
import { createInstanceModel, type InstanceOptions, type SqlServerInstance } from "./model";
import { TdsServer } from "./tds-server";
import { createSqlEngine } from "./tsql/engine";

export interface SqlServerEmulatorOptions extends InstanceOptions {
  /** Address to listen on. Default "127.0.0.1". */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Added delay per round trip, in milliseconds. Default 0. */
  latencyMs?: number;
  /**
   * File the catalog is saved to on `stop()` and `restart()`, and loaded from at
   * `start()` when it exists: a restarted emulator keeps its objects.
   */
  stateFile?: string;
}

/** How to reach a running emulator as its administrator. */
export interface SqlServerConnectionInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  serverName: string;
}

export const DEFAULT_ADMIN_LOGIN = { name: "sa", password: "Emulator-Passw0rd!" } as const;

export class SqlServerEmulator {
  private instance: SqlServerInstance | undefined;
  private server: TdsServer | undefined;
  private boundPort: number;
  private latencyMs: number;
  private readonly restartListeners: Array<(instance: SqlServerInstance) => void> = [];

  constructor(private readonly options: SqlServerEmulatorOptions = {}) {
    this.boundPort = options.port ?? 0;
    this.latencyMs = options.latencyMs ?? 0;
  }

  /** The instance model: catalog, HADR state, test controls. */
  get model(): SqlServerInstance {
    if (!this.instance) throw new Error("The SQL Server emulator is not started.");
    return this.instance;
  }

  /** The TDS server: counters, request log, faults, latency. */
  get tds(): TdsServer {
    if (!this.server) throw new Error("The SQL Server emulator is not started.");
    return this.server;
  }

  get admin(): { name: string; password: string } {
    const configured = this.options.logins?.find((login) => login.sysadmin !== false);
    return configured ? { name: configured.name, password: configured.password } : DEFAULT_ADMIN_LOGIN;
  }

  async start(): Promise<SqlServerConnectionInfo> {
    const state = this.options.state ?? this.readStateFile();
    this.instance = createInstanceModel({
      ...this.options,
      logins: this.options.logins ?? [{ ...DEFAULT_ADMIN_LOGIN, sysadmin: true }],
      state,
    });
    this.server = new TdsServer({
      engine: createSqlEngine(this.instance),
      host: this.options.host ?? "127.0.0.1",
      port: this.boundPort,
    });
    const address = await this.server.start();
    this.server.setLatencyMs(this.latencyMs);
    this.boundPort = address.port;
    return this.connectionInfo();
  }

  connectionInfo(): SqlServerConnectionInfo {
    return {
      host: this.options.host ?? "127.0.0.1",
      port: this.boundPort,
      user: this.admin.name,
      password: this.admin.password,
      serverName: this.model.serverName(),
    };
  }

  /**
   * The product's connection arguments for this emulator, as the admin login: its certificate is
   * self-signed (trusted here), and a local server that does not answer within 5 s is not coming.
   */
  connectionArgs(): SqlServerConnectionArgs {
    const { host, port, user, password } = this.connectionInfo();
    return { host, port, user, password, trustServerCertificate: true, connectTimeoutMs: 5_000 };
  }

  setLatencyMs(ms: number): void {
    this.latencyMs = ms;
    this.server?.setLatencyMs(ms);
  }

  /**
   * Simulates a service restart: every connection drops, the catalog is saved and
   * reloaded (HADR sessions reconnect from the saved state), the port stays the same.
   * Counters and faults start afresh.
   */
  async restart(): Promise<void> {
    const state = this.model.saveState();
    this.writeStateFile(state);
    await this.shutdown();
    const saved = this.options.state;
    this.options.state = state;
    try {
      await this.start();
    } finally {
      this.options.state = saved;
    }
    for (const listener of this.restartListeners) listener(this.model);
  }

  /** Called with the new instance after each `restart()` (the managed instance re-attaches to it). */
  onRestart(listener: (instance: SqlServerInstance) => void): void {
    this.restartListeners.push(listener);
  }

  async stop(): Promise<void> {
    if (!this.instance) return;
    this.writeStateFile(this.instance.saveState());
    await this.shutdown();
  }

  private async shutdown(): Promise<void> {
    await this.server?.stop();
    this.instance?.dispose();
    this.server = undefined;
    this.instance = undefined;
  }

  private readStateFile(): InstanceOptions["state"] {
    const file = this.options.stateFile;
    if (!file || !fs.existsSync(file)) return undefined;
    return JSON.parse(fs.readFileSync(file, "utf8"));
  }

  private writeStateFile(state: unknown): void {
    const file = this.options.stateFile;
    if (file) fs.writeFileSync(file, JSON.stringify(state));
  }
}

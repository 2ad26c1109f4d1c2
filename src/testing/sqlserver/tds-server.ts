import * as net from "node:net";
import type { ServerMessage, SqlEngine } from "./types";
import {
  TdsConnection,
  type ConnectionHost,
  type EncryptionPolicy,
  type IncomingRequest,
  type RequestPlan,
} from "./tds/connection";
import { serverCertificate } from "./tds/certificate";

export type { EncryptionPolicy } from "./tds/connection";

export interface TdsServerOptions {
  engine: SqlEngine;
  /** Default "127.0.0.1". */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * "supported" (default): encrypt when the client asks (full TLS for ON/REQ,
   * login-only TLS for OFF), clear text for NOT_SUP. "required": refuse
   * clients that cannot encrypt. "none": never encrypt.
   */
  encryption?: EncryptionPolicy;
}

export interface FaultRule {
  on: { requestNumber: number } | { match: RegExp };
  /**
   * "error": answer with an ERROR token without running the request. "drop": close the socket
   * unanswered. "run-then-drop": run the request, then close the socket before answering (the
   * statement's effect stays; the client sees a lost connection, as when a reply is lost).
   * "run-then-error": run the request, then answer with the error instead of its results (a later
   * statement of the same request failed after an earlier one took effect).
   */
  action: "error" | "drop" | "run-then-drop" | "run-then-error";
  /** How many requests the rule applies to; default 1. */
  times?: number;
  /** For "error" and "run-then-error"; default a severity-16 error 50000. */
  error?: { number: number; message: string };
}

export interface TdsCounters {
  /** TCP connections accepted. */
  connections: number;
  logins: number;
  failedLogins: number;
  /** Batches plus RPCs. */
  requests: number;
  batches: number;
  rpcs: number;
  attentions: number;
}

export interface RequestLogEntry {
  /** Global, 1-based, in arrival order across all connections. */
  n: number;
  kind: "batch" | "rpc";
  /** Batch text; for sp_executesql the @stmt text; otherwise the procedure name. */
  text: string;
  login: string;
  at: Date;
}

interface ActiveFault {
  rule: FaultRule;
  remaining: number;
}

const zeroCounters = (): TdsCounters => ({
  connections: 0,
  logins: 0,
  failedLogins: 0,
  requests: 0,
  batches: 0,
  rpcs: 0,
  attentions: 0,
});

/**
 * A SQL Server TDS 7.4 endpoint on loopback driving a SqlEngine, with knobs
 * for tests: latency, injected faults, and exact counters.
 *
 * What counts as a request (numbered globally, 1-based, in arrival order):
 * - every SQL batch and every RPC, including the SET batch tedious (and so
 *   mssql) sends right after each login: a fresh connection has made one
 *   request before the caller's first query;
 * - mssql's pool, unless configured with `validateConnection: false`, runs
 *   "SELECT 1;" as an RPC each time it hands out a pooled connection;
 * - mssql connects a pool by opening a connection it then discards, so a
 *   pool's first query usually opens a second connection (and SET batch);
 * - transaction manager requests (tedious beginTransaction/commit/rollback,
 *   i.e. mssql Transaction) count as batches, logged as their T-SQL
 *   equivalent ("BEGIN TRANSACTION", ...).
 * ATTENTION (cancel) messages are counted as `attentions`, not requests.
 */
export class TdsServer {
  private readonly server: net.Server;
  private readonly connections = new Set<TdsConnection>();
  private readonly sockets = new Set<net.Socket>();
  private faults: ActiveFault[] = [];
  private latency = 0;
  private count = zeroCounters();
  private log: RequestLogEntry[] = [];
  private address: { host: string; port: number } | undefined;
  private readonly host: ConnectionHost;

  constructor(private readonly options: TdsServerOptions) {
    this.host = this.makeHost();
    this.server = net.createServer((socket) => this.accept(socket));
  }

  async start(): Promise<{ host: string; port: number }> {
    // A server has its TLS certificate before the first client: minting it at the first PRELOGIN
    // would stall every connection of that moment for the key generation.
    if ((this.options.encryption ?? "supported") !== "none") serverCertificate();
    const host = this.options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const bound = this.server.address() as net.AddressInfo;
    this.address = { host, port: bound.port };
    return this.address;
  }

  /** Stops listening and closes every connection. */
  async stop(): Promise<void> {
    this.dropAllConnections();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Destroys every open connection, as a server restart would; the listener stays up. */
  dropAllConnections(): void {
    for (const connection of this.connections) connection.destroy();
    for (const socket of this.sockets) if (!socket.destroyed) socket.resetAndDestroy();
    this.connections.clear();
    this.sockets.clear();
  }

  /** Connections currently open (closed ones are forgotten as soon as their socket closes). */
  openConnectionCount(): number {
    return this.sockets.size;
  }

  /** Delay added before answering each request. */
  setLatencyMs(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  addFault(rule: FaultRule): void {
    this.faults.push({ rule, remaining: rule.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  counters(): TdsCounters {
    return { ...this.count };
  }

  requestLog(): RequestLogEntry[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  resetCounters(): void {
    this.count = zeroCounters();
    this.log = [];
  }

  private accept(socket: net.Socket): void {
    this.count.connections++;
    this.sockets.add(socket);
    const connection = new TdsConnection(socket, this.host);
    this.connections.add(connection);
    socket.on("close", () => {
      this.sockets.delete(socket);
      this.connections.delete(connection);
    });
  }

  private makeHost(): ConnectionHost {
    return {
      engine: this.options.engine,
      encryption: this.options.encryption ?? "supported",
      loginSucceeded: () => {
        this.count.logins++;
      },
      loginFailed: () => {
        this.count.failedLogins++;
      },
      requestArrived: (request) => this.recordRequest(request),
      planRequest: (n, request) => this.plan(n, request),
      latencyMs: () => this.latency,
      attentionArrived: () => {
        this.count.attentions++;
      },
    };
  }

  private recordRequest(request: IncomingRequest): number {
    this.count.requests++;
    if (request.kind === "batch") this.count.batches++;
    else this.count.rpcs++;
    const n = this.count.requests;
    this.log.push({ n, kind: request.kind, text: request.text, login: request.login, at: new Date() });
    return n;
  }

  private plan(n: number, request: IncomingRequest): RequestPlan {
    const fault = this.faults.find(({ rule, remaining }) => {
      if (remaining <= 0) return false;
      if ("requestNumber" in rule.on) return rule.on.requestNumber === n;
      rule.on.match.lastIndex = 0;
      return rule.on.match.test(request.text);
    });
    if (!fault) return { action: "run" };
    fault.remaining--;
    if (fault.rule.action === "drop") return { action: "drop" };
    if (fault.rule.action === "run-then-drop") return { action: "run-then-drop" };
    const error: ServerMessage = {
      number: fault.rule.error?.number ?? 50000,
      message: fault.rule.error?.message ?? "Injected fault",
      severity: 16,
      state: 1,
    };
    return { action: fault.rule.action === "run-then-error" ? "run-then-error" : "error", error };
  }
}

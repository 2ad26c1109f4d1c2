import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { SqlServerPartner } from "../sqlserver/model/partner";
import { ArmError } from "./errors";
import { FaultInjector, type FaultSpec, type RequestCounters, type RequestLogEntry } from "./faults";
import { ManagedInstance, type DatabaseFormat } from "./managed-instance";
import { OperationTracker } from "./operations";
import { operationName, route, type ArmResponse } from "./router";
import { loopbackTlsMaterial } from "./tls";

export interface ArmEmulatorOptions {
  subscriptionId?: string;
  resourceGroupName?: string;
  managedInstanceName?: string;
  dnsZone?: string;
  location?: string;
  databaseFormat?: DatabaseFormat;
  hybridSecondaryUsage?: "Active" | "Passive";
  collation?: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** The SQL Server the default managed instance links with. */
  sqlServer?: SqlServerPartner;
  /** Time a long-running operation takes. */
  lroDelayMs?: number;
  /** Retry-After (seconds) on accepted operations; 0 lets SDKs poll at their own interval. */
  lroRetryAfterSeconds?: number;
  latencyMs?: number;
  /**
   * Serve https with a self-signed loopback certificate (default). Azure SDK clients refuse
   * bearer tokens over http; trust `tlsCaPem` in the client (`tlsOptions: { ca }`).
   */
  tls?: boolean;
  /** How often links that are not connected retry joining SQL Server. */
  trustPollMs?: number;
  /** How long a link retries an unreachable SQL Server before reporting 41962. */
  linkInitWindowMs?: number;
  /** Links per page of the link list (GET .../distributedAvailabilityGroups); more come through nextLink. Default 100. */
  listPageSize?: number;
  /** How long after the managed instance becomes a database's primary its first full backup exists. Default 100 ms. */
  firstFullBackupDelayMs?: number;
}

export interface AddManagedInstanceOptions {
  name: string;
  resourceGroupName?: string;
  dnsZone?: string;
  location?: string;
  databaseFormat?: DatabaseFormat;
  hybridSecondaryUsage?: "Active" | "Passive";
  collation?: string;
  sqlServer?: SqlServerPartner;
}

/** Azure Resource Manager for the Microsoft.Sql managed instance operations of the link, over real HTTP. */
export class ArmEmulator {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  private readonly managedInstances = new Map<string, ManagedInstance>();
  private readonly faults: FaultInjector;
  private readonly operations: OperationTracker;
  private server: http.Server | undefined;
  private endpointUrl: string | undefined;
  private lroDelayMs: number;
  readonly tlsCaPem: string | undefined;

  constructor(private readonly options: ArmEmulatorOptions = {}) {
    this.subscriptionId = options.subscriptionId ?? "00000000-0000-0000-0000-000000000001";
    this.resourceGroupName = options.resourceGroupName ?? "rg-mi-link";
    this.lroDelayMs = options.lroDelayMs ?? 50;
    this.faults = new FaultInjector(options.latencyMs ?? 0);
    this.operations = new OperationTracker(() => this.lroDelayMs);
    this.tlsCaPem = options.tls === false ? undefined : loopbackTlsMaterial().caPem;
    this.addManagedInstance({
      name: options.managedInstanceName ?? "sqlmi1",
      dnsZone: options.dnsZone,
      location: options.location,
      databaseFormat: options.databaseFormat,
      hybridSecondaryUsage: options.hybridSecondaryUsage,
      collation: options.collation,
      sqlServer: options.sqlServer,
    });
  }

  addManagedInstance(options: AddManagedInstanceOptions): ManagedInstance {
    const mi = new ManagedInstance(
      {
        ...options,
        subscriptionId: this.subscriptionId,
        resourceGroupName: options.resourceGroupName ?? this.resourceGroupName,
        dnsZone: options.dnsZone ?? this.options.dnsZone,
        firstFullBackupDelayMs: this.options.firstFullBackupDelayMs,
      },
      {
        trustPollMs: this.options.trustPollMs ?? 50,
        linkInitWindowMs: this.options.linkInitWindowMs ?? 1000,
      },
    );
    this.managedInstances.set(mi.name, mi);
    return mi;
  }

  /** The default managed instance, or the one named. */
  managedInstance(name?: string): ManagedInstance {
    const mi = this.managedInstances.get(name ?? this.options.managedInstanceName ?? "sqlmi1");
    if (!mi) throw new Error(`No emulated managed instance '${name}'.`);
    return mi;
  }

  attachSqlServer(partner: SqlServerPartner | undefined, managedInstanceName?: string): void {
    this.managedInstance(managedInstanceName).attachSqlServer(partner);
  }

  setLroDelayMs(ms: number): void {
    this.lroDelayMs = ms;
  }

  setLatencyMs(ms: number): void {
    this.faults.setLatencyMs(ms);
  }

  addFault(fault: FaultSpec): void {
    this.faults.addFault(fault);
  }

  clearFaults(): void {
    this.faults.clearFaults();
  }

  counters(): RequestCounters {
    return this.faults.counters();
  }

  requestLog(): RequestLogEntry[] {
    return this.faults.requestLog();
  }

  resetCounters(): void {
    this.faults.resetCounters();
  }

  get endpoint(): string {
    if (!this.endpointUrl) throw new Error("The ARM emulator is not started.");
    return this.endpointUrl;
  }

  async start(): Promise<{ endpoint: string; tlsCaPem?: string }> {
    // A managed instance has its endpoint certificate before anyone reads it: minting it at the first
    // GET would stall every request of that moment (SQL Server's too, in a shared process) for the keys.
    for (const mi of this.managedInstances.values()) mi.endpointCertificate("DATABASE_MIRRORING");
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    const server =
      this.options.tls === false
        ? http.createServer(handler)
        : https.createServer(loopbackTlsMaterial(), handler);
    const host = this.options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, host, () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const scheme = this.options.tls === false ? "http" : "https";
    this.endpointUrl = `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;
    return { endpoint: this.endpointUrl, ...(this.tlsCaPem ? { tlsCaPem: this.tlsCaPem } : {}) };
  }

  async stop(): Promise<void> {
    this.operations.stop();
    for (const mi of this.managedInstances.values()) mi.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = (req.method ?? "GET").toUpperCase();
    const rawBody = await readBody(req);
    const latency = this.faults.getLatencyMs();
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    let response: ArmResponse;
    try {
      response = this.dispatch(req, method, url, rawBody);
    } catch (error) {
      const armError =
        error instanceof ArmError
          ? error
          : new ArmError(500, "InternalServerError", error instanceof Error ? error.message : String(error));
      response = { status: armError.status, body: armError.body(), headers: armError.headers };
    }
    this.faults.record({
      method,
      path: url.pathname,
      status: response.status,
      operation: operationName(method, url.pathname),
    });
    const headers: Record<string, string> = {
      "x-ms-request-id": randomUUID(),
      "x-ms-correlation-request-id": String(req.headers["x-ms-correlation-request-id"] ?? randomUUID()),
      ...(response.headers ?? {}),
    };
    if (response.body !== undefined) headers["Content-Type"] = "application/json; charset=utf-8";
    res.writeHead(response.status, headers);
    res.end(response.body !== undefined ? JSON.stringify(response.body) : undefined);
  }

  private dispatch(req: http.IncomingMessage, method: string, url: URL, rawBody: string): ArmResponse {
    const authorization = req.headers.authorization;
    if (!authorization || !/^Bearer\s+\S+/i.test(authorization)) {
      throw new ArmError(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing or is not a Bearer token.",
        {
          "WWW-Authenticate":
            'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"',
        },
      );
    }
    const fault = this.faults.takeFault(method, url.pathname);
    if (fault) throw fault;
    let body: unknown;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new ArmError(
          400,
          "InvalidRequestContent",
          "The request content was invalid and could not be deserialized.",
        );
      }
    }
    const scheme = this.options.tls === false ? "http" : "https";
    return route(
      {
        subscriptionId: this.subscriptionId,
        managedInstances: this.managedInstances,
        operations: this.operations,
        lroRetryAfterSeconds: this.options.lroRetryAfterSeconds ?? 0,
        listPageSize: this.options.listPageSize ?? 100,
      },
      {
        method,
        path: url.pathname,
        query: url.searchParams,
        body,
        baseUrl: `${scheme}://${req.headers.host}`,
      },
    );
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

import type { Socket } from "node:net";
import type { EngineEvent, LoginResult, ServerMessage, Session, SqlEngine } from "../types";
import { serverCertificate } from "./certificate";
import { parseLogin7 } from "./login7";
import { MessageReader, encodeMessage, type TdsMessage } from "./packet";
import {
  Encrypt,
  buildPrelogin,
  negotiateEncryption,
  parsePrelogin,
  type EncryptionPolicy,
} from "./prelogin";
import { DEFAULT_PACKET_SIZE, DoneStatus, PacketType, negotiateTdsVersion } from "./protocol";
import {
  encodeAttentionAck,
  encodeDone,
  encodeError,
  encodeEvents,
  encodeLoginFailed,
  encodeLoginResponse,
  toServerMessage,
} from "./response";
import { parseRequest, type IncomingRequest, type ParsedRequest } from "./request";
import { TlsTunnel } from "./tls";
import { TransactionTracker } from "./transaction-manager";

export type { IncomingRequest } from "./request";
export type { EncryptionPolicy } from "./prelogin";

/** What to do with a request instead of (or before) running it. */
export type RequestPlan =
  | { action: "run" }
  | { action: "drop" }
  | { action: "run-then-drop" }
  | { action: "error" | "run-then-error"; error: ServerMessage };

/** The server's side of a connection: counters, faults, latency. */
export interface ConnectionHost {
  readonly engine: SqlEngine;
  readonly encryption: EncryptionPolicy;
  loginSucceeded(user: string): void;
  loginFailed(user: string): void;
  /** Called when a request message is complete; returns its global number. */
  requestArrived(request: IncomingRequest): number;
  /** Consulted just before a request runs. */
  planRequest(number: number, request: IncomingRequest): RequestPlan;
  latencyMs(): number;
  attentionArrived(): void;
}

type Phase = "prelogin" | "login" | "ready" | "closed";

const MIN_PACKET_SIZE = 512;
const MAX_PACKET_SIZE = 32767;
const TLS_RECORD_HANDSHAKE = 0x16;
const REQUEST_TYPES = new Set<number>([PacketType.SqlBatch, PacketType.Rpc, PacketType.TransactionManager]);

/**
 * One client connection: PRELOGIN, optional TLS, LOGIN7, then batches and
 * RPCs answered one at a time in arrival order. ATTENTION is handled as soon
 * as it arrives because it must interrupt the request in progress.
 */
export class TdsConnection {
  private phase: Phase = "prelogin";
  private readonly reader = new MessageReader((message) => this.onMessage(message));
  private tunnel: TlsTunnel | undefined;
  /** Client chose ENCRYPT_OFF: only LOGIN7 travels inside TLS. */
  private loginOnlyTls = false;
  private packetSize = DEFAULT_PACKET_SIZE;
  private tdsVersion = 0x74000004;
  private session: Session | undefined;
  private queue: Promise<void> = Promise.resolve();
  private busy = 0;
  private attentionPending = false;
  private firstChunk = true;
  /** Session and TLS resources let go (the socket closed or was dropped). */
  private released = false;
  private readonly transactions = new TransactionTracker();

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onSocketData(chunk));
    socket.on("error", () => this.close());
    socket.on("close", () => this.close());
  }

  /**
   * Drops the connection without a goodbye, like a crashed server or a broken network. A TCP
   * reset rather than a FIN: tedious 19 throws an uncaught "No event 'socketError' in state
   * 'Final'" when a socket *ends* under a request in flight, while a reset fails the request
   * cleanly with ECONNRESET.
   */
  destroy(): void {
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
    this.close();
  }

  private close(): void {
    if (this.released) return;
    this.released = true;
    this.phase = "closed";
    this.tunnel?.destroy();
    if (this.session) {
      this.session.cancelled = true;
      this.host.engine.closeSession(this.session);
    }
  }

  private onSocketData(chunk: Buffer): void {
    try {
      if (this.firstChunk) {
        this.firstChunk = false;
        if (chunk[0] === TLS_RECORD_HANDSHAKE) {
          // TDS 8 strict: TLS from the first byte, PRELOGIN inside it.
          this.startTls("strict");
          this.tunnel?.pushRaw(chunk);
          return;
        }
      }
      if (this.tunnel?.handshakeDone) this.tunnel.pushRaw(chunk);
      else this.reader.push(chunk);
    } catch {
      this.destroy();
    }
  }

  private startTls(mode: "prelogin" | "strict"): void {
    const certificate = serverCertificate();
    this.tunnel = new TlsTunnel(
      mode === "strict" ? certificate.secureContext : certificate.preloginSecureContext,
      {
        sendHandshake: (flight) =>
          this.socket.write(encodeMessage(PacketType.Prelogin, flight, DEFAULT_PACKET_SIZE)),
        sendRaw: (records) => {
          if (!this.socket.destroyed) this.socket.write(records);
        },
        onCleartext: (data) => {
          try {
            this.reader.push(data);
          } catch {
            this.destroy();
          }
        },
        onError: () => this.destroy(),
      },
      mode,
    );
  }

  private send(type: number, payload: Buffer, onWritten?: () => void): void {
    if (this.released || this.socket.destroyed) return;
    const packets = encodeMessage(type, payload, this.packetSize, this.session?.id ?? 0);
    if (this.tunnel?.handshakeDone) this.tunnel.write(packets, onWritten);
    else this.socket.write(packets, onWritten);
  }

  /** Sends a last message and closes once it is on the wire (through TLS if any). */
  private sendAndEnd(type: number, payload: Buffer): void {
    this.phase = "closed";
    this.send(type, payload, () => this.socket.end());
  }

  private onMessage(message: TdsMessage): void {
    if (this.phase === "closed") return;
    if (this.phase === "prelogin") return this.onPrelogin(message);
    if (this.phase === "login") return this.onLogin7(message);
    if (message.type === PacketType.Attention) return this.onAttention();
    if (!REQUEST_TYPES.has(message.type)) {
      this.destroy();
      return;
    }
    if (message.ignored) {
      // Not a request: the client expects an answer all the same, after anything queued.
      this.queue = this.queue.then(() => this.send(PacketType.TabularResult, encodeDone(DoneStatus.Final)));
      return;
    }
    let request: ParsedRequest;
    try {
      request = parseRequest(message, this.tdsVersion, this.session?.login ?? "", this.host.engine);
    } catch {
      this.destroy();
      return;
    }
    const number = this.host.requestArrived(request);
    this.busy++;
    this.queue = this.queue.then(() => this.runRequest(number, request)).finally(() => this.busy--);
  }

  private onPrelogin(message: TdsMessage): void {
    if (message.type !== PacketType.Prelogin) {
      this.destroy();
      return;
    }
    const client = parsePrelogin(message.data);
    const answer = negotiateEncryption(this.host.encryption, client.encryption, this.tunnel !== undefined);
    const version = this.host.engine.identity().productVersion;
    const response = buildPrelogin({ version, encryption: answer });
    if (answer === Encrypt.Required && client.encryption === Encrypt.NotSupported) {
      // The client cannot encrypt and this server insists: nothing more to say.
      this.sendAndEnd(PacketType.TabularResult, response);
      return;
    }
    this.send(PacketType.TabularResult, response);
    // In TDS 8 strict mode the PRELOGIN already came through TLS: nothing to negotiate.
    if (!this.tunnel && (answer === Encrypt.On || answer === Encrypt.Off)) {
      this.loginOnlyTls = answer === Encrypt.Off;
      this.startTls("prelogin");
    }
    this.phase = "login";
  }

  private onLogin7(message: TdsMessage): void {
    if (message.type === PacketType.Prelogin && this.tunnel && !this.tunnel.handshakeDone) {
      this.tunnel.pushHandshake(message.data);
      return;
    }
    if (message.type !== PacketType.Login7) {
      this.destroy();
      return;
    }
    if (this.host.encryption === "required" && !this.tunnel) {
      this.destroy();
      return;
    }
    if (this.loginOnlyTls) {
      this.tunnel?.detach();
      this.tunnel = undefined;
    }
    const login = parseLogin7(message.data);
    const engine = this.host.engine;
    const identity = engine.identity();
    const refuse = (cause?: ServerMessage) => {
      this.host.loginFailed(login.userName);
      this.sendAndEnd(
        PacketType.TabularResult,
        encodeLoginFailed(login.userName, identity.serverName, cause),
      );
    };
    const tdsVersion = negotiateTdsVersion(login.tdsVersion);
    if (tdsVersion === undefined) {
      const version = `${login.tdsVersion >>> 28}.${(login.tdsVersion >>> 24) & 0xf}`;
      return refuse({
        number: 50000,
        state: 1,
        severity: 14,
        message: `TDS ${version} is not supported by this server; use TDS 7.2 or later.`,
      });
    }
    this.tdsVersion = tdsVersion;
    let result: LoginResult;
    try {
      result = engine.authenticate(login.userName, login.password);
    } catch (error) {
      return refuse(toServerMessage(error));
    }
    if (!result.ok) return refuse();
    this.packetSize = Math.min(
      MAX_PACKET_SIZE,
      Math.max(MIN_PACKET_SIZE, login.packetSize || DEFAULT_PACKET_SIZE),
    );
    try {
      // The database asked for in LOGIN7 wins over the login's default, as in SQL Server.
      this.session = engine.openSession(login.userName, login.database || result.database);
    } catch (error) {
      // e.g. 4060 "Cannot open database ... requested by the login", then 18456.
      return refuse(toServerMessage(error));
    }
    this.host.loginSucceeded(login.userName);
    this.phase = "ready";
    this.send(
      PacketType.TabularResult,
      encodeLoginResponse({
        database: this.session.database,
        packetSize: this.packetSize,
        serverName: identity.serverName,
        productVersion: identity.productVersion,
        tdsVersion: this.tdsVersion,
      }),
    );
  }

  private onAttention(): void {
    this.host.attentionArrived();
    if (this.busy > 0 && this.session) {
      this.attentionPending = true;
      this.session.cancelled = true;
      return;
    }
    // The answer already went out: acknowledge so the client stops discarding.
    this.send(PacketType.TabularResult, encodeAttentionAck());
  }

  private async runRequest(number: number, request: ParsedRequest): Promise<void> {
    const session = this.session;
    if (!session || this.phase !== "ready") return;
    const plan = this.host.planRequest(number, request);
    if (plan.action === "drop") {
      this.destroy();
      return;
    }
    const latency = this.host.latencyMs();
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    let payload: Buffer;
    const serverName = this.host.engine.identity().serverName;
    if (plan.action === "error") {
      payload = encodeError(plan.error, serverName);
    } else if (this.attentionPending) {
      payload = Buffer.alloc(0);
    } else {
      const tranCountBefore = session.tranCount;
      const events = await this.execute(session, request);
      payload =
        plan.action === "run-then-error"
          ? encodeError(plan.error, serverName)
          : Buffer.concat([
              this.transactions.change(tranCountBefore, session.tranCount, events),
              encodeEvents(events, request.kind, serverName),
            ]);
      if (plan.action === "run-then-drop") {
        // The statement ran; the reply is lost with the connection.
        this.destroy();
        return;
      }
    }
    if (this.attentionPending) {
      // The request's output is discarded. Clients read the cancelled request's response and the
      // acknowledgement as two messages (tedious waits for the second), so both are sent.
      this.attentionPending = false;
      session.cancelled = false;
      this.send(PacketType.TabularResult, encodeDone(DoneStatus.Final));
      payload = encodeAttentionAck();
    }
    this.send(PacketType.TabularResult, payload);
  }

  private async execute(session: Session, request: ParsedRequest): Promise<EngineEvent[]> {
    try {
      return await request.run(session);
    } catch (error) {
      return [
        { kind: "error", message: toServerMessage(error) },
        { kind: "done", error: true },
      ];
    }
  }
}

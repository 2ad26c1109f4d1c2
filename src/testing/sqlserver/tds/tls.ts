import { Duplex } from "node:stream";
import * as tls from "node:tls";
import { TlsFlightTracker } from "./tls-flight";

export interface TlsTunnelHooks {
  /** Handshake bytes to send to the client wrapped in one PRELOGIN message. */
  sendHandshake(flight: Buffer): void;
  /** Raw TLS records once the handshake is over (or from the start in TDS 8 strict mode). */
  sendRaw(records: Buffer): void;
  /** Decrypted bytes from the client: a TDS packet stream. */
  onCleartext(data: Buffer): void;
  onError(error: Error): void;
}

/** How long an unrecognised partial flight may sit before it is sent anyway. */
const FLIGHT_IDLE_FLUSH_MS = 200;

/**
 * Server-side TLS for TDS. Under TDS 7.x the handshake travels inside
 * PRELOGIN packets and only afterwards does the stream become raw TLS; under
 * TDS 8 "strict" TLS starts at the first byte. node:tls only speaks to a
 * stream, so a Duplex "carrier" sits under the TLSSocket and routes its
 * records either into PRELOGIN messages or straight to the socket.
 */
export class TlsTunnel {
  private readonly carrier: Duplex;
  private readonly socket: tls.TLSSocket;
  private wrapped: boolean;
  private flight: Buffer[] = [];
  private readonly tracker = new TlsFlightTracker();
  private idleTimer: NodeJS.Timeout | undefined;
  private detached = false;

  constructor(
    secureContext: tls.SecureContext,
    private readonly hooks: TlsTunnelHooks,
    mode: "prelogin" | "strict",
  ) {
    this.wrapped = mode === "prelogin";
    this.carrier = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _encoding, callback) => {
        this.fromTls(chunk);
        callback();
      },
    });
    this.socket = new tls.TLSSocket(this.carrier as unknown as import("node:net").Socket, {
      isServer: true,
      secureContext,
      ...(mode === "strict" ? { ALPNProtocols: ["tds/8.0"] } : {}),
    });
    this.socket.on("data", (data: Buffer) => this.hooks.onCleartext(data));
    this.socket.on("error", (error: Error) => this.hooks.onError(error));
  }

  /** Payload of a PRELOGIN message received during the handshake. */
  pushHandshake(data: Buffer): void {
    this.carrier.push(data);
  }

  /** Raw bytes from the socket after the handshake. */
  pushRaw(data: Buffer): void {
    this.carrier.push(data);
  }

  /** True once handshake records go straight to the socket. */
  get handshakeDone(): boolean {
    return !this.wrapped;
  }

  /** `onWritten` runs once the encrypted records have been handed to the socket. */
  write(cleartext: Buffer, onWritten?: () => void): void {
    this.socket.write(cleartext, onWritten);
  }

  destroy(): void {
    clearTimeout(this.idleTimer);
    this.socket.destroy();
    this.carrier.destroy();
  }

  /**
   * Ends TLS without telling the client (no close_notify): after a login-only
   * negotiation (client ENCRYPT_OFF) the session continues in clear text.
   */
  detach(): void {
    this.detached = true;
    this.destroy();
  }

  private fromTls(chunk: Buffer): void {
    if (this.detached) return;
    if (!this.wrapped) {
      this.hooks.sendRaw(chunk);
      return;
    }
    this.flight.push(chunk);
    const end = this.tracker.classify(Buffer.concat(this.flight));
    if (end === "incomplete") {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => this.flushFlight(), FLIGHT_IDLE_FLUSH_MS);
      return;
    }
    this.flushFlight();
    // The server's Finished ends the handshake: from now on the client sends raw TLS.
    if (end === "finished") this.wrapped = false;
  }

  private flushFlight(): void {
    clearTimeout(this.idleTimer);
    if (this.flight.length === 0) return;
    const data = Buffer.concat(this.flight);
    this.flight = [];
    this.hooks.sendHandshake(data);
  }
}

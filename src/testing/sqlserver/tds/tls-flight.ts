/**
 * Finds where a server TLS 1.2 handshake flight ends, so that it can be sent
 * as exactly one PRELOGIN message: clients (tedious, FreeTDS) answer each
 * PRELOGIN-wrapped flight they send with one read of the server's reply.
 */
const RecordType = { ChangeCipherSpec: 0x14, Alert: 0x15, Handshake: 0x16 } as const;
const SERVER_HELLO_DONE = 14;

export type FlightEnd = "incomplete" | "hello-done" | "finished" | "alert";

export class TlsFlightTracker {
  private handshakeBytes = Buffer.alloc(0);
  private sawChangeCipherSpec = false;

  /** Inspects the bytes of one pending flight (complete records only). */
  classify(flight: Buffer): FlightEnd {
    this.handshakeBytes = Buffer.alloc(0);
    this.sawChangeCipherSpec = false;
    let at = 0;
    while (at + 5 <= flight.length) {
      const type = flight[at];
      const length = flight.readUInt16BE(at + 3);
      if (at + 5 + length > flight.length) break;
      const body = flight.subarray(at + 5, at + 5 + length);
      at += 5 + length;
      if (type === RecordType.Alert) return "alert";
      if (type === RecordType.ChangeCipherSpec) this.sawChangeCipherSpec = true;
      else if (type === RecordType.Handshake) {
        // After ChangeCipherSpec the handshake record is the encrypted Finished.
        if (this.sawChangeCipherSpec) return "finished";
        this.handshakeBytes = Buffer.concat([this.handshakeBytes, body]);
        if (this.containsServerHelloDone()) return "hello-done";
      }
    }
    return "incomplete";
  }

  private containsServerHelloDone(): boolean {
    let at = 0;
    const bytes = this.handshakeBytes;
    while (at + 4 <= bytes.length) {
      const type = bytes[at];
      const length = (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
      if (type === SERVER_HELLO_DONE) return true;
      at += 4 + length;
    }
    return false;
  }
}

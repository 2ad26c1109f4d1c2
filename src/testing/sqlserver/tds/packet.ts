import { HEADER_LENGTH, PacketStatus } from "./protocol";

/** A complete TDS message: the payloads of its packets, concatenated. */
export interface TdsMessage {
  type: number;
  data: Buffer;
  /** Status bits of the first packet (e.g. RESETCONNECTION). */
  status: number;
  /** A packet carried the IGNORE bit: the client cancelled the message while sending it. */
  ignored: boolean;
}

/**
 * Reassembles TDS messages from a byte stream: packets can arrive split or
 * coalesced in any way, and a message spans packets until one has the
 * end-of-message status bit.
 */
export class MessageReader {
  private pending: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private partType = -1;
  private partStatus = 0;
  private partIgnored = false;

  constructor(private readonly onMessage: (message: TdsMessage) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= HEADER_LENGTH) {
      const length = this.pending.readUInt16BE(2);
      if (length < HEADER_LENGTH) throw new Error(`Invalid TDS packet length ${length}`);
      if (this.pending.length < length) return;
      const type = this.pending[0];
      const status = this.pending[1];
      const payload = this.pending.subarray(HEADER_LENGTH, length);
      this.pending = this.pending.subarray(length);
      if (this.parts.length === 0) {
        this.partType = type;
        this.partStatus = status;
        this.partIgnored = false;
      }
      this.parts.push(payload);
      if (status & PacketStatus.Ignore) this.partIgnored = true;
      if (status & PacketStatus.EndOfMessage) {
        const data = Buffer.concat(this.parts);
        this.parts = [];
        this.onMessage({ type: this.partType, data, status: this.partStatus, ignored: this.partIgnored });
      }
    }
  }

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.pending.length + this.parts.reduce((sum, part) => sum + part.length, 0);
  }
}

/** Splits a message into packets of at most `packetSize` bytes (header included). */
export function encodeMessage(type: number, data: Buffer, packetSize: number, spid = 0): Buffer {
  const room = packetSize - HEADER_LENGTH;
  const count = Math.max(1, Math.ceil(data.length / room));
  const out = Buffer.alloc(data.length + count * HEADER_LENGTH);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const chunk = data.subarray(i * room, (i + 1) * room);
    const last = i === count - 1;
    out[at] = type;
    out[at + 1] = last ? PacketStatus.EndOfMessage : 0;
    out.writeUInt16BE(chunk.length + HEADER_LENGTH, at + 2);
    out.writeUInt16BE(spid & 0xffff, at + 4);
    out[at + 6] = (i + 1) & 0xff;
    out[at + 7] = 0;
    chunk.copy(out, at + HEADER_LENGTH);
    at += HEADER_LENGTH + chunk.length;
  }
  return out;
}

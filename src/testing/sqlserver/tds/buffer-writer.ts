/** Growable little-endian byte writer used to build TDS payloads and tokens. */
export class BufferWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialSize = 256) {
    this.buffer = Buffer.alloc(initialSize);
  }

  get size(): number {
    return this.length;
  }

  private reserve(bytes: number): number {
    const needed = this.length + bytes;
    if (needed > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    const at = this.length;
    this.length = needed;
    return at;
  }

  u8(value: number): this {
    const at = this.reserve(1);
    this.buffer.writeUInt8(value, at);
    return this;
  }

  u16le(value: number): this {
    const at = this.reserve(2);
    this.buffer.writeUInt16LE(value, at);
    return this;
  }

  u16be(value: number): this {
    const at = this.reserve(2);
    this.buffer.writeUInt16BE(value, at);
    return this;
  }

  i32le(value: number): this {
    const at = this.reserve(4);
    this.buffer.writeInt32LE(value, at);
    return this;
  }

  u32le(value: number): this {
    const at = this.reserve(4);
    this.buffer.writeUInt32LE(value, at);
    return this;
  }

  u32be(value: number): this {
    const at = this.reserve(4);
    this.buffer.writeUInt32BE(value, at);
    return this;
  }

  i64le(value: bigint): this {
    const at = this.reserve(8);
    this.buffer.writeBigInt64LE(value, at);
    return this;
  }

  u64le(value: bigint | number): this {
    const at = this.reserve(8);
    this.buffer.writeBigUInt64LE(BigInt(value), at);
    return this;
  }

  bytes(data: Buffer): this {
    // reserve() may replace this.buffer, so it must run before the buffer is read.
    const at = this.reserve(data.length);
    data.copy(this.buffer, at);
    return this;
  }

  /** UCS-2LE text without a length prefix. */
  ucs2(text: string): this {
    return this.bytes(Buffer.from(text, "utf16le"));
  }

  /** B_VARCHAR: 1-byte character count then UCS-2LE. */
  bVarchar(text: string): this {
    return this.u8(text.length).ucs2(text);
  }

  /** US_VARCHAR: 2-byte character count then UCS-2LE. */
  usVarchar(text: string): this {
    return this.u16le(text.length).ucs2(text);
  }

  /** B_VARBYTE: 1-byte length then bytes. */
  bVarbyte(data: Buffer): this {
    return this.u8(data.length).bytes(data);
  }

  toBuffer(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

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
    this.buffer.writeUInt8(value, this.reserve(1));
    return this;
  }

  u16le(value: number): this {
    this.buffer.writeUInt16LE(value, this.reserve(2));
    return this;
  }

  u16be(value: number): this {
    this.buffer.writeUInt16BE(value, this.reserve(2));
    return this;
  }

  i32le(value: number): this {
    this.buffer.writeInt32LE(value, this.reserve(4));
    return this;
  }

  u32le(value: number): this {
    this.buffer.writeUInt32LE(value, this.reserve(4));
    return this;
  }

  u32be(value: number): this {
    this.buffer.writeUInt32BE(value, this.reserve(4));
    return this;
  }

  i64le(value: bigint): this {
    this.buffer.writeBigInt64LE(value, this.reserve(8));
    return this;
  }

  u64le(value: bigint | number): this {
    this.buffer.writeBigUInt64LE(BigInt(value), this.reserve(8));
    return this;
  }

  bytes(data: Buffer): this {
    data.copy(this.buffer, this.reserve(data.length));
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

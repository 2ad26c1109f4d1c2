/** Little-endian cursor over a received payload; throws on truncation. */
export class BufferReader {
  constructor(
    private readonly data: Buffer,
    public offset = 0,
  ) {}

  get remaining(): number {
    return this.data.length - this.offset;
  }

  private take(bytes: number): number {
    if (this.offset + bytes > this.data.length) throw new Error("Truncated TDS payload");
    const at = this.offset;
    this.offset += bytes;
    return at;
  }

  u8(): number {
    return this.data.readUInt8(this.take(1));
  }

  u16le(): number {
    return this.data.readUInt16LE(this.take(2));
  }

  u32le(): number {
    return this.data.readUInt32LE(this.take(4));
  }

  i32le(): number {
    return this.data.readInt32LE(this.take(4));
  }

  u64le(): bigint {
    return this.data.readBigUInt64LE(this.take(8));
  }

  bytes(length: number): Buffer {
    const at = this.take(length);
    return this.data.subarray(at, at + length);
  }

  /** UCS-2LE text of `chars` characters. */
  ucs2(chars: number): string {
    return this.bytes(chars * 2).toString("utf16le");
  }

  /** B_VARCHAR. */
  bVarchar(): string {
    return this.ucs2(this.u8());
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }
}

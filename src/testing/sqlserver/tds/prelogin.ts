import { BufferWriter } from "./buffer-writer";

export const PreloginOption = {
  Version: 0x00,
  Encryption: 0x01,
  InstOpt: 0x02,
  ThreadId: 0x03,
  Mars: 0x04,
  TraceId: 0x05,
  FedAuthRequired: 0x06,
  Terminator: 0xff,
} as const;

export const Encrypt = {
  Off: 0x00,
  On: 0x01,
  NotSupported: 0x02,
  Required: 0x03,
} as const;

export interface PreloginRequest {
  /** Client's ENCRYPTION byte; NOT_SUP when absent. */
  encryption: number;
  mars: boolean;
  fedAuthRequired: boolean;
  /** Raw option data by token, for anything else a caller wants to inspect. */
  options: Map<number, Buffer>;
}

export function parsePrelogin(data: Buffer): PreloginRequest {
  const options = new Map<number, Buffer>();
  let at = 0;
  while (at < data.length && data[at] !== PreloginOption.Terminator) {
    if (at + 5 > data.length) throw new Error("Truncated PRELOGIN option table");
    const token = data[at];
    const offset = data.readUInt16BE(at + 1);
    const length = data.readUInt16BE(at + 3);
    if (offset + length > data.length) throw new Error("PRELOGIN option points past the payload");
    options.set(token, data.subarray(offset, offset + length));
    at += 5;
  }
  const encryption = options.get(PreloginOption.Encryption);
  const mars = options.get(PreloginOption.Mars);
  const fedAuth = options.get(PreloginOption.FedAuthRequired);
  return {
    encryption: encryption && encryption.length > 0 ? encryption[0] : Encrypt.NotSupported,
    mars: !!mars && mars.length > 0 && mars[0] === 1,
    fedAuthRequired: !!fedAuth && fedAuth.length > 0 && fedAuth[0] === 1,
    options,
  };
}

export interface PreloginResponse {
  /** Server version, e.g. "16.0.4125.3". */
  version: string;
  encryption: number;
}

export function buildPrelogin(response: PreloginResponse): Buffer {
  const [major = 0, minor = 0, build = 0, sub = 0] = response.version.split(".").map(Number);
  const version = new BufferWriter(6)
    .u8(major)
    .u8(minor)
    .u16be(build)
    .u16be(sub & 0xffff)
    .toBuffer();
  const entries: [number, Buffer][] = [
    [PreloginOption.Version, version],
    [PreloginOption.Encryption, Buffer.from([response.encryption])],
    [PreloginOption.InstOpt, Buffer.from([0])],
    [PreloginOption.ThreadId, Buffer.alloc(0)],
    [PreloginOption.Mars, Buffer.from([0])],
  ];
  const table = new BufferWriter();
  const body = new BufferWriter();
  let offset = entries.length * 5 + 1;
  for (const [token, value] of entries) {
    table.u8(token).u16be(offset).u16be(value.length);
    body.bytes(value);
    offset += value.length;
  }
  table.u8(PreloginOption.Terminator);
  return Buffer.concat([table.toBuffer(), body.toBuffer()]);
}

/** The server's encryption setting: offer TLS, insist on it, or never encrypt. */
export type EncryptionPolicy = "supported" | "required" | "none";

/** Which encryption the server answers: `policy` is the server's, `client` the client's ENCRYPTION byte. */
export function negotiateEncryption(policy: EncryptionPolicy, client: number, strictTls: boolean): number {
  if (strictTls) return Encrypt.On; // TDS 8 strict mode: already encrypted.
  if (policy === "none") return Encrypt.NotSupported;
  if (client === Encrypt.NotSupported) return policy === "required" ? Encrypt.Required : Encrypt.NotSupported;
  if (client === Encrypt.Off && policy === "supported") return Encrypt.Off;
  return Encrypt.On;
}

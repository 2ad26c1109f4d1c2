/** The parts of a LOGIN7 message (MS-TDS 2.2.6.4) the emulator uses. */
export interface Login7 {
  tdsVersion: number;
  packetSize: number;
  clientPid: number;
  hostName: string;
  userName: string;
  password: string;
  appName: string;
  serverName: string;
  libraryName: string;
  language: string;
  database: string;
  /** fExtension: a FeatureExt block follows the variable part. */
  hasFeatureExt: boolean;
}

const FIXED_LENGTH = 94;
const OPTION_FLAGS3 = 27;
const F_EXTENSION = 0x10;

/** Offsets (in the fixed part) of the offset/length pairs, per the spec's order. */
const Field = {
  hostName: 36,
  userName: 40,
  password: 44,
  appName: 48,
  serverName: 52,
  extension: 56,
  libraryName: 60,
  language: 64,
  database: 68,
} as const;

/** Undoes the client's obfuscation: each byte had its nibbles swapped, then was XORed with 0xA5. */
export function decodePassword(scrambled: Buffer): string {
  const plain = Buffer.alloc(scrambled.length);
  for (let i = 0; i < scrambled.length; i++) {
    const byte = scrambled[i] ^ 0xa5;
    plain[i] = ((byte & 0x0f) << 4) | (byte >> 4);
  }
  return plain.toString("utf16le");
}

/** The client's obfuscation, for tests and tools that build LOGIN7 messages. */
export function encodePassword(password: string): Buffer {
  const bytes = Buffer.from(password, "utf16le");
  for (let i = 0; i < bytes.length; i++) {
    const swapped = ((bytes[i] & 0x0f) << 4) | (bytes[i] >> 4);
    bytes[i] = swapped ^ 0xa5;
  }
  return bytes;
}

export function parseLogin7(data: Buffer): Login7 {
  if (data.length < FIXED_LENGTH) throw new Error("LOGIN7 shorter than its fixed part");
  const slice = (field: number): Buffer => {
    const offset = data.readUInt16LE(field);
    const chars = data.readUInt16LE(field + 2);
    if (offset + chars * 2 > data.length) throw new Error("LOGIN7 field points past the message");
    return data.subarray(offset, offset + chars * 2);
  };
  const text = (field: number): string => slice(field).toString("utf16le");
  return {
    tdsVersion: data.readUInt32LE(4),
    packetSize: data.readUInt32LE(8),
    clientPid: data.readUInt32LE(16),
    hostName: text(Field.hostName),
    userName: text(Field.userName),
    password: decodePassword(slice(Field.password)),
    appName: text(Field.appName),
    serverName: text(Field.serverName),
    libraryName: text(Field.libraryName),
    language: text(Field.language),
    database: text(Field.database),
    hasFeatureExt: (data[OPTION_FLAGS3] & F_EXTENSION) !== 0,
  };
}

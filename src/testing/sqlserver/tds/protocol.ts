/** MS-TDS numbers shared by the front end's modules. */

export const PacketType = {
  SqlBatch: 0x01,
  Rpc: 0x03,
  TabularResult: 0x04,
  Attention: 0x06,
  TransactionManager: 0x0e,
  Login7: 0x10,
  Prelogin: 0x12,
} as const;

export const PacketStatus = {
  EndOfMessage: 0x01,
  /** The client abandoned the message part-way: the server answers without acting on it. */
  Ignore: 0x02,
  ResetConnection: 0x08,
} as const;

export const HEADER_LENGTH = 8;
export const DEFAULT_PACKET_SIZE = 4096;

export const Token = {
  ReturnStatus: 0x79,
  ColMetadata: 0x81,
  Error: 0xaa,
  Info: 0xab,
  LoginAck: 0xad,
  Row: 0xd1,
  EnvChange: 0xe3,
  Done: 0xfd,
  DoneProc: 0xfe,
  DoneInProc: 0xff,
} as const;

export const DoneStatus = {
  Final: 0x00,
  More: 0x01,
  Error: 0x02,
  Count: 0x10,
  Attention: 0x20,
} as const;

export const EnvChangeType = {
  Database: 1,
  Language: 2,
  PacketSize: 4,
  Collation: 7,
  BeginTransaction: 8,
  CommitTransaction: 9,
  RollbackTransaction: 10,
} as const;

/** TDS 7.4 as LOGINACK carries it (big-endian on the wire). */
export const TDS_VERSION_7_4 = 0x74000004;

/** TDS versions this server can speak, oldest first: 7.2 brought 8-byte row counts, 4-byte user
 * types and PLP values, which the token writers assume. */
const TDS_VERSION_8_0 = 0x08000000;
const SUPPORTED_TDS_VERSIONS = [0x72090002, 0x730a0003, 0x730b0003, TDS_VERSION_7_4];

/**
 * The version both sides speak: the client's if it is an older one this
 * server supports, 7.4 for anything newer, undefined for a client older than
 * 7.2. Versions differ on the wire (ALL_HEADERS, feature support), so the
 * server follows the client down.
 */
export function negotiateTdsVersion(clientVersion: number): number | undefined {
  if (SUPPORTED_TDS_VERSIONS.includes(clientVersion)) return clientVersion;
  // TDS 8.0 is 7.4's token stream inside TLS.
  if (clientVersion === TDS_VERSION_8_0) return TDS_VERSION_7_4;
  return clientVersion > TDS_VERSION_7_4 ? TDS_VERSION_7_4 : undefined;
}

/** SQL_Latin1_General_CP1_CI_AS: LCID 0x0409, flags, sort id 52. */
export const DEFAULT_COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);

/** TYPE_INFO type ids (MS-TDS 2.2.5.4). */
export const TypeId = {
  Null: 0x1f,
  Int1: 0x30,
  Bit: 0x32,
  Int2: 0x34,
  Int4: 0x38,
  DateTim4: 0x3a,
  Flt4: 0x3b,
  Money: 0x3c,
  DateTime: 0x3d,
  Flt8: 0x3e,
  Money4: 0x7a,
  Int8: 0x7f,
  Guid: 0x24,
  IntN: 0x26,
  Date: 0x28,
  Time: 0x29,
  DateTime2: 0x2a,
  DateTimeOffset: 0x2b,
  BitN: 0x68,
  DecimalN: 0x6a,
  NumericN: 0x6c,
  FltN: 0x6d,
  MoneyN: 0x6e,
  DateTimN: 0x6f,
  Image: 0x22,
  Text: 0x23,
  NText: 0x63,
  Variant: 0x62,
  BigVarBinary: 0xa5,
  BigVarChar: 0xa7,
  BigBinary: 0xad,
  BigChar: 0xaf,
  NVarChar: 0xe7,
  NChar: 0xef,
} as const;

/** Max-length marker of a (n)varchar(max)/varbinary(max) TYPE_INFO: values travel as PLP. */
export const PLP_MARKER = 0xffff;
export const PLP_NULL = 0xffffffffffffffffn;
export const PLP_UNKNOWN_LENGTH = 0xfffffffffffffffen;

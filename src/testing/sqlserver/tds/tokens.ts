import type { ColumnDef, ServerMessage, SqlValue } from "../types";
import { BufferWriter } from "./buffer-writer";
import { EnvChangeType, TDS_VERSION_7_4, Token } from "./protocol";
import { writeTypeInfo, writeValue } from "./type-encoding";

/** Writers for the server's tokens (MS-TDS 2.2.7). Each appends to a BufferWriter. */

const COLUMN_FLAG_NULLABLE = 0x0001;
const COLUMN_FLAG_UPDATEABLE_UNKNOWN = 0x0008;

export function writeColMetadata(w: BufferWriter, columns: ColumnDef[]): void {
  w.u8(Token.ColMetadata).u16le(columns.length);
  for (const column of columns) {
    const flags = (column.nullable === false ? 0 : COLUMN_FLAG_NULLABLE) | COLUMN_FLAG_UPDATEABLE_UNKNOWN;
    w.u32le(0).u16le(flags);
    writeTypeInfo(w, column.type);
    w.bVarchar(column.name);
  }
}

export function writeRow(w: BufferWriter, columns: ColumnDef[], row: SqlValue[]): void {
  w.u8(Token.Row);
  columns.forEach((column, i) => writeValue(w, column.type, row[i] ?? null));
}

export type DoneToken = typeof Token.Done | typeof Token.DoneProc | typeof Token.DoneInProc;

export function writeDone(w: BufferWriter, token: DoneToken, status: number, rowCount = 0, curCmd = 0): void {
  w.u8(token).u16le(status).u16le(curCmd).u64le(BigInt(rowCount));
}

/** ERROR (severity ≥ 11) or INFO token. */
export function writeMessage(w: BufferWriter, message: ServerMessage, serverName: string): void {
  const body = new BufferWriter(64)
    .i32le(message.number)
    .u8(message.state & 0xff)
    .u8(message.severity & 0xff)
    .usVarchar(message.message)
    .bVarchar(serverName)
    .bVarchar(message.procName ?? "")
    .i32le(message.lineNumber ?? 1)
    .toBuffer();
  w.u8(message.severity > 10 ? Token.Error : Token.Info)
    .u16le(body.length)
    .bytes(body);
}

function writeEnvChange(w: BufferWriter, body: Buffer): void {
  w.u8(Token.EnvChange).u16le(body.length).bytes(body);
}

/** ENVCHANGE of a string-valued property (database, language, packet size). */
export function writeEnvChangeText(
  w: BufferWriter,
  type: typeof EnvChangeType.Database | typeof EnvChangeType.Language | typeof EnvChangeType.PacketSize,
  newValue: string,
  oldValue: string,
): void {
  writeEnvChange(w, new BufferWriter(64).u8(type).bVarchar(newValue).bVarchar(oldValue).toBuffer());
}

export function writeEnvChangeCollation(w: BufferWriter, collation: Buffer): void {
  writeEnvChange(w, new BufferWriter(16).u8(EnvChangeType.Collation).bVarbyte(collation).u8(0).toBuffer());
}

/** ENVCHANGE for a transaction starting (new descriptor) or ending (old descriptor). */
export function writeEnvChangeTransaction(
  w: BufferWriter,
  type:
    | typeof EnvChangeType.BeginTransaction
    | typeof EnvChangeType.CommitTransaction
    | typeof EnvChangeType.RollbackTransaction,
  descriptor: Buffer,
): void {
  const empty = Buffer.alloc(0);
  const [newValue, oldValue] =
    type === EnvChangeType.BeginTransaction ? [descriptor, empty] : [empty, descriptor];
  writeEnvChange(w, new BufferWriter(24).u8(type).bVarbyte(newValue).bVarbyte(oldValue).toBuffer());
}

export function writeLoginAck(
  w: BufferWriter,
  programName: string,
  productVersion: string,
  tdsVersion = TDS_VERSION_7_4,
): void {
  const [major = 0, minor = 0, build = 0] = productVersion.split(".").map(Number);
  const body = new BufferWriter(64)
    .u8(1) // interface: SQL_TSQL
    .u32be(tdsVersion)
    .bVarchar(programName)
    .u8(major)
    .u8(minor)
    .u8((build >> 8) & 0xff)
    .u8(build & 0xff)
    .toBuffer();
  w.u8(Token.LoginAck).u16le(body.length).bytes(body);
}

export function writeReturnStatus(w: BufferWriter, value: number): void {
  w.u8(Token.ReturnStatus).i32le(value);
}

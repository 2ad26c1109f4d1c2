import type { RpcParam } from "../types";
import { skipAllHeaders } from "./all-headers";
import { BufferReader } from "./buffer-reader";
import { readParamValue } from "./type-decoding";

export interface RpcRequest {
  procName: string;
  /** OptionFlags: 0x01 WithRecomp, 0x02 NoMetaData. */
  optionFlags: number;
  params: RpcParam[];
}

/** Well-known procedure ids (MS-TDS 2.2.6.6). */
const SPECIAL_PROCEDURES: Record<number, string> = {
  1: "sp_cursor",
  2: "sp_cursoropen",
  3: "sp_cursorprepare",
  4: "sp_cursorexecute",
  5: "sp_cursorprepexec",
  6: "sp_cursorunprepare",
  7: "sp_cursorfetch",
  8: "sp_cursoroption",
  9: "sp_cursorclose",
  10: "sp_executesql",
  11: "sp_prepare",
  12: "sp_execute",
  13: "sp_prepexec",
  14: "sp_prepexecrpc",
  15: "sp_unprepare",
};

const PROC_ID_MARKER = 0xffff;
const STATUS_BY_REF = 0x01;
/** Bytes that separate batched RPCs in one message (0xFF in TDS 7.2+, 0x80 before). */
const BATCH_SEPARATORS = new Set([0xff, 0x80]);

/** Parses an RPC request message. Only the first RPC of a batched request is read. */
export function parseRpc(data: Buffer, hasAllHeaders = true): RpcRequest {
  const r = new BufferReader(data);
  if (hasAllHeaders) skipAllHeaders(r);
  const nameLength = r.u16le();
  let procName: string;
  if (nameLength === PROC_ID_MARKER) {
    const id = r.u16le();
    procName = SPECIAL_PROCEDURES[id] ?? `#${id}`;
  } else {
    procName = r.ucs2(nameLength);
  }
  const optionFlags = r.u16le();
  const params: RpcParam[] = [];
  while (r.remaining > 0) {
    const next = data[r.offset];
    if (BATCH_SEPARATORS.has(next)) break;
    const name = r.bVarchar();
    const status = r.u8();
    const { type, value } = readParamValue(r);
    params.push({ name, type, value, output: (status & STATUS_BY_REF) !== 0 });
  }
  return { procName, optionFlags, params };
}

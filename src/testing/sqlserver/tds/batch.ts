import { skipAllHeaders } from "./all-headers";
import { BufferReader } from "./buffer-reader";

/** SQL batch payload: ALL_HEADERS (TDS 7.2+) then the text in UCS-2LE. */
export function parseSqlBatch(data: Buffer, hasAllHeaders = true): string {
  const r = new BufferReader(data);
  if (hasAllHeaders) skipAllHeaders(r);
  return r.rest().toString("utf16le");
}

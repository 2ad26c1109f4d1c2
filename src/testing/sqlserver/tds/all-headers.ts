import { BufferReader } from "./buffer-reader";

/**
 * Skips ALL_HEADERS at the start of a batch or RPC (TDS 7.2+): a u32 total
 * length that includes itself. The transaction descriptor inside is not used
 * because the engine tracks transactions per session.
 */
export function skipAllHeaders(r: BufferReader): void {
  const start = r.offset;
  if (r.remaining < 4) return;
  const total = r.u32le();
  if (total < 4 || start + total > start + r.remaining + 4) {
    throw new Error(`Invalid ALL_HEADERS length ${total}`);
  }
  r.offset = start + total;
}

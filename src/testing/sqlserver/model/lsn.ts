/**
 * Log sequence numbers. SQL Server shows them as numeric(25,0): virtual log
 * file number × 10^15 + block offset × 10^5 + slot. The emulated log writes
 * one block per tick.
 */
export const INITIAL_LSN = "37000000001600001";
/** One log block. */
export const LSN_STEP = 100000n;

export function lsnAdd(lsn: string, blocks: number | bigint): string {
  return (BigInt(lsn) + BigInt(blocks) * LSN_STEP).toString();
}

/** Blocks between two LSNs (≥ 0). */
export function lsnBlocksBetween(from: string, to: string): number {
  const d = (BigInt(to) - BigInt(from)) / LSN_STEP;
  return d > 0n ? Number(d) : 0;
}

export function lsnMax(a: string, b: string): string {
  return BigInt(a) >= BigInt(b) ? a : b;
}

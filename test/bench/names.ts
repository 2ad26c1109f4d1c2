/** Database names the benchmark links: Db001, Db002, ... (valid, distinct, sortable). */
export function benchDatabaseNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `Db${String(i + 1).padStart(3, "0")}`);
}

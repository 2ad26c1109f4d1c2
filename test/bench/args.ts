/** The command line of `npm run bench` (see main.ts). */
export interface BenchArgs {
  /** `--json`: one JSON document instead of a table. */
  json: boolean;
  /** `--quick`: small sizes, no latency (a smoke run: shape, not goals). */
  quick: boolean;
  /** `--repeats N`: runs per size of the end to end, alternated with the baseline's. Default 3; 1 with `--quick`. */
  repeats: number;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const quick = argv.includes("--quick");
  const at = argv.indexOf("--repeats");
  let repeats = quick ? 1 : 3;
  if (at >= 0) {
    repeats = Number(argv[at + 1]);
    if (!Number.isInteger(repeats) || repeats < 1)
      throw new Error(
        `--repeats needs a whole number of runs, at least 1 (got ${argv[at + 1] ?? "nothing"})`,
      );
  }
  return { json: argv.includes("--json"), quick, repeats };
}

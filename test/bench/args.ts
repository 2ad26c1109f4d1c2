/** The command line of `npm run bench` (see main.ts). */
import { DEFAULTS } from "../../src/components/args";

export interface BenchArgs {
  /** `--json`: one JSON document instead of a table. */
  json: boolean;
  /** `--quick`: small sizes, no latency (a smoke run: shape, not goals). */
  quick: boolean;
  /** `--repeats N`: runs per size of the end to end, alternated with the baseline's. Default 3; 1 with `--quick`. */
  repeats: number;
  /**
   * `--links 1,10,12`: the end to end's sizes, ascending, at least two (the per-database round trips are
   * the difference between the smallest and the largest). Default 1 and 10; 1 and 2 with `--quick`.
   */
  links: number[];
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const quick = argv.includes("--quick");
  const repeatsValue = valueOf(argv, "--repeats");
  let repeats = quick ? 1 : 3;
  if (repeatsValue !== undefined) {
    repeats = Number(repeatsValue);
    if (!Number.isInteger(repeats) || repeats < 1)
      throw new Error(
        `--repeats needs a whole number of runs, at least 1 (got ${repeatsValue || "nothing"})`,
      );
  }
  const linksValue = valueOf(argv, "--links");
  const links = linksValue === undefined ? (quick ? [1, 2] : [1, 10]) : parseLinks(linksValue);
  return { json: argv.includes("--json"), quick, repeats, links };
}

/** The word after `flag`: undefined without the flag, "" when nothing follows it. */
function valueOf(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at < 0 ? undefined : (argv[at + 1] ?? "");
}

function parseLinks(value: string): number[] {
  const sizes = value.split(",").map((part) => Number(part.trim()));
  const distinct = [...new Set(sizes)].sort((a, b) => a - b);
  if (
    value.trim() === "" ||
    sizes.some((n) => !Number.isInteger(n) || n < 1 || n > DEFAULTS.maxLinks) ||
    distinct.length < 2
  )
    throw new Error(
      `--links needs at least two different numbers of links from 1 to ${DEFAULTS.maxLinks}, comma-separated, ` +
        `such as 1,10,12 (got ${value || "nothing"})`,
    );
  return distinct;
}

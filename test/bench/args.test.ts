import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "./args";

describe("npm run bench's command line", () => {
  it("runs 1 and 10 links 3 times each; 1 and 2 links once with --quick", () => {
    expect(parseBenchArgs([])).toEqual({ json: false, quick: false, repeats: 3, links: [1, 10] });
    expect(parseBenchArgs(["--quick", "--json"])).toEqual({
      json: true,
      quick: true,
      repeats: 1,
      links: [1, 2],
    });
  });

  it("takes --repeats N, with --quick too", () => {
    expect(parseBenchArgs(["--repeats", "6"]).repeats).toBe(6);
    expect(parseBenchArgs(["--quick", "--repeats", "2"]).repeats).toBe(2);
  });

  it.each([["0"], ["2.5"], ["six"], [undefined]])("refuses --repeats %s, naming the flag", (value) => {
    const argv = value === undefined ? ["--repeats"] : ["--repeats", value];
    expect(() => parseBenchArgs(argv)).toThrow(/^--repeats needs a whole number of runs, at least 1/);
  });

  it("takes --links as sizes, sorted and without repeats", () => {
    expect(parseBenchArgs(["--links", "12,1,10,10"]).links).toEqual([1, 10, 12]);
    expect(parseBenchArgs(["--quick", "--links", "1, 3"]).links).toEqual([1, 3]);
  });

  it.each([["10"], ["1,1"], ["0,10"], ["1,101"], ["1,2.5"], ["1,ten"], ["1,,10"], [undefined]])(
    "refuses --links %s, naming the flag",
    (value) => {
      const argv = value === undefined ? ["--links"] : ["--links", value];
      expect(() => parseBenchArgs(argv)).toThrow(/^--links needs at least two different numbers of links/);
    },
  );
});

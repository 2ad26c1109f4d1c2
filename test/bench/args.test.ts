import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "./args";

describe("npm run bench's command line", () => {
  it("runs the end to end 3 times per size, once with --quick", () => {
    expect(parseBenchArgs([])).toEqual({ json: false, quick: false, repeats: 3 });
    expect(parseBenchArgs(["--quick", "--json"])).toEqual({ json: true, quick: true, repeats: 1 });
  });

  it("takes --repeats N, with --quick too", () => {
    expect(parseBenchArgs(["--repeats", "6"]).repeats).toBe(6);
    expect(parseBenchArgs(["--quick", "--repeats", "2"]).repeats).toBe(2);
  });

  it.each([["0"], ["2.5"], ["six"], [undefined]])("refuses --repeats %s, naming the flag", (value) => {
    const argv = value === undefined ? ["--repeats"] : ["--repeats", value];
    expect(() => parseBenchArgs(argv)).toThrow(/^--repeats needs a whole number of runs, at least 1/);
  });
});

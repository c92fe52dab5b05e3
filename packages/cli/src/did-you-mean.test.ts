import { describe, expect, it } from "vitest";
import { didYouMean } from "./did-you-mean.js";

describe("didYouMean", () => {
  const options = ["--raw", "--json", "--verbose", "--quiet", "--tool-timeout", "--idle-timeout"];

  it("suggests close names, best first", () => {
    expect(didYouMean("--jsno", options)).toEqual(["--json"]);
    expect(didYouMean("--tool-timout", options)).toEqual(["--tool-timeout"]);
    expect(didYouMean("--verb", options)).toEqual(["--verbose"]);
  });

  it("suggests nothing for unrelated words", () => {
    expect(didYouMean("--text", options)).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { editDistance } from "./edit-distance.js";

describe("editDistance", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("", "")).toBe(0);
    expect(editDistance("add", "add")).toBe(0);
    expect(editDistance("ad", "add")).toBe(1);
    expect(editDistance("adds", "add")).toBe(1);
    expect(editDistance("adx", "add")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("ehco", "echo")).toBe(1);
    expect(editDistance("--jsno", "--json")).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { globToRegExp } from "./glob.js";

describe("globToRegExp", () => {
  it("matches * as any run of characters, including none and newlines", () => {
    const glob = globToRegExp("read_*");
    expect(glob.test("read_")).toBe(true);
    expect(glob.test("read_file")).toBe(true);
    expect(glob.test("read_\nfile")).toBe(true);
    expect(glob.test("xread_file")).toBe(false);
  });

  it("matches ? as exactly one character (one code point)", () => {
    const glob = globToRegExp("get_?");
    expect(glob.test("get_a")).toBe(true);
    expect(glob.test("get_😀")).toBe(true);
    expect(glob.test("get_")).toBe(false);
    expect(glob.test("get_ab")).toBe(false);
  });

  it("treats RegExp syntax as literal text", () => {
    expect(globToRegExp("a.b").test("axb")).toBe(false);
    expect(globToRegExp("a.b").test("a.b")).toBe(true);
    expect(globToRegExp("(x|y)+[z]{2}^$\\").test("(x|y)+[z]{2}^$\\")).toBe(true);
    expect(globToRegExp("(x|y)").test("x")).toBe(false);
  });

  it("is anchored at both ends", () => {
    expect(globToRegExp("file").test("files")).toBe(false);
    expect(globToRegExp("file").test("a file")).toBe(false);
  });
});

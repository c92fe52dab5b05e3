import { describe, expect, it } from "vitest";
import { displayWidth } from "./display-width.js";
import { formatTable } from "./format.js";

describe("displayWidth", () => {
  it("counts printable ASCII one column per character", () => {
    expect(displayWidth("")).toBe(0);
    expect(displayWidth("node server.mjs --port 80")).toBe(25);
  });

  it("counts East Asian wide characters and emoji as two columns", () => {
    expect(displayWidth("日本語")).toBe(6);
    expect(displayWidth("한국어")).toBe(6);
    expect(displayWidth("ＡＢ")).toBe(4);
    expect(displayWidth("👍")).toBe(2);
    // One grapheme each: skin tone, ZWJ family, flag, keycap, text heart made emoji.
    expect(displayWidth("👍🏽")).toBe(2);
    expect(displayWidth("👨‍👩‍👧")).toBe(2);
    expect(displayWidth("🇩🇪")).toBe(2);
    expect(displayWidth("1️⃣")).toBe(2);
    expect(displayWidth("❤️")).toBe(2);
    expect(displayWidth("a日b")).toBe(4);
  });

  it("counts combining marks and zero-width characters as nothing", () => {
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("Z\u0351\u036b\u0343")).toBe(1);
    expect(displayWidth("a\u200bb")).toBe(2);
    expect(displayWidth("\u0301")).toBe(0);
    expect(displayWidth("é")).toBe(1);
    expect(displayWidth("❤")).toBe(1);
  });

  it("counts terminal escapes and control characters as nothing", () => {
    expect(displayWidth("\x1b[31mred\x1b[0m")).toBe(3);
    expect(displayWidth("\x1b]0;title\x07ok")).toBe(2);
    expect(displayWidth("a\x00b\x7f")).toBe(2);
    expect(displayWidth("\u202eevil")).toBe(4);
  });
});

describe("formatTable", () => {
  it("aligns columns by display width, not string length", () => {
    const lines = formatTable([
      ["NAME", "STATE", "SERVER"],
      ["日本", "ready", "a"],
      ["\x1b[1mab\x1b[0m", "busy", "b"],
      ["abcdef", "x", "c"],
    ]);
    expect(lines).toEqual([
      "NAME    STATE  SERVER",
      "日本    ready  a",
      "\x1b[1mab\x1b[0m      busy   b",
      "abcdef  x      c",
    ]);
  });

  it("lays out ASCII as padEnd would and leaves the last column unpadded", () => {
    expect(
      formatTable([
        ["a", "bb", "last"],
        ["ccc", "d", ""],
      ]),
    ).toEqual(["a    bb  last", "ccc  d"]);
  });
});

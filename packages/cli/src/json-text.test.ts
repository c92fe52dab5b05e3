import { describe, expect, it } from "vitest";
import { looksLikeJsonDocument, reindentJson } from "./json-text.js";

describe("reindentJson", () => {
  const text =
    '{ "a" : [1, 2.50, 12345678901234567890], "s": "x, {y}: \\"z\\"", "e": {}, "l": [ ] }';

  it("compacts without changing numbers, strings or key order", () => {
    expect(reindentJson(text, 0)).toBe(
      '{"a":[1,2.50,12345678901234567890],"s":"x, {y}: \\"z\\"","e":{},"l":[]}',
    );
  });

  it("pretty-prints with two spaces", () => {
    expect(reindentJson(text, 2)).toBe(
      '{\n  "a": [\n    1,\n    2.50,\n    12345678901234567890\n  ],\n  "s": "x, {y}: \\"z\\"",\n  "e": {},\n  "l": []\n}',
    );
  });

  it("gives the same value as JSON.parse", () => {
    const value = { n: null, t: true, f: false, nested: [{ k: "v" }], u: "ü\\n" };
    const json = JSON.stringify(value, null, 3);
    expect(JSON.parse(reindentJson(json, 0))).toEqual(value);
    expect(JSON.parse(reindentJson(json, 2))).toEqual(value);
  });
});

describe("looksLikeJsonDocument", () => {
  it("accepts objects and arrays only", () => {
    expect(looksLikeJsonDocument('{"a":1}')).toBe(true);
    expect(looksLikeJsonDocument(" [1]")).toBe(true);
    expect(looksLikeJsonDocument("5")).toBe(false);
    expect(looksLikeJsonDocument('"s"')).toBe(false);
    expect(looksLikeJsonDocument("{not json}")).toBe(false);
  });
});

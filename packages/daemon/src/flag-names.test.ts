import { describe, expect, it } from "vitest";
import { buildFlagIndex, isReservedProperty } from "./flag-names.js";

const index = buildFlagIndex([
  ["maxResults", { type: "integer" }],
  ["URLPath", { type: "string" }],
  ["verbose", { type: "boolean" }],
  ["count", { type: "integer" }],
  ["no-cache", { type: "boolean" }],
  ["_private", { type: "string" }],
  ["json", { type: "string" }],
  ["constructor", { type: "string" }],
]);

describe("buildFlagIndex", () => {
  it("shows kebab-case flags when they lead back to one property", () => {
    expect(index.flagOf("maxResults")).toBe("max-results");
    expect(index.flagOf("URLPath")).toBe("url-path");
    expect(index.flagOf("_private")).toBe("_private");
    expect(index.flagOf("json")).toBeUndefined();
    expect(index.flagOf("constructor")).toBeUndefined();
  });

  it("keeps exact names when variants collide", () => {
    const clash = buildFlagIndex([
      ["max_results", {}],
      ["maxResults", {}],
    ]);
    expect(clash.flagOf("max_results")).toBe("max_results");
    expect(clash.flagOf("maxResults")).toBe("maxResults");
    expect(clash.resolve("max-results")).toEqual({
      kind: "ambiguous",
      properties: ["max_results", "maxResults"],
    });
  });

  it("resolves exact names, variants and --no- forms", () => {
    expect(index.resolve("max_results")).toEqual({
      kind: "property",
      property: "maxResults",
      negated: false,
    });
    expect(index.resolve("no-verbose")).toEqual({
      kind: "property",
      property: "verbose",
      negated: true,
    });
    expect(index.resolve("no-cache")).toEqual({
      kind: "property",
      property: "no-cache",
      negated: false,
    });
    expect(index.resolve("no-count")).toEqual({ kind: "not-boolean", property: "count" });
    expect(index.resolve("nope")).toEqual({ kind: "none" });
  });

  it("marks prototype keys and json as reserved", () => {
    expect(index.resolve("__proto__")).toEqual({ kind: "reserved", property: "__proto__" });
    expect(index.resolve("constructor")).toEqual({ kind: "reserved", property: "constructor" });
    expect(index.resolve("JSON")).toEqual({ kind: "reserved", property: "json" });
    expect(index.resolve("toString")).toEqual({ kind: "none" });
    expect(isReservedProperty("prototype")).toBe(true);
  });

  it("lists flags for suggestions and recognises flag tokens", () => {
    expect(index.allFlags()).toContain("--no-verbose");
    expect(index.allFlags()).not.toContain("--no-count");
    expect(index.isFlagToken("--count=3")).toBe(true);
    expect(index.isFlagToken("--json")).toBe(true);
    expect(index.isFlagToken("--no-verbose")).toBe(true);
    expect(index.isFlagToken("--other")).toBe(false);
    expect(index.isFlagToken("-3")).toBe(false);
    expect(index.isFlagToken("--")).toBe(false);
  });
});

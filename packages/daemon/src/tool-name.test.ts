import { McpwardError } from "@mcpward/core";
import { describe, expect, it } from "vitest";
import { findTool, normaliseToolName, suggest } from "./tool-name.js";

const tools = [
  { name: "get_weather" },
  { name: "search" },
  { name: "__proto__" },
  { name: "constructor" },
  { name: "toString" },
  { name: "list-files" },
];

function failure(list: readonly { name: string }[], requested: string): McpwardError {
  try {
    findTool(list, requested);
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`expected ${requested} not to be found`);
}

describe("normaliseToolName", () => {
  it("makes kebab, snake and camel variants equal", () => {
    for (const name of ["get-weather", "get_weather", "getWeather", "GetWeather", "GET_WEATHER"]) {
      expect(normaliseToolName(name)).toBe("getweather");
    }
  });
});

describe("findTool", () => {
  it("finds exact names first, then the unique variant", () => {
    expect(findTool(tools, "get_weather").name).toBe("get_weather");
    expect(findTool(tools, "get-weather").name).toBe("get_weather");
    expect(findTool(tools, "getWeather").name).toBe("get_weather");
    expect(findTool(tools, "listFiles").name).toBe("list-files");
  });

  it("prefers an exact match over variants", () => {
    const list = [{ name: "get_weather" }, { name: "get-weather" }];
    expect(findTool(list, "get-weather")).toBe(list[1]);
  });

  it("treats prototype names as plain names", () => {
    expect(findTool(tools, "__proto__").name).toBe("__proto__");
    expect(findTool(tools, "constructor").name).toBe("constructor");
    expect(findTool(tools, "to-string").name).toBe("toString");
    expect(failure([{ name: "a" }], "constructor").code).toBe("UNKNOWN_TOOL");
    expect(failure([{ name: "a" }], "__proto__").code).toBe("UNKNOWN_TOOL");
    expect(failure([{ name: "a" }], "hasOwnProperty").code).toBe("UNKNOWN_TOOL");
  });

  it("refuses ambiguous variants and names the candidates", () => {
    const list = [{ name: "get_weather" }, { name: "getWeather" }];
    const error = failure(list, "get-weather");
    expect(error.code).toBe("UNKNOWN_TOOL");
    expect(error.message).toContain("ambiguous");
    expect(error.data?.candidates).toEqual(["get_weather", "getWeather"]);
  });

  it("suggests close names for an unknown tool", () => {
    const error = failure(tools, "get_wether");
    expect(error.message).toContain('did you mean "get_weather"?');
    expect(error.data?.suggestions).toEqual(["get_weather"]);
    expect(failure(tools, "zzzzzz").message).toContain("check the name");
  });

  it("keeps the message on one line for hostile names", () => {
    expect(failure(tools, "a\nb\u001b[31m").message).not.toMatch(/[\n\u001b]/);
  });

  it("finds nothing in an empty list", () => {
    expect(failure([], "x").code).toBe("UNKNOWN_TOOL");
  });
});

describe("suggest", () => {
  it("ranks by Damerau-Levenshtein distance, swaps counting once", () => {
    expect(suggest("serach", ["fetch", "reach", "search"])).toEqual(["search", "reach"]);
    expect(suggest("lsit", ["list", "lift"])).toEqual(["list"]);
    expect(suggest("colour", ["color", "colors", "volume"])).toEqual(["color", "colors"]);
  });

  it("includes candidates the word is a prefix of", () => {
    expect(suggest("max", ["max-results", "min"])).toEqual(["max-results"]);
  });

  it("returns at most three, without duplicates", () => {
    expect(suggest("ab", ["ab", "ab", "ac", "ad", "ae", "af"])).toHaveLength(3);
    expect(suggest("ab", ["ab", "ab"])).toEqual(["ab"]);
  });

  it("stays quiet when nothing is close, and for empty words", () => {
    expect(suggest("weather", ["search", "list"])).toEqual([]);
    expect(suggest("", ["a"])).toEqual([]);
    expect(suggest("--", ["a"])).toEqual([]);
  });

  it("compares in normalised form", () => {
    expect(suggest("--max_result", ["--max-results"])).toEqual(["--max-results"]);
  });

  it("copes with very long words", () => {
    expect(suggest("a".repeat(100_000), ["a".repeat(100_000), "b"])).toEqual([]);
  });
});

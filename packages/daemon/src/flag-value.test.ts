import { McpwardError } from "@mcpward/core";
import { describe, expect, it } from "vitest";
import { coerceValue, type Fail, readValueText } from "./flag-value.js";

const fail: Fail = (expected) => {
  throw new Error(`expected ${expected}`);
};

describe("coerceValue", () => {
  it("matches untyped enum members by their text", () => {
    const schema = { enum: [1, "a", null, true] };
    expect(coerceValue("1", schema, fail)).toBe(1);
    expect(coerceValue("a", schema, fail)).toBe("a");
    expect(coerceValue("null", schema, fail)).toBeNull();
    expect(coerceValue("true", schema, fail)).toBe(true);
    expect(() => coerceValue("b", schema, fail)).toThrow("one of: 1|a|null|true");
  });

  it("compares typed numeric enums by value", () => {
    expect(coerceValue("2.0", { type: "integer", enum: [1, 2] }, fail)).toBe(2);
    expect(() => coerceValue("3", { type: "integer", enum: [1, 2] }, fail)).toThrow("one of: 1|2");
  });

  it("shortens a long list of choices", () => {
    const choices = Array.from({ length: 30 }, (_, i) => `c${i}`);
    expect(() => coerceValue("x", { enum: choices }, fail)).toThrow("(18 more, see --help)");
  });

  it("refuses JSON nested deeper than the cap", () => {
    const deep = `${"[".repeat(100)}${"]".repeat(100)}`;
    expect(() => coerceValue(deep, { type: "array" }, fail)).toThrow("nested at most 64 deep");
    expect(coerceValue(deep, {}, fail)).toBe(deep);
  });

  it("checks nullable items inside JSON arrays", () => {
    const schema = { type: "array", items: { type: ["integer", "null"] } };
    expect(coerceValue("[1, null]", schema, fail)).toEqual([1, null]);
    expect(() =>
      coerceValue("[null]", { type: "array", items: { type: "integer" } }, fail),
    ).toThrow();
  });
});

describe("readValueText", () => {
  const unreadable = (file: string, why: string): never => {
    throw new Error(`unreadable ${file}${why}`);
  };

  it("passes an McpwardError from the reader through unchanged", () => {
    const io = {
      cwd: "/",
      readFile: (): string => {
        throw new McpwardError("LIMIT_EXCEEDED", "too big");
      },
    };
    expect(() => readValueText("@big", { type: "string" }, io, unreadable)).toThrow("too big");
  });

  it("resolves paths against cwd and keeps absolute paths", () => {
    const seen: string[] = [];
    const io = {
      cwd: "/home/u",
      readFile: (path: string): string => {
        seen.push(path);
        return " 5 ";
      },
    };
    expect(readValueText("@a/b.txt", { type: "integer" }, io, unreadable)).toEqual({
      text: "5",
      file: "a/b.txt",
    });
    readValueText("@/etc/x", {}, io, unreadable);
    expect(seen).toEqual(["/home/u/a/b.txt", "/etc/x"]);
  });
});

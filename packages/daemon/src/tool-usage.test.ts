import { describe, expect, it } from "vitest";
import { renderUsageLine, shellQuote } from "./tool-usage.js";

describe("renderUsageLine", () => {
  it("lists required flags first and brackets optional ones", () => {
    const tool = {
      name: "echo",
      inputSchema: {
        properties: {
          count: { type: "integer" },
          text: { type: "string" },
          loud: { type: "boolean" },
        },
        required: ["text"],
      },
    };
    expect(renderUsageLine(tool)).toBe(
      "usage: mcpward echo --text <string> [--count <integer>] [--loud]",
    );
  });

  it("names long enums generically", () => {
    const tool = { name: "t", inputSchema: { properties: { c: { enum: ["a".repeat(40), "b"] } } } };
    expect(renderUsageLine(tool)).toBe("usage: mcpward t [--c <choice>]");
  });
});

describe("shellQuote", () => {
  it("quotes only when needed and escapes single quotes", () => {
    expect(shellQuote("get_weather")).toBe("get_weather");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("x\u001b[31m")).toBe("x");
  });
});

import { describe, expect, it } from "vitest";
import { buildFlagIndex } from "./flag-names.js";
import { parseToolArguments } from "./flag-parser.js";
import { schemaProperties } from "./schema-types.js";
import { exampleTokens } from "./tool-examples.js";
import { type HelpTool, renderToolHelp, renderToolList } from "./tool-help.js";

const allTypes: HelpTool = {
  name: "all_types",
  title: "All types",
  description:
    "Takes one parameter of every JSON Schema type and returns the arguments it received as JSON with sorted keys.\n\n- first point\n- second point",
  inputSchema: {
    type: "object",
    properties: {
      name: { type: "string", description: "A required string" },
      count: { type: "integer", description: "An integer", default: 1, minimum: 0 },
      ratio: { type: "number", description: "A number" },
      verbose: { type: "boolean", description: "A boolean flag" },
      mode: { type: "string", enum: ["fast", "slow", "safe"], default: "fast" },
      tags: { type: "array", items: { type: "string" } },
      levels: { type: "array", items: { enum: ["low", "high"] } },
      config: { type: "object", description: "A free-form object" },
      maxResults: { type: "integer", maximum: 50, description: "word ".repeat(40) },
      json: { type: "string" },
    },
    required: ["name", "mode"],
  },
  outputSchema: { type: "object", properties: { sum: { type: "number" } } },
  annotations: { readOnlyHint: true, destructiveHint: false },
};

describe("renderToolHelp", () => {
  const help = renderToolHelp(allTypes, "node echo.mjs");

  it("starts with the title and the usage line including the server", () => {
    const [title, usage] = help.split("\n");
    expect(title).toBe("all_types: All types");
    expect(usage).toBe(
      "usage: mcpward all_types --name <string> --mode <fast|slow|safe> [--count <integer>] [--ratio <number>] [--verbose] [--tags <string>...] [--levels <low|high>...] [--config <json>] [--max-results <integer>] -- node echo.mjs",
    );
  });

  it("keeps the description's own line breaks", () => {
    expect(help).toContain("- first point\n- second point");
  });

  it("lists each flag with its type, requirement or default, and range", () => {
    expect(help).toMatch(/\n {2}--name +string +required\n {6}A required string\n/);
    expect(help).toMatch(/\n {2}--count +integer +default: 1, min 0\n/);
    expect(help).toMatch(/\n {2}--mode +one of: fast\|slow\|safe +required\n/);
    expect(help).toMatch(/\n {2}--levels +\(low\|high\)\[\] +optional\n/);
    expect(help).toMatch(/\n {2}--max-results +integer +optional, max 50\n/);
  });

  it("wraps long text at 80 columns", () => {
    for (const line of help.split("\n")) {
      if (!line.startsWith("usage:") && !line.startsWith("  mcpward ")) {
        expect(line.length).toBeLessThanOrEqual(80);
      }
    }
  });

  it("explains arrays, objects, booleans, @file and --json", () => {
    expect(help).toContain("repeat the flag (--tags a --tags b)");
    expect(help).toContain(`--config '{"key": "value"}'`);
    expect(help).toContain("--no-verbose or --verbose=false");
    expect(help).toContain("@path reads the value from a file");
    expect(help).toContain(`--json '{"name":"example","mode":"fast"}'`);
    expect(help).toContain('Only inside --json (no flag of their own): "json".');
  });

  it("summarises the output schema and the server's hints", () => {
    expect(help).toContain("Output (structured): object with sum (number)");
    expect(help).toContain("Hints from the server (not verified): read-only, not destructive.");
  });

  it("gives examples with real flags, the first enum value and the server", () => {
    expect(help).toContain("  mcpward all_types --name example --mode fast -- node echo.mjs\n");
    expect(help).toContain(
      "  mcpward all_types --name example --mode fast --count 3 --ratio 1.5 -- node echo.mjs\n",
    );
  });

  it("strips terminal escapes from server text", () => {
    const text = renderToolHelp(
      {
        name: "evil\u001b[2J",
        description: "hi \u001b]52;c;ZXZpbA==\u0007there",
        inputSchema: {
          properties: { "x\u001b[31m": { type: "string", description: "\u001b[31mred" } },
        },
      },
      "srv",
    );
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain("hi there");
  });

  it("says when a tool takes no flags, and skips the notes", () => {
    const text = renderToolHelp({ name: "ping", inputSchema: { type: "object" } }, "srv");
    expect(text).toContain("This tool takes no flags.");
    expect(text).not.toContain("Notes:");
    expect(text).toContain("  mcpward ping -- srv\n");
  });

  it("survives malformed schemas and prototype-key names", () => {
    for (const inputSchema of [
      undefined,
      null,
      7,
      { properties: "x" },
      { properties: { __proto__: 1 } },
    ]) {
      expect(renderToolHelp({ name: "t", inputSchema }, "srv")).toContain("usage: mcpward t");
    }
    const tool = {
      name: "__proto__",
      inputSchema: JSON.parse(
        '{"properties": {"__proto__": {"type": "string"}, "constructor": {}}}',
      ),
    };
    expect(renderToolHelp(tool, "srv")).toContain("usage: mcpward __proto__ -- srv");
  });
});

describe("generated examples", () => {
  const tools: HelpTool[] = [
    allTypes,
    {
      name: "fmt",
      inputSchema: {
        properties: {
          url: { type: "string", format: "uri" },
          when: { type: "string", format: "date-time" },
          n: { type: "integer", minimum: 10, maximum: 20 },
          x: { type: "number", maximum: 0 },
          filter: { type: "object", properties: { level: { type: "integer" } } },
          items: { type: "array", items: { type: "object" } },
          any: {},
        },
        required: ["url", "n", "x", "filter", "items", "any"],
      },
    },
    { name: "opt", inputSchema: { properties: { a: { type: "boolean" }, b: { enum: [2, 3] } } } },
  ];

  it.each(tools.map((tool) => [tool.name, tool]))("for %s parse back without errors", (_, tool) => {
    const index = buildFlagIndex(schemaProperties(tool.inputSchema));
    const examples = exampleTokens(tool, index, (word) => word);
    expect(examples.length).toBeGreaterThanOrEqual(1);
    for (const tokens of examples) {
      expect(() =>
        parseToolArguments(tokens, tool, { cwd: "/", readFile: () => "" }),
      ).not.toThrow();
    }
  });
});

describe("renderToolList", () => {
  it("aligns names with the first sentence of each description", () => {
    const text = renderToolList(
      [
        { name: "add", description: "Add two numbers. Returns the sum.", inputSchema: {} },
        {
          name: "get_weather",
          description: "Get the weather, e.g. for Paris.\nMore.",
          inputSchema: {},
        },
        { name: "bare", inputSchema: {} },
      ],
      "node echo.mjs",
    );
    expect(text).toBe(
      [
        "Tools on node echo.mjs:",
        "  add          Add two numbers.",
        "  get_weather  Get the weather, e.g. for Paris.",
        "  bare",
        "",
        "Details: mcpward <tool> --help -- node echo.mjs",
        "",
      ].join("\n"),
    );
  });

  it("cuts long sentences to fit 80 columns", () => {
    const text = renderToolList(
      [{ name: "t", description: "word ".repeat(100), inputSchema: {} }],
      "s",
    );
    expect(text.split("\n")[1]!.length).toBeLessThanOrEqual(80);
    expect(text).toContain("…");
  });

  it("says when the server has no tools", () => {
    expect(renderToolList([], "srv")).toBe("No tools on srv.\n");
  });
});

import { McpwardError } from "@mcpward/core";
import { describe, expect, it } from "vitest";
import { parseToolArguments } from "./flag-parser.js";

const allTypes = {
  name: "all_types",
  inputSchema: {
    type: "object",
    properties: {
      name: { type: "string" },
      count: { type: "integer", default: 1, minimum: 0 },
      ratio: { type: "number" },
      verbose: { type: "boolean" },
      mode: { type: "string", enum: ["fast", "slow", "safe"], default: "fast" },
      tags: { type: "array", items: { type: "string" } },
      nums: { type: "array", items: { type: "number" } },
      levels: { type: "array", items: { type: "string", enum: ["low", "high"] } },
      config: { type: "object", additionalProperties: true },
      maxResults: { type: "integer" },
      anything: {},
      maybe: { type: ["string", "null"] },
      choice: { anyOf: [{ type: "null" }, { type: "integer" }] },
    },
    required: ["name"],
  },
};

const files = new Map<string, string>([
  ["/work/dir/hello.txt", "hello\nworld\n"],
  ["/work/dir/n.txt", "42\n"],
  ["/work/dir/cfg.json", '{"a": 1}'],
  ["/work/dir/secret.txt", "hunter2-secret\n"],
]);
const io = {
  cwd: "/work/dir",
  readFile(path: string): string {
    const content = files.get(path);
    if (content === undefined)
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return content;
  },
};

function parse(tokens: string[], tool: { name: string; inputSchema: unknown } = allTypes) {
  return parseToolArguments(tokens, tool, io);
}

/** Runs a parse that must fail and returns the McpwardError. */
function failure(
  tokens: string[],
  tool: { name: string; inputSchema: unknown } = allTypes,
): McpwardError {
  try {
    parse(tokens, tool);
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(tokens)} to fail`);
}

describe("parseToolArguments: grammar", () => {
  it("reads --key value and --key=value into a null-prototype object", () => {
    const args = parse(["--name", "x", "--count=3"]);
    expect(Object.getPrototypeOf(args)).toBeNull();
    expect({ ...args }).toEqual({ name: "x", count: 3 });
  });

  it("matches flags by kebab, snake and camel variant", () => {
    for (const flag of ["--max-results", "--max_results", "--maxResults", "--MAX-RESULTS"]) {
      expect(parse(["--name", "x", flag, "5"]).maxResults).toBe(5);
    }
  });

  it("does not fill in schema defaults", () => {
    expect(Object.keys(parse(["--name", "x"]))).toEqual(["name"]);
  });

  it("treats booleans as --flag, --no-flag, --flag=true|false and --flag true|false", () => {
    expect(parse(["--name", "x", "--verbose"]).verbose).toBe(true);
    expect(parse(["--name", "x", "--no-verbose"]).verbose).toBe(false);
    expect(parse(["--name", "x", "--verbose=false"]).verbose).toBe(false);
    expect(parse(["--verbose", "false", "--name", "x"]).verbose).toBe(false);
    expect(parse(["--verbose", "--name", "x"]).verbose).toBe(true);
  });

  it("does not take a non-boolean word after a boolean flag", () => {
    const error = failure(["--name", "x", "--verbose", "yes"]);
    expect(error.code).toBe("USAGE");
    expect(error.message).toContain('unexpected argument "yes"');
  });

  it("rejects --flag= and other non-boolean text for a boolean", () => {
    const error = failure(["--name", "x", "--verbose="]);
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toContain("true or false");
  });

  it("rejects a value on --no-flag", () => {
    expect(failure(["--name", "x", "--no-verbose=true"]).code).toBe("USAGE");
  });

  it("rejects positional arguments and a lone --", () => {
    for (const token of ["stray", "-x", "--"]) {
      const error = failure(["--name", "x", token]);
      expect(error.code).toBe("USAGE");
      expect(error.message).toContain("tool flags are --name value");
    }
  });

  it("takes a value that starts with - unless it is one of the tool's flags", () => {
    expect(parse(["--name", "-x"]).name).toBe("-x");
    expect(parse(["--name", "--not-a-flag"]).name).toBe("--not-a-flag");
    expect(parse(["--name", "x", "--count", "-3"]).count).toBe(-3);
    expect(parse(["--name=--count"]).name).toBe("--count");
    const error = failure(["--name", "--count", "3"]);
    expect(error.code).toBe("USAGE");
    expect(error.message).toContain("--name needs a value");
  });

  it("reports a missing value at the end", () => {
    const error = failure(["--name"]);
    expect(error.code).toBe("USAGE");
    expect(error.message).toMatch(
      /--name needs a value: --name <string> \(see: mcpward all_types --help\)$/,
    );
  });

  it("accepts an empty string for a string flag", () => {
    expect(parse(["--name="]).name).toBe("");
  });

  it("keeps unicode values intact", () => {
    expect(parse(["--name", "héllo wörld 👋 \u202e"]).name).toBe("héllo wörld 👋 \u202e");
  });

  it("refuses a scalar flag given twice, also across variants and --no-", () => {
    for (const tokens of [
      ["--name", "a", "--name", "b"],
      ["--name", "a", "--max-results", "1", "--maxResults", "2"],
      ["--name", "a", "--verbose", "--no-verbose"],
    ]) {
      const error = failure(tokens);
      expect(error.code).toBe("USAGE");
      expect(error.message).toContain("given twice");
    }
  });

  it("rejects a flag without a name", () => {
    expect(failure(["--=x"]).code).toBe("USAGE");
  });
});

describe("parseToolArguments: numbers", () => {
  it("accepts integers, negative numbers and exact integers in exponent form", () => {
    expect(parse(["--name", "x", "--count", "1e3"]).count).toBe(1000);
    expect(parse(["--name", "x", "--count", "1.50e1"]).count).toBe(15);
    expect(parse(["--name", "x", "--count", "2.0"]).count).toBe(2);
    expect(parse(["--name", "x", "--count", "-0"]).count).toBe(0);
    expect(parse(["--name", "x", "--ratio", "-1.5e-3"]).ratio).toBe(-0.0015);
  });

  it.each([
    "1.5",
    "1e-1",
    "1.00000000000000001",
    "abc",
    "",
    "NaN",
    "Infinity",
    "0x10",
    "1_000",
    " 3",
    "3 ",
  ])("rejects %j for an integer", (value) => {
    const error = failure(["--name", "x", `--count=${value}`]);
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toContain(`for --count: expected an integer`);
    expect(error.message).toContain(JSON.stringify(value));
  });

  it.each(["abc", "", "NaN", "-Infinity", "1e400", ".", "-"])(
    "rejects %j for a number",
    (value) => {
      expect(failure(["--name", "x", `--ratio=${value}`]).code).toBe("INVALID_ARGUMENT");
    },
  );

  it("rejects integers too large to send exactly, but not large floats", () => {
    expect(failure(["--name", "x", "--count", "9007199254740993"]).message).toContain("between");
    expect(failure(["--name", "x", "--count", "1e300"]).code).toBe("INVALID_ARGUMENT");
    expect(parse(["--name", "x", "--ratio", "1e300"]).ratio).toBe(1e300);
  });

  it("truncates a long bad value in the message", () => {
    const error = failure(["--name", "x", "--count", `${"9".repeat(500)}x`]);
    expect(error.message.length).toBeLessThan(250);
    expect(error.message).toContain("…");
  });
});

describe("parseToolArguments: enums, arrays, objects", () => {
  it("checks enums and names the choices", () => {
    expect(parse(["--name", "x", "--mode", "slow"]).mode).toBe("slow");
    const error = failure(["--name", "x", "--mode", "turbo"]);
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toContain(
      'invalid value "turbo" for --mode: expected one of: fast|slow|safe',
    );
  });

  it("collects arrays by repetition or JSON, coercing items", () => {
    expect(parse(["--name", "x", "--tags", "a", "--tags", "b"]).tags).toEqual(["a", "b"]);
    expect(parse(["--name", "x", "--tags", '["a","b"]', "--tags", "c"]).tags).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(parse(["--name", "x", "--nums", "1", "--nums", "-2.5"]).nums).toEqual([1, -2.5]);
    expect(parse(["--name", "x", "--nums", '[1, "2"]']).nums).toEqual([1, 2]);
    expect(failure(["--name", "x", "--nums", "one"]).code).toBe("INVALID_ARGUMENT");
    expect(failure(["--name", "x", "--nums", "[1, true]"]).code).toBe("INVALID_ARGUMENT");
    expect(failure(["--name", "x", "--tags", "[not json"]).code).toBe("INVALID_ARGUMENT");
  });

  it("checks arrays of enums item by item", () => {
    expect(parse(["--name", "x", "--levels", "low", "--levels", "high"]).levels).toEqual([
      "low",
      "high",
    ]);
    expect(parse(["--name", "x", "--levels", '["high"]']).levels).toEqual(["high"]);
    expect(failure(["--name", "x", "--levels", "mid"]).message).toContain("one of: low|high");
    expect(failure(["--name", "x", "--levels", '["mid"]']).message).toContain("one of: low|high");
  });

  it("takes objects as JSON objects only", () => {
    expect({ ...(parse(["--name", "x", "--config", '{"a":1}']).config as object) }).toEqual({
      a: 1,
    });
    for (const value of ["[1]", "null", "3", "{bad", ""]) {
      expect(failure(["--name", "x", "--config", value]).message).toContain(
        "expected a JSON object",
      );
    }
  });

  it("accepts any text for an untyped property, parsing JSON-looking values", () => {
    expect(parse(["--name", "x", "--anything", "plain"]).anything).toBe("plain");
    expect(parse(["--name", "x", "--anything", "[1,2]"]).anything).toEqual([1, 2]);
    expect(parse(["--name", "x", "--anything", "{oops"]).anything).toBe("{oops");
  });

  it("reads nullable types and anyOf by their first non-null branch", () => {
    expect(parse(["--name", "x", "--maybe", "null"]).maybe).toBe("null");
    expect(parse(["--name", "x", "--choice", "4"]).choice).toBe(4);
    expect(failure(["--name", "x", "--choice", "four"]).code).toBe("INVALID_ARGUMENT");
  });
});

describe("parseToolArguments: @file and --json", () => {
  it("reads @file relative to cwd: exact for strings, trimmed for other types", () => {
    expect(parse(["--name", "@hello.txt"]).name).toBe("hello\nworld\n");
    expect(parse(["--name", "x", "--count", "@n.txt"]).count).toBe(42);
    expect({ ...(parse(["--name", "x", "--config=@cfg.json"]).config as object) }).toEqual({
      a: 1,
    });
  });

  it("treats @@ as an escaped @ and a lone @ as itself", () => {
    expect(parse(["--name", "@@hello.txt"]).name).toBe("@hello.txt");
    expect(parse(["--name", "@"]).name).toBe("@");
  });

  it("reports an unreadable file without its contents", () => {
    const error = failure(["--name", "@missing.txt"]);
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toContain('"missing.txt"');
    expect(error.message).toContain("ENOENT");
    const bad = failure(["--name", "x", "--count", "@secret.txt"]);
    expect(bad.message).toContain('in file "secret.txt"');
    expect(bad.message).not.toContain("hunter2");
  });

  it("passes all arguments with --json and lets flags override its keys", () => {
    const args = parse(["--name", "flag", "--json", '{"name":"json","count":2,"extra":true}']);
    expect({ ...args }).toEqual({ name: "flag", count: 2, extra: true });
    expect(Object.getPrototypeOf(args)).toBeNull();
    expect(parse(["--json=@cfg.json", "--name", "x"]).a).toBe(1);
  });

  it("requires --json to be one JSON object", () => {
    for (const value of ["[1]", "1", "null", "{"]) {
      const error = failure(["--json", value]);
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toContain("--json");
    }
    expect(failure(["--json", "{}", "--json", "{}"]).message).toContain("given twice");
    expect(failure(["--json", "-"]).code).toBe("USAGE");
    expect(failure(["--json"]).code).toBe("USAGE");
  });

  it("counts --json keys toward required arguments", () => {
    expect(parse(["--json", '{"name":"x"}']).name).toBe("x");
  });
});

describe("parseToolArguments: hostile names", () => {
  it("drops prototype keys from --json and nested JSON values", () => {
    const args = parse([
      "--json",
      '{"name":"x","__proto__":{"polluted":1},"constructor":{"prototype":{"p":1}}}',
      "--config",
      '{"a":{"__proto__":{"polluted":1}},"prototype":1}',
    ]);
    expect(Object.keys(args).sort()).toEqual(["config", "name"]);
    expect(JSON.stringify(args.config)).toBe('{"a":{}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it.each(["--__proto__", "--constructor", "--prototype"])("refuses %s as a flag", (flag) => {
    const error = failure(["--name", "x", flag, "x"]);
    expect(error.code).toBe("UNKNOWN_FLAG");
    expect(Object.prototype).not.toHaveProperty("x");
  });

  it("refuses prototype-key properties even when the schema declares them", () => {
    const tool = {
      name: "__proto__",
      inputSchema: {
        type: "object",
        properties: { constructor: { type: "string" }, ok: { type: "string" } },
      },
    };
    const error = failure(["--constructor", "x"], tool);
    expect(error.code).toBe("UNKNOWN_FLAG");
    expect(error.message).toContain("reserved");
    expect(error.message).toContain("mcpward __proto__ --help");
    expect(parse(["--ok", "y"], tool).ok).toBe("y");
  });

  it("reaches a property named json only through --json", () => {
    const tool = {
      name: "t",
      inputSchema: { type: "object", properties: { json: { type: "string" } } },
    };
    expect(parse(["--json", '{"json":"v"}'], tool).json).toBe("v");
    expect(failure(["--Json", "v"], tool).message).toContain("inside it");
  });

  it("treats toString and hasOwnProperty as unknown flags, not object members", () => {
    for (const flag of ["--toString", "--hasOwnProperty", "--valueOf"]) {
      expect(failure(["--name", "x", flag, "1"]).code).toBe("UNKNOWN_FLAG");
    }
  });

  it("works with a tool whose schema is missing or malformed", () => {
    for (const inputSchema of [
      undefined,
      null,
      "nope",
      { properties: [] },
      { properties: { a: 5 } },
    ]) {
      expect({ ...parseToolArguments([], { name: "t", inputSchema }, io) }).toEqual({});
    }
    expect(
      parseToolArguments(["--a", "x"], { name: "t", inputSchema: { properties: { a: 5 } } }, io).a,
    ).toBe("x");
  });
});

describe("parseToolArguments: errors", () => {
  it("suggests close flags for an unknown flag", () => {
    const error = failure(["--name", "x", "--verbos"]);
    expect(error.code).toBe("UNKNOWN_FLAG");
    expect(error.message).toBe(
      "unknown flag --verbos; did you mean --verbose? (see: mcpward all_types --help)",
    );
    expect(error.data?.suggestions).toEqual(["--verbose"]);
  });

  it("suggests the --no- form of a boolean", () => {
    expect(failure(["--name", "x", "--no-verbos"]).message).toContain("did you mean --no-verbose?");
  });

  it("treats --no-x on a non-boolean as an unknown flag pointing at --x", () => {
    const error = failure(["--name", "x", "--no-count"]);
    expect(error.code).toBe("UNKNOWN_FLAG");
    expect(error.message).toContain("--count is not a boolean");
  });

  it("lists the flags when nothing is close, and says when there are none", () => {
    expect(failure(["--name", "x", "--zzzzzz"]).message).toContain("its flags are --name, --count");
    const none = { name: "ping", inputSchema: { type: "object" } };
    expect(failure(["--x", "1"], none).message).toContain("ping takes no flags");
  });

  it("names every missing required flag", () => {
    const tool = {
      name: "t",
      inputSchema: {
        type: "object",
        properties: { a: { type: "string" }, bC: { type: "string" }, d: { type: "string" } },
        required: ["a", "bC"],
      },
    };
    const error = failure(["--d", "x"], tool);
    expect(error.code).toBe("MISSING_ARGUMENT");
    expect(error.message).toBe(
      "missing required flags --a, --b-c; add them (see: mcpward t --help)",
    );
    expect(error.data?.missing).toEqual(["a", "bC"]);
  });

  it("puts the one-line usage in data.usage and keeps every message on one line", () => {
    const tool = {
      name: "echo",
      inputSchema: {
        type: "object",
        properties: { text: { type: "string" }, count: { type: "integer" } },
        required: ["text"],
      },
    };
    const error = failure(["--text", "a\nb", "--count", "x\ny"], tool);
    expect(error.data?.usage).toBe("usage: mcpward echo --text <string> [--count <integer>]");
    expect(error.message).not.toContain("\n");
    expect(failure(["--bad\nflag"], tool).message).not.toContain("\n");
  });

  it("reports ambiguous variant flags", () => {
    const tool = {
      name: "t",
      inputSchema: {
        type: "object",
        properties: { max_results: { type: "string" }, maxResults: { type: "string" } },
      },
    };
    expect(parse(["--max_results", "1"], tool).max_results).toBe("1");
    expect(failure(["--max-results", "1"], tool).message).toContain("matches several parameters");
  });
});

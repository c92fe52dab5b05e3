import { describe, expect, it } from "vitest";
import { McpwardError } from "./errors.js";
import { parseServerSpec } from "./server-spec.js";

/** The McpwardError `fn` throws; fails the test when it throws nothing or something else. */
function thrown(fn: () => unknown): McpwardError {
  try {
    fn();
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an McpwardError, nothing was thrown");
}

describe("parseServerSpec: hostile env tokens", () => {
  it("rejects a NUL byte in an env name, showing it escaped", () => {
    const error = thrown(() => parseServerSpec(["A\0B=x", "node"]));
    expect(error.code).toBe("BAD_ENV_TOKEN");
    expect(error.message).toContain('"A\\u0000B=…"');
    expect(error.message).not.toContain("\0");
  });

  it("rejects a NUL byte in an env value without printing the value", () => {
    const error = thrown(() => parseServerSpec(["API_KEY=sk-live\0secret", "node"]));
    expect(error.code).toBe("BAD_ENV_TOKEN");
    expect(error.message).toContain("API_KEY");
    expect(error.message).toMatch(/remove/);
    expect(error.message).not.toContain("secret");
  });

  it("rejects a token starting with = as an env token with an empty name", () => {
    const error = thrown(() => parseServerSpec(["=x", "node"]));
    expect(error.code).toBe("BAD_ENV_TOKEN");
    expect(error.message).toContain('"=…"');
    expect(error.message).toMatch(/e\.g\. API_TOKEN=value/);
  });

  it("rejects a name starting with a digit", () => {
    const error = thrown(() => parseServerSpec(["1A=b", "node"]));
    expect(error.code).toBe("BAD_ENV_TOKEN");
    expect(error.message).toContain('"1A=…"');
    expect(error.message).toMatch(/do not start with a digit/);
    expect(error.data).toEqual({ token: "1A" });
  });

  it("rejects a non-ASCII name", () => {
    const error = thrown(() => parseServerSpec(["NAMÉ=x", "node"]));
    expect(error.code).toBe("BAD_ENV_TOKEN");
    expect(error.message).toContain('"NAMÉ=…"');
  });

  it("rejects a name with a dash or a space", () => {
    expect(thrown(() => parseServerSpec(["MY-VAR=1", "node"])).code).toBe("BAD_ENV_TOKEN");
    expect(thrown(() => parseServerSpec(["MY VAR=1", "node"])).code).toBe("BAD_ENV_TOKEN");
  });

  it("never puts the value of a bad env token into the message", () => {
    const error = thrown(() => parseServerSpec(["API-TOKEN=ghp_abcdefghijklmnopqrstuvwxyz", "x"]));
    expect(error.code).toBe("BAD_ENV_TOKEN");
    expect(error.message).toContain('"API-TOKEN=…"');
    expect(error.message).not.toContain("ghp_");
  });

  it("stores __proto__ as an own property of a null-prototype env and pollutes nothing", () => {
    const spec = parseServerSpec(["__proto__=x", "constructor=y", "node"]);
    expect(Object.getPrototypeOf(spec.env)).toBeNull();
    expect(Object.keys(spec.env)).toEqual(["__proto__", "constructor"]);
    expect(Object.getOwnPropertyDescriptor(spec.env, "__proto__")?.value).toBe("x");
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, "x")).toBe(false);
  });

  it("rejects a variable given twice, naming it", () => {
    const error = thrown(() => parseServerSpec(["A=1", "A=2", "node"]));
    expect(error.code).toBe("BAD_ENV_TOKEN");
    expect(error.message).toMatch(/\bA is given twice/);
  });

  it("rejects __proto__ given twice too", () => {
    expect(thrown(() => parseServerSpec(["__proto__=1", "__proto__=2", "node"])).code).toBe(
      "BAD_ENV_TOKEN",
    );
  });
});

describe("parseServerSpec: hostile commands and arguments", () => {
  it("rejects an empty token list with an example of what to write", () => {
    const error = thrown(() => parseServerSpec([]));
    expect(error.code).toBe("BAD_SERVER_SPEC");
    expect(error.message).toMatch(/no server command after --; add one, e\.g\. `-- node/);
  });

  it("rejects env tokens with nothing after them", () => {
    expect(thrown(() => parseServerSpec(["A=1", "B=2"])).code).toBe("BAD_SERVER_SPEC");
  });

  it("rejects an empty command", () => {
    expect(thrown(() => parseServerSpec(["A=1", ""])).code).toBe("BAD_SERVER_SPEC");
  });

  it("rejects a NUL byte in the command or an argument, showing it escaped", () => {
    const inCommand = thrown(() => parseServerSpec(["no\0de"]));
    expect(inCommand.code).toBe("BAD_SERVER_SPEC");
    expect(inCommand.message).toContain('"no\\\\0de"');
    const inArg = thrown(() => parseServerSpec(["node", "ok", "bad\0arg"]));
    expect(inArg.code).toBe("BAD_SERVER_SPEC");
    expect(inArg.message).toContain("bad\\\\0arg");
    expect(inArg.message).not.toContain("\0");
  });

  it("masks a secret in an argument it quotes", () => {
    const error = thrown(() => parseServerSpec(["node", "--token=abc123\0"]));
    expect(error.message).not.toContain("abc123");
    expect(error.message).toContain("[REDACTED]");
  });

  it("shortens a long bad token in the message", () => {
    const error = thrown(() => parseServerSpec(["node", `${"a".repeat(500)}\0`]));
    expect(error.message.length).toBeLessThan(200);
  });

  it("rejects a non-string token anywhere, including after the command", () => {
    const tokens = ["node", 42] as unknown as string[];
    expect(thrown(() => parseServerSpec(tokens)).code).toBe("BAD_SERVER_SPEC");
  });

  it("rejects an oversized argument, not only oversized env tokens", () => {
    const error = thrown(() => parseServerSpec(["node", "x".repeat(128 * 1024 + 1)]));
    expect(error.code).toBe("BAD_SERVER_SPEC");
    expect(error.message).toMatch(/larger than 131072 bytes; pass it through a file/);
  });

  it("does not print the value of an oversized env token", () => {
    const error = thrown(() => parseServerSpec([`KEY=${"s".repeat(128 * 1024)}`, "node"]));
    expect(error.message).toContain('"KEY=…"');
    expect(error.message).not.toContain("sss");
  });

  it("accepts a token of exactly the byte cap, counting UTF-8 bytes", () => {
    expect(parseServerSpec(["node", "x".repeat(128 * 1024)]).args[0]).toHaveLength(128 * 1024);
    // 43,691 three-byte characters are 131,073 bytes though only 43,691 UTF-16 units.
    expect(thrown(() => parseServerSpec(["node", "€".repeat(43_691)])).code).toBe(
      "BAD_SERVER_SPEC",
    );
  });

  it("rejects more than 4096 tokens", () => {
    const tokens = ["node", ...Array.from({ length: 4096 }, (_, i) => `a${i}`)];
    expect(thrown(() => parseServerSpec(tokens)).message).toMatch(/too many server tokens/);
    expect(parseServerSpec(tokens.slice(0, 4096)).args).toHaveLength(4095);
  });

  it.each([
    ["./path=weird", "./path=weird"],
    ["../up=x", "../up=x"],
    ["/abs/bin=x", "/abs/bin=x"],
    ["bin/tool=x", "bin/tool=x"],
    ["C:\\tools\\srv=x", "C:\\tools\\srv=x"],
    ["-opt=x", "-opt=x"],
    [".hidden=x", ".hidden=x"],
  ])("takes %s as the command, not as env", (token, command) => {
    const spec = parseServerSpec([token, "arg"]);
    expect(spec.command).toBe(command);
    expect(spec.args).toEqual(["arg"]);
    expect(Object.keys(spec.env)).toEqual([]);
  });
});

describe("parseServerSpec: well-formed specs", () => {
  it("splits leading env tokens from the command and args", () => {
    const spec = parseServerSpec(["A=1", "b_2=two", "node", "server.js", "--port", "3"]);
    expect({ ...spec.env }).toEqual({ A: "1", b_2: "two" });
    expect(spec.command).toBe("node");
    expect(spec.args).toEqual(["server.js", "--port", "3"]);
  });

  it("allows lowercase and underscore-led names", () => {
    expect({ ...parseServerSpec(["lower=1", "_X=2", "node"]).env }).toEqual({
      lower: "1",
      _X: "2",
    });
  });

  it("keeps = inside values and allows empty values", () => {
    const spec = parseServerSpec(["URL=https://h/?a=b=c", "EMPTY=", "node"]);
    expect(spec.env.URL).toBe("https://h/?a=b=c");
    expect(spec.env.EMPTY).toBe("");
  });

  it("keeps KEY=VALUE tokens after the command as arguments", () => {
    const spec = parseServerSpec(["node", "A=1", "--x=y"]);
    expect(spec.args).toEqual(["A=1", "--x=y"]);
    expect(Object.keys(spec.env)).toEqual([]);
  });

  it("keeps arguments in order, including empty ones", () => {
    expect(parseServerSpec(["cmd", "b", "", "a"]).args).toEqual(["b", "", "a"]);
  });

  it("does not keep a reference to the caller's array", () => {
    const tokens = ["node", "a"];
    const spec = parseServerSpec(tokens);
    tokens.push("b");
    expect(spec.args).toEqual(["a"]);
  });
});

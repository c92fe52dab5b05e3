import { describe, expect, it } from "vitest";
import { parseArgv, wantsJsonErrors } from "./argv.js";

function fails(argv: string[]): { code: string; message: string } {
  try {
    parseArgv(argv);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("expected parseArgv to throw");
}

describe("parseArgv", () => {
  it("splits global options, tool, tool tokens and server at the first --", () => {
    const parsed = parseArgv([
      "--raw",
      "--tool-timeout",
      "5",
      "--idle-timeout=60",
      "echo",
      "--text",
      "a -- b",
      "--",
      "K=v",
      "node",
      "s.mjs",
      "--",
      "x",
    ]);
    expect(parsed).toMatchObject({
      kind: "tool",
      tool: "echo",
      toolTokens: ["--text", "a -- b"],
      serverTokens: ["K=v", "node", "s.mjs", "--", "x"],
      help: false,
      options: { raw: true, settings: { toolTimeout: 5, idleTimeout: 60 } },
    });
  });

  it("takes a named server with -s/--server and a profile with --profile, without --", () => {
    expect(parseArgv(["-s", "gh", "--profile=prod", "list", "--n", "1"])).toMatchObject({
      kind: "tool",
      tool: "list",
      toolTokens: ["--n", "1"],
      serverTokens: [],
      options: { server: "gh", profile: "prod" },
    });
    expect(parseArgv(["--server=gh", "--help"])).toMatchObject({
      kind: "server-help",
      options: { server: "gh" },
    });
    expect(parseArgv(["-s", "gh", "list", "-h"])).toMatchObject({ kind: "tool", help: true });
    expect(fails(["-s", "gh", "list", "--", "node", "s.mjs"]).code).toBe("USAGE");
    expect(fails(["-s", "gh"]).message).toContain("mcpward -s gh --help");
    expect(fails(["-s"]).code).toBe("USAGE");
    expect(fails(["--profile", "--json"]).code).toBe("USAGE");
    expect(wantsJsonErrors(["-s", "gh", "--json", "x"])).toBe(true);
  });

  it("treats --help or -h among the tool's tokens as the tool's help", () => {
    expect(parseArgv(["echo", "--text", "x", "-h", "--", "node"])).toMatchObject({
      kind: "tool",
      help: true,
      toolTokens: ["--text", "x"],
    });
    expect(parseArgv(["--help", "echo", "--", "node"])).toMatchObject({ kind: "tool", help: true });
  });

  it("routes --help and --version without a server", () => {
    expect(parseArgv(["--help"]).kind).toBe("usage");
    expect(parseArgv(["-h"]).kind).toBe("usage");
    expect(parseArgv(["--version"]).kind).toBe("version");
    expect(parseArgv(["-V", "echo"]).kind).toBe("version");
    expect(parseArgv(["--help", "--", "node", "s.mjs"])).toMatchObject({
      kind: "server-help",
      serverTokens: ["node", "s.mjs"],
    });
  });

  it("routes reserved words to mcpward's commands, keeping options before them", () => {
    expect(parseArgv(["--json", "daemon", "status", "--all"])).toMatchObject({
      kind: "command",
      command: "daemon",
      args: ["--json", "daemon", "status", "--all"],
      serverTokens: undefined,
    });
    expect(parseArgv(["daemon", "stop", "--", "node", "s.mjs"])).toMatchObject({
      command: "daemon",
      args: ["daemon", "stop"],
      serverTokens: ["node", "s.mjs"],
    });
    expect(parseArgv(["completion"])).toMatchObject({ kind: "command", command: "completion" });
  });

  it("rejects an unknown global option with a did-you-mean", () => {
    const error = fails(["--verbos", "echo", "--", "node"]);
    expect(error.code).toBe("USAGE");
    expect(error.message).toMatch(/unknown option "--verbos"; did you mean --verbose\?/);
    expect(fails(["--text", "hi", "echo", "--", "node"]).message).toMatch(
      /mcpward's own options come first, then the tool name, then the tool's flags/,
    );
  });

  it("rejects bad or missing setting values and values given to flags", () => {
    expect(fails(["--tool-timeout", "0", "echo", "--", "n"]).message).toMatch(/from 0\.1 to 86400/);
    expect(fails(["--startup-timeout", "1e3", "echo", "--", "n"]).message).toMatch(/got "1e3"/);
    expect(fails(["--idle-timeout"]).message).toMatch(/needs a value/);
    expect(fails(["--raw=yes", "echo", "--", "n"]).message).toBe("--raw takes no value");
  });

  it("explains a missing tool or a missing server", () => {
    expect(fails([]).message).toMatch(/^no tool given/);
    expect(fails(["--raw", "--", "node"]).message).toMatch(/mcpward --help -- <server command>/);
    expect(fails(["echo", "--text", "x"]).message).toMatch(/^no server given for "echo"/);
  });
});

describe("wantsJsonErrors", () => {
  it("sees --json among the global options only", () => {
    expect(wantsJsonErrors(["--json", "--bogus"])).toBe(true);
    expect(wantsJsonErrors(["--tool-timeout", "5", "--json", "x"])).toBe(true);
    expect(wantsJsonErrors(["echo", "--json", "{}"])).toBe(false);
  });
});

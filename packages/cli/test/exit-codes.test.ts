import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSandbox,
  daemonStatuses,
  destroySandbox,
  lines,
  type RunResult,
  runCli,
  type Sandbox,
} from "./helpers.js";

const ECHO = ["--", "node", servers.echo];

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

/** One `mcpward: …` line on stderr (plus the tool's usage line, if given), nothing on stdout. */
function expectOneLineError(result: RunResult, code: number, pattern: RegExp): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe("");
  const errorLines = lines(result.stderr);
  expect(errorLines[0]).toMatch(/^mcpward: /);
  expect(errorLines[0]).toMatch(pattern);
  expect(errorLines.length).toBeLessThanOrEqual(2);
  if (errorLines.length === 2) expect(errorLines[1]).toMatch(/^usage: mcpward /);
}

describe("exit codes", () => {
  it("0: the call succeeded", async () => {
    expect((await runCli(sandbox, ["echo", "--text", "ok", ...ECHO])).code).toBe(0);
  });

  it("1: the tool reported an error; its text goes to stderr", async () => {
    const result = await runCli(sandbox, ["fail", "--message", "broken on purpose", ...ECHO]);
    expect(result).toMatchObject({ code: 1, stdout: "", stderr: "broken on purpose\n" });
  });

  it("2: usage errors", async () => {
    expect((await runCli(sandbox, ["--bogus", "echo", ...ECHO])).code).toBe(2);
    expect((await runCli(sandbox, ["echo", "--bogus", "x", ...ECHO])).code).toBe(2);
    expect((await runCli(sandbox, ["echo", "--text", "x"])).code).toBe(2);
    expect((await runCli(sandbox, [])).code).toBe(2);
  });

  it("4: the server could not start (exits at once, or the command is not found)", async () => {
    expect((await runCli(sandbox, ["x", "--", "node", servers.exitImmediately])).code).toBe(4);
    expect((await runCli(sandbox, ["x", "--", "mcpward-no-such-command-9f3"])).code).toBe(4);
  });

  it("5: the call timed out (--tool-timeout)", async () => {
    // Own daemon (T=1): a --tool-timeout stays in effect on the daemon it reached.
    const result = await runCli(sandbox, [
      "--tool-timeout",
      "0.5",
      "sleep",
      "--ms",
      "5000",
      "--",
      "T=1",
      "node",
      servers.slow,
    ]);
    expectOneLineError(result, 5, /did not finish within 0\.5s/);
  });

  it("6: mcpward itself failed (runtime dir is a regular file)", async () => {
    const file = join(sandbox.root, "not-a-dir");
    writeFileSync(file, "");
    const result = await runCli(sandbox, ["echo", "--text", "x", ...ECHO], {
      env: { MCPWARD_RUNTIME_DIR: file },
    });
    expectOneLineError(result, 6, /is not a directory/);
  });

  it("6: mcpward refuses a runtime dir that is a symbolic link", async () => {
    const real = join(sandbox.root, "real-run");
    mkdirSync(real, { mode: 0o700 });
    const link = join(sandbox.root, "link-run");
    symlinkSync(real, link);
    const result = await runCli(sandbox, ["echo", "--text", "x", ...ECHO], {
      env: { MCPWARD_RUNTIME_DIR: link },
    });
    expectOneLineError(result, 6, /symbolic link/);
  });
});

describe("bad input: one clear line and the right exit code", () => {
  it("unknown tool, with a did-you-mean", async () => {
    const result = await runCli(sandbox, ["ech", "--text", "x", ...ECHO]);
    expectOneLineError(result, 2, /unknown tool "ech"; did you mean "echo"\?/);
  });

  it("unknown flag, with a did-you-mean and the tool's usage", async () => {
    const result = await runCli(sandbox, ["echo", "--txt", "x", ...ECHO]);
    expectOneLineError(result, 2, /unknown flag --txt; did you mean --text\?/);
    expect(lines(result.stderr)[1]).toBe("usage: mcpward echo --text <string>");
  });

  it("wrong type", async () => {
    const result = await runCli(sandbox, ["add", "--a", "two", "--b", "3", ...ECHO]);
    expectOneLineError(result, 2, /invalid value "two" for --a: expected a number/);
  });

  it("missing required flag", async () => {
    const result = await runCli(sandbox, ["add", "--a", "1", ...ECHO]);
    expectOneLineError(result, 2, /missing required flag --b/);
  });

  it("bad env token", async () => {
    const result = await runCli(sandbox, [
      "echo",
      "--text",
      "x",
      "--",
      "1BAD=x",
      "node",
      servers.echo,
    ]);
    expectOneLineError(result, 2, /invalid environment variable name in "1BAD=…"/);
    expect(result.stderr).not.toContain("1BAD=x");
  });

  it("nothing after --", async () => {
    const result = await runCli(sandbox, ["echo", "--text", "x", "--"]);
    expectOneLineError(result, 2, /no server command after --/);
  });

  it("no -- at all", async () => {
    const result = await runCli(sandbox, ["echo", "--text", "x"]);
    expectOneLineError(result, 2, /no server given for "echo"; put the server command after --/);
  });

  it("unknown mcpward option before the tool, with a did-you-mean", async () => {
    const result = await runCli(sandbox, ["--rwa", "echo", "--text", "x", ...ECHO]);
    expectOneLineError(result, 2, /unknown option "--rwa"; did you mean --raw\?/);
  });

  it("a bad --tool-timeout value", async () => {
    const result = await runCli(sandbox, ["--tool-timeout", "soon", "echo", ...ECHO]);
    expectOneLineError(result, 2, /--tool-timeout needs a number of seconds/);
    const negative = await runCli(sandbox, ["--idle-timeout=-5", "echo", ...ECHO]);
    expectOneLineError(negative, 2, /--idle-timeout needs a number of seconds/);
  });

  it("server command not found, and no failed daemon is left behind", async () => {
    const result = await runCli(sandbox, ["echo", "--", "mcpward-no-such-command-9f3"]);
    expectOneLineError(result, 4, /server command not found: mcpward-no-such-command-9f3/);
    const left = (await daemonStatuses(sandbox)).filter((d) =>
      String(d.server).includes("mcpward-no-such-command-9f3"),
    );
    expect(left).toEqual([]);
  });

  it("a server that exits at once, with its last stderr, and no daemon left behind", async () => {
    const result = await runCli(sandbox, ["echo", "--", "node", servers.exitImmediately]);
    expectOneLineError(result, 4, /exited during startup.*fatal: missing configuration/);
    const left = (await daemonStatuses(sandbox)).filter((d) =>
      String(d.server).includes("exit-immediately"),
    );
    expect(left).toEqual([]);
  });
});

describe("--json errors", () => {
  it("prints one JSON object on stderr for a usage error", async () => {
    const result = await runCli(sandbox, ["--json", "ech", ...ECHO]);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    const parsed = JSON.parse(result.stderr) as { error: { code: string; message: string } };
    expect(parsed.error.code).toBe("UNKNOWN_TOOL");
    expect(parsed.error.message).toMatch(/did you mean "echo"/);
  });

  it("prints a tool error as a JSON object with code TOOL_ERROR", async () => {
    const result = await runCli(sandbox, ["--json", "fail", ...ECHO]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: "TOOL_ERROR", message: "it failed" },
    });
  });

  it("reports a command-line mistake before the tool as JSON too", async () => {
    const result = await runCli(sandbox, ["--json", "--bogus", "echo", ...ECHO]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr).error.code).toBe("USAGE");
  });
});

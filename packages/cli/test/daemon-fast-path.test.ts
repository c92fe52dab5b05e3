// `daemon status|stop|clean` run without yargs (commands/run-command.ts).
// These tests hold the fast path to what yargs does with the same command
// line, in-process with both routers, and check in a real process that the
// fast path loads no yargs.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArgv, wantsJsonErrors } from "../src/argv.js";
import { fastDaemonArgs } from "../src/commands/daemon-fast-args.js";
import { runCommand as runWithYargs } from "../src/commands/program.js";
import { runCommand } from "../src/commands/run-command.js";
import { reportError } from "../src/report-error.js";
import { createSandbox, destroySandbox, runCli, type Sandbox, toSandboxPaths } from "./helpers.js";

type Router = typeof runCommand;

let sandbox: Sandbox;
const saved = { cwd: process.cwd(), env: { ...process.env } };

beforeAll(async () => {
  sandbox = createSandbox();
  for (const server of [servers.echo, servers.counter]) {
    const started = await runCli(sandbox, ["daemon", "start", "--", "node", server]);
    expect(started.code).toBe(0);
  }
  // The in-process runs below look where the CLI would.
  for (const key of Object.keys(process.env)) {
    if (key.startsWith("MCPWARD_")) delete process.env[key];
  }
  Object.assign(process.env, {
    MCPWARD_RUNTIME_DIR: sandbox.env.MCPWARD_RUNTIME_DIR,
    MCPWARD_STATE_DIR: sandbox.env.MCPWARD_STATE_DIR,
    MCPWARD_CONFIG_DIR: sandbox.env.MCPWARD_CONFIG_DIR,
  });
  process.chdir(sandbox.project);
});
afterAll(async () => {
  process.chdir(saved.cwd);
  for (const key of Object.keys(process.env)) {
    if (!(key in saved.env)) delete process.env[key];
  }
  Object.assign(process.env, saved.env);
  await destroySandbox(sandbox);
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one command line as main.ts does, with `router`, capturing stdout and stderr. */
async function run(router: Router, args: readonly string[]): Promise<Outcome> {
  const captured = { stdout: "", stderr: "" };
  const streams = [
    ["stdout", process.stdout],
    ["stderr", process.stderr],
  ] as const;
  const originals = streams.map(([, stream]) => stream.write);
  for (const [name, stream] of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured[name] += String(chunk);
      const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
  }
  let code: number;
  try {
    const parsed = parseArgv(args);
    if (parsed.kind !== "command") throw new Error(`not a command: ${parsed.kind}`);
    code = await router(parsed);
  } catch (error) {
    code = reportError(error, { json: wantsJsonErrors(args), debug: false });
  } finally {
    streams.forEach(([, stream], i) => {
      stream.write = originals[i]!;
    });
  }
  return { code, ...captured };
}

/** Uptimes, memory, times and pids move between two runs; the rest must not. */
function stable(outcome: Outcome): Outcome {
  const text = (s: string): string => s.replace(/\d+/g, "0").replace(/ +/g, " ");
  return { code: outcome.code, stdout: text(outcome.stdout), stderr: text(outcome.stderr) };
}

const ECHO = ["--", "node", servers.echo];
const NOT_RUNNING = ["--", "node", servers.slow];

describe("daemon fast path agrees with yargs", () => {
  it.each([
    [["daemon", "status"]],
    [["daemon", "status", "--json"]],
    [["daemon", "status", "--all"]],
    [["daemon", "status", "--all", "--json", "--quiet"]],
    [["--json", "daemon", "status"]],
    [["daemon", "status", ...ECHO]],
    [["daemon", "status", "--json", ...ECHO]],
    [["daemon", "status", ...NOT_RUNNING]],
    [["daemon", "stop", ...NOT_RUNNING]],
    [["daemon", "clean"]],
    [["daemon", "clean", "--all"]],
    [["daemon", "clean", ...ECHO]],
  ])("%j: same output and exit code, without yargs", async (raw) => {
    const args = raw.map((arg) => toSandboxPaths(sandbox, arg));
    const parsed = parseArgv(args);
    expect(parsed.kind === "command" && fastDaemonArgs(parsed)).toBeTruthy();
    const fast = await run(runCommand, args);
    const yargs = await run(runWithYargs, args);
    expect(fast.code).toBe(0);
    expect(fast.stdout).not.toBe("");
    expect(stable(fast)).toEqual(stable(yargs));
  });

  it.each([
    [["daemon", "status", "--bogus"], "unknown argument --bogus (see mcpward daemon --help)"],
    [["daemon", "status", "extra"], 'unknown argument "extra" (see mcpward daemon --help)'],
    [["daemon", "stop", "--follow"], "unknown argument --follow (see mcpward daemon --help)"],
    [["daemon", "statu"], 'unknown daemon command "statu"; did you mean status or start?'],
    [["daemon", "clean", "--all", "-x"], "unknown argument -x (see mcpward daemon --help)"],
  ])("%j: the same one-line error and exit code 2", async (raw, message) => {
    const fast = await run(runCommand, raw);
    expect(fast).toEqual(await run(runWithYargs, raw));
    expect(fast).toEqual({ code: 2, stdout: "", stderr: `mcpward: ${message}\n` });
  });

  it.each([
    [["daemon", "status", "--", "1X=y", "node"]],
    [["daemon", "status", "--json", "--"]],
    [["daemon", "clean", "--all", "--", "A=1"]],
  ])("%j: a handler's error is reported the same way", async (raw) => {
    const args = raw.map((arg) => toSandboxPaths(sandbox, arg));
    const parsed = parseArgv(args);
    expect(parsed.kind === "command" && fastDaemonArgs(parsed)).toBeTruthy();
    const fast = await run(runCommand, args);
    expect(fast).toEqual(await run(runWithYargs, args));
    expect(fast.code).not.toBe(0);
    expect(fast.stderr).toMatch(/^mcpward: .+\n$/);
  });

  it("a repeated flag goes to yargs and means what it meant there", async () => {
    const twice = ["daemon", "status", "--json", "--json"];
    expect(stable(await run(runCommand, twice))).toEqual(stable(await run(runWithYargs, twice)));
  });
});

describe("daemon fast path in the built CLI", () => {
  /**
   * Records every module a CLI run loads, through require (Module._load, for
   * a CommonJS bin) and through the ESM loader (a resolve hook), into
   * RECORD_FILE.
   */
  function recorder(): string {
    const hooks = join(sandbox.root, "record-hooks.mjs");
    writeFileSync(
      hooks,
      `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.RECORD_FILE, "esm " + result.url + "\\n");
  return result;
}
`,
    );
    const preload = join(sandbox.root, "record.cjs");
    writeFileSync(
      preload,
      `const Module = require("node:module");
const { appendFileSync } = require("node:fs");
const { pathToFileURL } = require("node:url");
const load = Module._load;
Module._load = function (request, parent, isMain) {
  let file = request;
  try { file = Module._resolveFilename(request, parent, isMain); } catch {}
  appendFileSync(process.env.RECORD_FILE, "cjs " + file + "\\n");
  return load.apply(this, arguments);
};
Module.register(${JSON.stringify(`file://${hooks}`)}, pathToFileURL(__filename));
`,
    );
    return preload;
  }

  async function loaded(args: string[], name: string): Promise<string[]> {
    const record = join(sandbox.root, `${name}.txt`);
    writeFileSync(record, "");
    const result = await runCli(sandbox, args, {
      nodeArgs: ["--require", recorder()],
      env: { RECORD_FILE: record },
    });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    return readFileSync(record, "utf8").split("\n").filter(Boolean);
  }

  it("daemon status, stop and clean load no yargs, cliui or string-width", async () => {
    const heavy = /yargs|cliui|string-width|valibot/;
    for (const [i, args] of [
      ["daemon", "status"],
      ["daemon", "status", "--all", "--json"],
      ["daemon", "stop", ...NOT_RUNNING],
      ["daemon", "clean"],
    ].entries()) {
      const modules = await loaded(args, `fast-${i}`);
      expect(
        modules.some((m) => m.includes("@mcpward/daemon") || m.includes("/daemon/dist/")),
      ).toBe(true);
      expect(modules.filter((m) => heavy.test(m))).toEqual([]);
    }
  });

  it("--help still goes to yargs, and the recorder sees it (the check can fail)", async () => {
    const modules = await loaded(["daemon", "status", "--help"], "help");
    expect(modules.some((m) => m.includes("yargs"))).toBe(true);
    const help = await runCli(sandbox, ["daemon", "status", "--help"]);
    expect(help.stdout).toContain("usage: mcpward daemon status [--all] [--json] [-- <server>]");
  });
});

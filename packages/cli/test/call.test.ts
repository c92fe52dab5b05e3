import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI,
  createSandbox,
  daemonStatuses,
  destroySandbox,
  lines,
  runCli,
  runProcess,
  type Sandbox,
} from "./helpers.js";

const ECHO = ["--", "node", servers.echo];
const COUNTER = ["--", "node", servers.counter];
const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "examples");

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

describe("listing and help", () => {
  it("lists the server's tools with mcpward's usage on --help -- <server>", async () => {
    const result = await runCli(sandbox, ["--help", ...ECHO]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("usage:");
    expect(result.stdout).toMatch(/^\s+all_types\s+Takes one parameter/m);
    expect(result.stdout).toMatch(/^\s+get_weather\s/m);
  });

  it("prints mcpward's usage with --help and no server, starting nothing", async () => {
    const result = await runCli(sandbox, ["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("mcpward [options] <tool> [tool flags] --");
    expect(result.stdout).toContain("130 cancelled");
  });

  it("prints the version from package.json with --version", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    const result = await runCli(sandbox, ["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect((await runCli(sandbox, ["-V"])).stdout).toBe(`${pkg.version}\n`);
  });

  it("shows a tool's flags with <tool> --help -- <server>, by any name variant", async () => {
    for (const args of [
      ["all_types", "--help"],
      ["all-types", "-h"],
      ["--help", "allTypes"],
    ]) {
      const result = await runCli(sandbox, [...args, ...ECHO]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("usage: mcpward all_types --name <string>");
      for (const flag of [
        "--count",
        "--ratio",
        "--verbose",
        "--mode",
        "--tags",
        "--nums",
        "--config",
        "--path",
      ]) {
        expect(result.stdout).toContain(flag);
      }
    }
  });
});

describe("calling tools", () => {
  it("passes every parameter type, coerced by the tool's schema", async () => {
    const result = await runCli(sandbox, [
      "all_types",
      "--name",
      "x y",
      "--count",
      "3",
      "--ratio",
      "0.25",
      "--verbose",
      "--mode",
      "safe",
      "--tags",
      "a",
      "--tags",
      "b",
      "--nums",
      "[1, 2.5]",
      "--config",
      '{"deep": {"k": [1, null]}}',
      "--path",
      "./file.txt",
      ...ECHO,
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      config: { deep: { k: [1, null] } },
      count: 3,
      mode: "safe",
      name: "x y",
      nums: [1, 2.5],
      path: "./file.txt",
      ratio: 0.25,
      tags: ["a", "b"],
      verbose: true,
    });
  });

  it("passes --no-flag as false and leaves omitted arguments out", async () => {
    const result = await runCli(sandbox, ["all_types", "--name", "n", "--no-verbose", ...ECHO]);
    expect(result.stdout).toBe('{"name":"n","verbose":false}\n');
  });

  it("reads all arguments as JSON from stdin with --json -", async () => {
    const result = await runCli(sandbox, ["all_types", "--json", "-", "--count", "2", ...ECHO], {
      input: '{"name": "from stdin", "tags": ["t"]}',
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ count: 2, name: "from stdin", tags: ["t"] });
    const inline = await runCli(sandbox, ["echo", "--json=-", ...ECHO], { input: '{"text":"hi"}' });
    expect(inline.stdout).toBe("hi\n");
  });

  it("prints text content as is and structuredContent as compact JSON when piped", async () => {
    expect((await runCli(sandbox, ["echo", "--text", "hello world", ...ECHO])).stdout).toBe(
      "hello world\n",
    );
    // add returns text "5" and structuredContent {sum: 5}: the structured form wins.
    expect((await runCli(sandbox, ["add", "--a", "2", "--b", "3", ...ECHO])).stdout).toBe(
      '{"sum":5}\n',
    );
  });

  it("prints the whole MCP result as JSON with --raw", async () => {
    const result = await runCli(sandbox, ["--raw", "add", "--a", "2", "--b", "3", ...ECHO]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      content: [{ type: "text", text: "5" }],
      structuredContent: { sum: 5 },
    });
  });

  it("writes an image to a private temp file and prints its path, not into the project", async () => {
    const result = await runCli(sandbox, ["image", ...ECHO]);
    expect(result.code).toBe(0);
    const [path, text] = lines(result.stdout);
    expect(text).toBe("a 1x1 red pixel");
    expect(path).toMatch(/\.png$/);
    expect(path!.startsWith(sandbox.project)).toBe(false);
    const png = readFileSync(path!);
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(statSync(path!).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path!)).mode & 0o777).toBe(0o700);
    // Only the server copies the sandbox put there (see createSandbox).
    expect(execFileSync("ls", ["-A", sandbox.project]).toString()).toBe("examples\nfixtures\n");
    rmSync(dirname(path!), { recursive: true });
  });

  it("keeps the server's terminal escapes when piped", async () => {
    const result = await runCli(sandbox, ["ansi", ...ECHO]);
    expect(result.stdout).toBe("\x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07 done\n");
  });

  it("strips terminal escapes and pretty-prints JSON on a terminal", async (context) => {
    let hasScript = true;
    try {
      execFileSync("script", ["--version"], { stdio: "ignore" });
    } catch {
      hasScript = false;
    }
    if (!hasScript || process.platform !== "linux") context.skip();
    const command = (args: string[]): string =>
      [process.execPath, CLI, ...args].map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ");
    const ansi = await runProcess(
      "script",
      ["-qec", command(["ansi", ...ECHO]), "/dev/null"],
      sandbox,
    );
    expect(ansi.stdout.replace(/\r/g, "")).toBe("red  done\n");
    const json = await runProcess(
      "script",
      ["-qec", command(["add", "--a", "1", "--b", "2", ...ECHO]), "/dev/null"],
      sandbox,
    );
    expect(json.stdout.replace(/\r/g, "")).toBe('{\n  "sum": 3\n}\n');
  });

  it("reuses one daemon across calls, so server state persists", async () => {
    const first = await runCli(sandbox, ["increment", ...COUNTER]);
    const second = await runCli(sandbox, ["increment", "--by", "5", ...COUNTER]);
    const third = await runCli(sandbox, ["get", ...COUNTER]);
    expect([first.stdout, second.stdout, third.stdout]).toEqual(["1\n", "6\n", "6\n"]);
    const pid = async (): Promise<string> => (await runCli(sandbox, ["pid", ...ECHO])).stdout;
    expect(await pid()).toBe(await pid());
  });

  it("runs an example server from examples/", async () => {
    const server = ["--", "node", join(EXAMPLES, "stateful-server", "server.mjs")];
    await runCli(sandbox, ["add_note", "--text", "buy milk", "--tag", "home", ...server]);
    const list = await runCli(sandbox, ["list_notes", ...server]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("buy milk");
  });
});

describe("diagnostics", () => {
  const FLOOD = ["--", "node", servers.stderrFlood];

  it("streams the server's stderr with --verbose, and only then", async () => {
    await runCli(sandbox, ["ok", ...FLOOD]);
    // Far more than a pipe holds: the server blocks on stderr until the
    // daemon has read (and streamed) the first lines, so they precede the
    // result. (Lines written just before a result can race it.)
    const verbose = await runCli(sandbox, ["--verbose", "flood", "--lines", "20000", ...FLOOD]);
    expect(verbose.stdout).toBe("flooded\n");
    expect(verbose.stderr.startsWith("flood line 1\nflood line 2\nflood line 3\n")).toBe(true);
    const quiet = await runCli(sandbox, ["flood", "--lines", "20000", ...FLOOD]);
    expect(quiet).toMatchObject({ stdout: "flooded\n", stderr: "" });
  });

  it("prints the daemon id, socket and warm or cold start with --debug", async () => {
    await runCli(sandbox, ["pid", ...ECHO]);
    const result = await runCli(sandbox, ["--debug", "pid", ...ECHO]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^mcpward: debug: [\d.]+ms daemon [0-9a-f]{24} \(project [0-9a-f]{16}\) already running; socket \S+\.sock/m,
    );
    expect(result.stderr).toMatch(/^mcpward: debug: [\d.]+ms result received$/m);
  });
});

describe("daemon identity", () => {
  it("gives two KEY=VALUE envs two daemons, while the shell's env changes nothing", async () => {
    const project = (await daemonStatuses(sandbox)).length;
    const a = await runCli(sandbox, [
      "env",
      "--name",
      "GREETING",
      "--",
      "GREETING=a",
      "node",
      servers.echo,
    ]);
    const b = await runCli(sandbox, [
      "env",
      "--name",
      "GREETING",
      "--",
      "GREETING=b",
      "node",
      servers.echo,
    ]);
    expect([a.stdout, b.stdout]).toEqual(["a\n", "b\n"]);
    expect(await daemonStatuses(sandbox)).toHaveLength(project + 2);

    const pidBefore = (await runCli(sandbox, ["pid", ...ECHO])).stdout;
    const withShellEnv = await runCli(sandbox, ["pid", ...ECHO], { env: { GREETING: "shell" } });
    expect(withShellEnv.stdout).toBe(pidBefore);
    expect(await daemonStatuses(sandbox)).toHaveLength(project + 2);
  });

  it("never shows explicit env values in status", async () => {
    await runCli(sandbox, ["pid", "--", "API_TOKEN=s3cr3t-value", "node", servers.echo]);
    const status = await runCli(sandbox, ["daemon", "status"]);
    expect(status.stdout).toContain("API_TOKEN=***");
    expect(status.stdout).not.toContain("s3cr3t-value");
  });
});

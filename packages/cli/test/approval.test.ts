// Policy and approval end to end through the built CLI: exit codes and the
// one-line messages for denials and refused approvals, `--yes`, `policy
// trust`, and the approval prompt on a real terminal (a tmux pane), where
// [o]nce runs the call, [a]lways remembers it in the trust store and [d]eny
// exits 3. The daemon-side rules are covered in packages/daemon/test/policy.test.ts.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI,
  createSandbox,
  daemonStatuses,
  destroySandbox,
  lines,
  runCli,
  type Sandbox,
} from "./helpers.js";

let sandbox: Sandbox;
let configDir: string;
/** A third-party (level 3) server: the fixture lives outside the project. */
const echo = ["node", servers.echo];
const tmuxSocket = `mw-approval-${process.pid}`;

beforeAll(() => {
  sandbox = createSandbox({ projectServers: false });
  configDir = String(sandbox.env.MCPWARD_CONFIG_DIR);
});
afterAll(async () => {
  try {
    execFileSync("tmux", ["-L", tmuxSocket, "kill-server"], { stdio: "ignore" });
  } catch {
    // no tmux server was started
  }
  await destroySandbox(sandbox);
}, 60_000);

async function stopDaemons(): Promise<void> {
  const result = await runCli(sandbox, ["daemon", "stop", "--all"]);
  expect(result.code).toBe(0);
}

function trustRecords(): Array<Record<string, unknown>> {
  const file = join(configDir, "trust.json");
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, "utf8")) as { records: Array<Record<string, unknown>> })
    .records;
}

function writeUserConfig(config: unknown): void {
  writeFileSync(join(configDir, "config.json"), JSON.stringify(config), { mode: 0o600 });
}

/** Sockets and metadata files under the sandbox's runtime directory. */
function daemonFiles(): string[] {
  const root = String(sandbox.env.MCPWARD_RUNTIME_DIR);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".sock") || f.endsWith(".json"));
}

describe("denied by policy: exit 3, one line, no daemon", () => {
  it.each([
    ["LD_PRELOAD", "/x.so"],
    ["ld_preload", "/x.so:"],
    ["PATH", "/tmp/evil:/usr/bin"],
    ["NODE_OPTIONS", "--require=/x.js"],
  ])("refuses %s=… given after --", async (name, value) => {
    const result = await runCli(sandbox, [
      "echo",
      "--text",
      "x",
      "--",
      `${name}=${value}`,
      ...echo,
    ]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(name);
    expect(result.stderr).toContain("env.blocked");
    expect(result.stderr).not.toContain(value);
    expect(daemonFiles()).toEqual([]);
    expect(await daemonStatuses(sandbox)).toEqual([]);
  });

  it("refuses a project config that claims to trust itself (exit 2), starting nothing", async () => {
    const config = join(sandbox.project, "mcpward.config.json");
    writeFileSync(config, JSON.stringify({ trust: { level: 1 } }));
    try {
      const result = await runCli(sandbox, ["echo", "--text", "x", "--", ...echo]);
      expect(result.code).toBe(2);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toContain("mcpward.config.json");
      expect(result.stderr).toContain("cannot trust itself");
      expect(daemonFiles()).toEqual([]);
    } finally {
      writeFileSync(config, "{}");
    }
  });
});

describe("ask without a terminal", () => {
  it("refuses a third-party server's first start with the --yes hint (exit 3); --yes runs it", async () => {
    for (const env of [{}, { CI: "1" }]) {
      const result = await runCli(sandbox, ["echo", "--text", "hi", "--", ...echo], { env });
      expect(result.code).toBe(3);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toContain("trust.third-party");
      expect(result.stderr).toContain("--yes");
    }
    const yes = await runCli(sandbox, ["--yes", "echo", "--text", "hi", "--", ...echo]);
    expect(yes).toMatchObject({ code: 0, stdout: "hi\n" });
    // --yes approved this one call; nothing was remembered.
    expect(trustRecords()).toEqual([]);
    await stopDaemons();
  });

  it("after `policy trust` the server starts without --yes; its tools ask until allowed", async () => {
    const trust = await runCli(sandbox, ["policy", "trust", "--", ...echo]);
    expect(trust.code).toBe(0);
    expect(trustRecords().map((r) => r.kind)).toEqual(["server"]);

    const asked = await runCli(sandbox, ["echo", "--text", "hi", "--", ...echo]);
    expect(asked.code).toBe(3);
    expect(asked.stderr).toContain("approval.on-request");
    expect(asked.stderr).not.toContain("trust.third-party");
    expect(asked.stderr).toContain("--yes");

    writeUserConfig({ tools: { allow: ["echo"] } });
    try {
      const allowed = await runCli(sandbox, ["echo", "--text", "hi", "--", ...echo]);
      expect(allowed).toMatchObject({ code: 0, stdout: "hi\n" });
    } finally {
      writeUserConfig({});
    }
    await stopDaemons();
  });
});

/** The result of running the CLI in a tmux pane and answering its prompt. */
interface TerminalRun {
  /** The pane's text when the prompt appeared. */
  prompt: string;
  /** The pane's text at the end. */
  screen: string;
  code: number;
}

let panes = 0;

/**
 * Runs the CLI on a real terminal (a detached tmux pane) and answers the
 * prompt with `key`; without a key, expects no prompt at all.
 */
async function runInTerminal(
  args: string[],
  key: string | null,
  options: { ci?: boolean } = {},
): Promise<TerminalRun> {
  const name = `pane${++panes}`;
  const script = join(sandbox.root, `${name}.sh`);
  const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
  const exports = ["MCPWARD_RUNTIME_DIR", "MCPWARD_STATE_DIR", "MCPWARD_CONFIG_DIR", "PATH", "HOME"]
    .map((v) => `export ${v}=${quote(String(sandbox.env[v]))}`)
    .join("\n");
  writeFileSync(
    script,
    [
      exports,
      options.ci ? "export CI=1" : "unset CI",
      `cd ${quote(sandbox.project)}`,
      `${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(" ")}`,
      'echo "EXIT=$?"',
      "sleep 120",
      "",
    ].join("\n"),
  );
  const tmux = (...more: string[]): string =>
    execFileSync("tmux", ["-L", tmuxSocket, ...more], { encoding: "utf8" });
  tmux("new-session", "-d", "-s", name, "-x", "250", "-y", "50", `sh ${quote(script)}`);
  const screen = (): string => tmux("capture-pane", "-p", "-J", "-t", name, "-S", "-100");
  const until = async (text: string): Promise<string> => {
    for (let i = 0; i < 300; i++) {
      const shown = screen();
      if (shown.includes(text)) return shown;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`"${text}" never appeared; the pane shows:\n${screen()}`);
  };
  try {
    if (key === null) {
      const end = await until("EXIT=");
      return { prompt: "", screen: end, code: Number(/EXIT=(\d+)/.exec(end)?.[1]) };
    }
    const prompt = await until("Approve?");
    tmux("send-keys", "-t", name, key, "Enter");
    const end = await until("EXIT=");
    const code = Number(/EXIT=(\d+)/.exec(end)?.[1]);
    return { prompt, screen: end, code };
  } finally {
    tmux("kill-session", "-t", name);
  }
}

describe("the approval prompt on a terminal", () => {
  const secret = `ghp_${"Z9y8X7w6".repeat(5)}`;

  beforeAll(async () => {
    // Start approved, so the one prompt left is the tool call's.
    expect((await runCli(sandbox, ["policy", "trust", "--", ...echo])).code).toBe(0);
  });
  afterAll(() => stopDaemons());

  it("shows server, tool and arguments (secrets masked); [o]nce runs it and remembers nothing", async () => {
    const run = await runInTerminal(["echo", "--text", `hello ${secret}`, "--", ...echo], "o");
    expect(run.prompt).toContain("approval needed for this tool call");
    expect(run.prompt).toContain(`server:    node ${servers.echo}`);
    expect(run.prompt).toContain("tool:      echo");
    expect(run.prompt).toContain('arguments: {"text":"hello [REDACTED]"}');
    expect(run.prompt).toContain("rule:      approval.on-request");
    expect(run.prompt).not.toContain("ghp_");
    expect(run.code).toBe(0);
    // The tool's own output is the real argument, unmasked.
    expect(run.screen).toContain(`hello ${secret}`);
    expect(trustRecords().filter((r) => r.kind === "tool")).toEqual([]);
  });

  it("[a]lways runs it and remembers the tool in the trust store", async () => {
    const run = await runInTerminal(["echo", "--text", "kept", "--", ...echo], "a");
    expect(run.code).toBe(0);
    expect(
      trustRecords()
        .filter((r) => r.kind === "tool")
        .map((r) => r.tool),
    ).toEqual(["echo"]);
    const again = await runCli(sandbox, ["echo", "--text", "no prompt", "--", ...echo]);
    expect(again).toMatchObject({ code: 0, stdout: "no prompt\n" });
  });

  it("does not prompt on a terminal when CI is set: exit 3 with the --yes hint", async () => {
    const run = await runInTerminal(["add", "--a", "1", "--b", "2", "--", ...echo], null, {
      ci: true,
    });
    expect(run.screen).not.toContain("Approve?");
    expect(run.screen).toContain("--yes");
    expect(run.code).toBe(3);
  });

  it("[d]eny refuses the call with exit 3", async () => {
    const run = await runInTerminal(["add", "--a", "1", "--b", "2", "--", ...echo], "d");
    expect(run.prompt).toContain("tool:      add");
    expect(run.prompt).toContain('arguments: {"a":1,"b":2}');
    expect(run.code).toBe(3);
    expect(run.screen).toContain("refused at the approval prompt");
  });
});

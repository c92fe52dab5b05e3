import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSandbox,
  daemonStatuses,
  destroySandbox,
  lines,
  runCli,
  type Sandbox,
  waitFor,
} from "./helpers.js";

const COUNTER = ["--", "node", servers.counter];
const ECHO = ["--", "node", servers.echo];

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

/**
 * True while `pid` runs. On Linux a zombie counts as gone: daemons are
 * detached, and in a container whose init does not reap, an exited daemon
 * stays a zombie that `kill(pid, 0)` still finds.
 */
function alive(pid: number): boolean {
  if (process.platform === "linux") {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
      return state !== "Z" && state !== "X";
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("daemon commands when nothing runs", () => {
  it.each([[["status"]], [["stop"]], [["restart"]], [["status", "--all"]], [["stop", "--all"]]])(
    "daemon %j says no daemons are running and exits 0",
    async (args) => {
      const result = await runCli(sandbox, ["daemon", ...args]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^no daemons running( in .*project)?\n$/);
    },
  );

  it("status --json prints an empty list", async () => {
    expect(await runCli(sandbox, ["daemon", "status", "--json"])).toMatchObject({
      code: 0,
      stdout: "[]\n",
    });
  });

  it("clean and logs say there is nothing", async () => {
    expect((await runCli(sandbox, ["daemon", "clean"])).stdout).toMatch(/^nothing to clean/);
    expect((await runCli(sandbox, ["daemon", "logs"])).stdout).toMatch(/^no daemon logs in /);
    const stop = await runCli(sandbox, ["daemon", "stop", ...COUNTER]);
    expect(stop).toMatchObject({ code: 0 });
    expect(stop.stdout).toMatch(/^no daemon running for node .*counter\.mjs in /);
  });

  it("start without a server is a usage error", async () => {
    const result = await runCli(sandbox, ["daemon", "start"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "mcpward: daemon start needs a server: mcpward daemon start -- <server command>\n",
    );
  });

  it("an unknown daemon command is a usage error with a did-you-mean", async () => {
    const result = await runCli(sandbox, ["daemon", "stauts"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^mcpward: unknown daemon command "stauts"; did you mean status\b.*\?\n$/,
    );
  });
});

describe("daemon lifecycle", () => {
  it("start, status, restart and stop one server's daemon", async () => {
    const start = await runCli(sandbox, ["daemon", "start", ...COUNTER]);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(
      /^started daemon [0-9a-f]{8} for node .*counter\.mjs \(pid \d+, server pid \d+, 2 tools\)\n$/,
    );
    const again = await runCli(sandbox, ["daemon", "start", ...COUNTER]);
    expect(again.stdout).toMatch(/^already running: daemon /);

    await runCli(sandbox, ["increment", "--by", "7", ...COUNTER]);
    const [status] = await daemonStatuses(sandbox, COUNTER);
    expect(status).toMatchObject({ state: "ready", calls: 1, tools: 2, restarts: 0 });
    expect(status!.logPath).toMatch(/\.log$/);

    const table = await runCli(sandbox, ["daemon", "status"]);
    const [header, row] = lines(table.stdout);
    expect(header).toMatch(
      /^ID\s+STATE\s+PIDS\s+UPTIME\s+LAST USED\s+CALLS\s+RESTARTS\s+TOOLS\s+MEMORY\s+IDLE LEFT\s+SERVER$/,
    );
    expect(row).toContain(String(status!.daemonId).slice(0, 8));
    expect(row).toContain("ready");
    expect(row).toContain(`${status!.pid}/${status!.serverPid}`);

    const restart = await runCli(sandbox, ["daemon", "restart", ...COUNTER]);
    expect(restart.stdout).toMatch(/^restarted daemon /);
    const [restarted] = await daemonStatuses(sandbox, COUNTER);
    expect(restarted!.pid).not.toBe(status!.pid);
    expect((await runCli(sandbox, ["get", ...COUNTER])).stdout).toBe("0\n");

    const stop = await runCli(sandbox, ["daemon", "stop", ...COUNTER]);
    expect(stop.stdout).toMatch(/^stopped daemon [0-9a-f]{8} \(node .*counter\.mjs\)\n$/);
    expect(alive(Number(restarted!.pid))).toBe(false);
    expect(alive(Number(restarted!.serverPid))).toBe(false);
    expect(await daemonStatuses(sandbox)).toEqual([]);
  });

  it("prints a daemon's log, filters it with --since, and prefixes ids for the project", async () => {
    await runCli(sandbox, ["sleep", "--ms", "1", "--", "node", servers.slow]);
    await runCli(sandbox, ["echo", "--text", "x", ...ECHO]);
    // Ctrl+C-free way to get a server stderr line: cancel via timeout.
    await runCli(sandbox, [
      "--tool-timeout",
      "0.2",
      "sleep",
      "--ms",
      "3000",
      "--",
      "node",
      servers.slow,
    ]);
    const one = await runCli(sandbox, ["daemon", "logs", "--", "node", servers.slow]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z daemon: daemon [0-9a-f]{24} listening/m);
    expect(one.stdout).toMatch(/server: slow: sleep 3000 cancelled/);
    expect(one.stdout).not.toContain("echo.mjs");

    const all = await runCli(sandbox, ["daemon", "logs"]);
    const prefixes = new Set(lines(all.stdout).map((l) => l.slice(0, 11)));
    for (const prefix of prefixes) expect(prefix).toMatch(/^\[[0-9a-f]{8}\] $/);
    for (const daemon of await daemonStatuses(sandbox)) {
      expect(prefixes).toContain(`[${String(daemon.daemonId).slice(0, 8)}] `);
    }
    expect(all.stdout).toMatch(/^\[[0-9a-f]{8}\] \S+ daemon: starting server: node .*echo\.mjs$/m);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await runCli(sandbox, ["daemon", "logs", "--since", future])).stdout).toBe("");
    expect((await runCli(sandbox, ["daemon", "logs", "--since", "1d"])).stdout).toBe(all.stdout);
    const bad = await runCli(sandbox, ["daemon", "logs", "--since", "yesterday"]);
    expect(bad.code).toBe(2);
  });

  it("follows a log until Ctrl+C", async () => {
    let child: import("node:child_process").ChildProcess | undefined;
    let seen = "";
    const follow = runCli(sandbox, ["daemon", "logs", "--follow", "--", "node", servers.slow], {
      onSpawn: (c) => {
        child = c;
        c.stdout?.on("data", (chunk: Buffer) => {
          seen += chunk.toString();
        });
      },
    });
    await waitFor(async () => seen.includes("listening"));
    await runCli(sandbox, [
      "--tool-timeout",
      "0.2",
      "sleep",
      "--ms",
      "4321",
      "--",
      "node",
      servers.slow,
    ]);
    await waitFor(async () => seen.includes("sleep 4321 cancelled"));
    child!.kill("SIGINT");
    const result = await follow;
    expect(result.code).toBe(130);
  });

  it("shows a killed daemon as stale, and clean removes it and its orphaned server", async () => {
    // This server survives its daemon (it ignores stdin EOF and SIGTERM).
    const server = ["--", "STALE=1", "node", servers.ignoreSigterm];
    expect((await runCli(sandbox, ["ok", ...server])).code).toBe(0);
    const [stale] = await daemonStatuses(sandbox, server);
    expect(stale).toBeDefined();
    process.kill(Number(stale!.pid), "SIGKILL");
    await waitFor(async () => !alive(Number(stale!.pid)));

    const [listed] = await daemonStatuses(sandbox, server);
    expect(listed).toMatchObject({ daemonId: stale!.daemonId, state: "stale" });
    const table = await runCli(sandbox, ["daemon", "status"]);
    expect(table.stdout).toMatch(
      new RegExp(`^${String(stale!.daemonId).slice(0, 8)}\\s+stale\\s`, "m"),
    );
    expect(alive(Number(stale!.serverPid))).toBe(true);

    const clean = await runCli(sandbox, ["daemon", "clean"]);
    expect(clean.stdout).toMatch(/^removed 1 stale daemon in .*; ended 1 orphaned server\n$/);
    expect(alive(Number(stale!.serverPid))).toBe(false);
    expect(await daemonStatuses(sandbox, server)).toEqual([]);
    expect(existsSync(String(stale!.logPath))).toBe(true);
    expect((await runCli(sandbox, ["daemon", "clean"])).stdout).toMatch(/^nothing to clean/);
  });

  it("stops every daemon of the project, and of every project with --all", async () => {
    await runCli(sandbox, ["pid", ...ECHO]);
    const elsewhere = `${sandbox.root}/other`;
    mkdirSync(elsewhere, { recursive: true });
    await runCli(sandbox, ["pid", ...ECHO], { cwd: elsewhere });
    expect((await daemonStatuses(sandbox, ["--all"])).length).toBeGreaterThanOrEqual(2);

    const all = await runCli(sandbox, ["daemon", "status", "--all"]);
    expect(all.stdout).toMatch(/^project .*\/other$/m);

    const stop = await runCli(sandbox, ["daemon", "stop"]);
    expect(stop.stdout).toMatch(/^stopped daemon /);
    expect(await daemonStatuses(sandbox)).toEqual([]);
    expect(await daemonStatuses(sandbox, ["--all"])).toHaveLength(1);

    const stopAll = await runCli(sandbox, ["daemon", "stop", "--all"]);
    expect(stopAll.stdout).toMatch(/^stopped daemon [0-9a-f]{8} \(.*\) in .*\/other\n$/);
    expect(await daemonStatuses(sandbox, ["--all"])).toEqual([]);
  });
});

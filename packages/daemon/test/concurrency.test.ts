import { spawn } from "node:child_process";
import { existsSync, mkdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  computeDaemonId,
  computeProjectId,
  type DaemonPaths,
  daemonPaths,
  type ServerSpec,
} from "@mcpward/core/light";
import { servers } from "@mcpward/test-servers";
import { afterAll, describe, expect, it } from "vitest";
import { cleanDaemons, stopAll } from "../dist/client.js";
import {
  CLIENT_URL,
  createSandbox,
  ensure,
  isAlive,
  listDir,
  nodeSpec,
  processStartTime,
  readMeta,
  resultText,
  sleep,
  waitFor,
} from "./helpers.js";

const sandbox = createSandbox();
afterAll(() => sandbox.cleanup(), 60_000);

/** The paths a daemon for `spec` in `project` will use, with its project directory created 0700. */
function pathsFor(project: string, spec: ServerSpec): DaemonPaths {
  const paths = daemonPaths(
    sandbox.runtimeDir,
    computeProjectId(project),
    computeDaemonId(spec, project),
  );
  mkdirSync(paths.projectDir, { recursive: true, mode: 0o700 });
  return paths;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "0"]);
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

/** Metadata as a daemon that has since died would have left it. */
function deadDaemonMeta(project: string, spec: ServerSpec, paths: DaemonPaths, pid: number) {
  return {
    daemonId: computeDaemonId(spec, project),
    projectId: computeProjectId(project),
    projectDir: project,
    pid,
    startTime: "1",
    daemonVersion: "0.0.0",
    protocol: 1,
    socket: paths.socket,
    server: { command: spec.command, args: spec.args, envNames: [] },
    startedAt: new Date().toISOString(),
    serverPid: null,
    serverStartTime: null,
    secret: "0".repeat(64),
  };
}

/**
 * One racing client process: imports the built client, says "ready", waits
 * for the go file, then ensureDaemon + one echo call, and prints a JSON line.
 */
const RACER = `
import { existsSync } from "node:fs";
const [clientUrl, goFile, projectDir, index, specJson] = process.argv.slice(2);
const { ensureDaemon } = await import(clientUrl);
process.stdout.write("ready\\n");
while (!existsSync(goFile)) await new Promise((r) => setTimeout(r, 2));
try {
  const d = await ensureDaemon({ spec: JSON.parse(specJson), projectDir, approve: true });
  const text = "hello from racer " + index;
  const result = await d.client.call({ tool: "echo", tokens: ["--text", text] });
  const status = await d.client.status();
  d.client.close();
  process.stdout.write(JSON.stringify({ ok: true, expected: text, text: result.content[0].text,
    started: d.started, pid: status.pid, serverPid: status.serverPid, meta: d.paths.meta }) + "\\n");
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, code: error.code, message: error.message }) + "\\n");
  process.exitCode = 1;
}
`;

interface RacerReport {
  ok: boolean;
  expected?: string;
  text?: string;
  started?: boolean;
  pid?: number;
  serverPid?: number;
  meta?: string;
  code?: string;
  message?: string;
}

describe("many clients", () => {
  it("starts one daemon and one server for twenty simultaneous first calls from twenty processes", async () => {
    const project = sandbox.project("race");
    const spec = nodeSpec(servers.echo);
    const script = join(sandbox.root, "racer.mjs");
    const goFile = join(sandbox.root, "go");
    writeFileSync(script, RACER);

    // A lock left by a process that is gone: the racers must take it over without
    // starting two daemons (or failing a call when two of them take it over at once).
    const paths = pathsFor(project, spec);
    writeFileSync(paths.lock, JSON.stringify({ pid: await deadPid(), startTime: "1" }));

    const racers = Array.from({ length: 20 }, (_, index) => {
      const child = spawn(
        process.execPath,
        [script, CLIENT_URL, goFile, project, String(index), JSON.stringify(spec)],
        { env: sandbox.env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        err += chunk.toString();
      });
      const done = new Promise<RacerReport>((resolve) => {
        child.once("close", () => {
          const last = out.trim().split("\n").at(-1) ?? "";
          try {
            resolve(JSON.parse(last) as RacerReport);
          } catch {
            resolve({ ok: false, message: `no report; stdout ${out} stderr ${err}` });
          }
        });
      });
      return { ready: () => out.startsWith("ready\n"), done };
    });
    // Release them together, once every process has loaded the client.
    await waitFor(() => racers.every((r) => r.ready()), { timeoutMs: 30_000, what: "racers" });
    writeFileSync(goFile, "");
    const reports = await Promise.all(racers.map((r) => r.done));

    for (const report of reports)
      expect(report, JSON.stringify(report)).toMatchObject({ ok: true });
    for (const report of reports) expect(report.text).toBe(report.expected);
    expect(new Set(reports.map((r) => r.pid)).size).toBe(1);
    expect(new Set(reports.map((r) => r.serverPid)).size).toBe(1);
    expect(reports.filter((r) => r.started)).toHaveLength(1);

    const metaPath = reports[0]!.meta!;
    const projectDir = join(metaPath, "..");
    expect(listDir(projectDir).filter((name) => name.endsWith(".json"))).toHaveLength(1);
    expect(listDir(projectDir).filter((name) => name.endsWith(".sock"))).toHaveLength(1);
    expect(listDir(projectDir).filter((name) => name.endsWith(".lock"))).toHaveLength(0);

    const { client, started } = await ensure(sandbox, project, spec);
    try {
      expect(started).toBe(false);
      const status = await client.status();
      expect(status.pid).toBe(reports[0]!.pid);
      expect(status.serverPid).toBe(reports[0]!.serverPid);
      expect(status.calls).toBe(20);
      expect(status.restarts).toBe(0);
      expect(readMeta(metaPath).serverPid).toBe(status.serverPid);
    } finally {
      client.close();
    }
  }, 90_000);

  it("gives each of many concurrent clients only its own results", async () => {
    const project = sandbox.project("many");
    const spec = nodeSpec(servers.echo);
    const daemons = await Promise.all(
      Array.from({ length: 10 }, () => ensure(sandbox, project, spec)),
    );
    try {
      expect(
        new Set(await Promise.all(daemons.map(async (d) => (await d.client.ping()).pid))).size,
      ).toBe(1);
      // Every connection numbers its requests from 1, so ids collide across clients on purpose.
      const calls = daemons.flatMap((d, i) =>
        Array.from({ length: 5 }, async (_, j) => {
          const text = `client ${i} call ${j}`;
          const result = await d.client.call({ tool: "echo", arguments: { text } });
          return { text, got: resultText(result) };
        }),
      );
      for (const { text, got } of await Promise.all(calls)) expect(got).toBe(text);
    } finally {
      for (const d of daemons) d.client.close();
    }
  });
});

describe("a daemon killed with SIGKILL", () => {
  // ignore-sigterm outlives its daemon (an idle SDK server would exit on stdin EOF by itself),
  // has a grandchild in its process group, and needs SIGKILL: the hardest orphan to reap.
  async function startAndKill(project: string) {
    const spec = nodeSpec(servers.ignoreSigterm);
    const first = await ensure(sandbox, project, spec);
    const grandchild = Number(
      resultText(await first.client.call({ tool: "grandchild_pid", tokens: [] })),
    );
    const status = await first.client.status();
    first.client.close();
    const daemonPid = status.pid as number;
    const serverPid = status.serverPid as number;
    expect(readMeta(first.paths.meta).serverPid).toBe(serverPid);

    process.kill(daemonPid, "SIGKILL");
    await waitFor(() => !isAlive(daemonPid), { what: "the daemon to die" });
    // The server and its grandchild outlive the daemon until someone reaps them.
    expect(isAlive(serverPid)).toBe(true);
    expect(isAlive(grandchild)).toBe(true);
    expect(existsSync(first.paths.meta)).toBe(true);
    expect(existsSync(first.paths.socket)).toBe(true);
    return { spec, paths: first.paths, daemonPid, serverPid, grandchild };
  }

  it("is replaced by the next call, which also ends the orphaned server", async () => {
    const project = sandbox.project("kill9");
    const old = await startAndKill(project);

    const second = await ensure(sandbox, project, old.spec);
    try {
      expect(second.started).toBe(true);
      await waitFor(() => !isAlive(old.serverPid) && !isAlive(old.grandchild), {
        what: "the orphaned server and its grandchild to be reaped",
      });
      const grandchild = Number(
        resultText(await second.client.call({ tool: "grandchild_pid", tokens: [] })),
      );
      expect(grandchild).not.toBe(old.grandchild);
      const after = await second.client.status();
      expect(after.pid).not.toBe(old.daemonPid);
      expect(after.serverPid).not.toBe(old.serverPid);
      expect(readMeta(second.paths.meta).pid).toBe(after.pid);
      expect(listDir(second.paths.projectDir).filter((n) => n.endsWith(".json"))).toHaveLength(1);
    } finally {
      second.client.close();
    }
  });

  it("leaves files that cleanDaemons removes, ending the orphaned server", async () => {
    const project = sandbox.project("clean");
    const old = await startAndKill(project);

    const cleaned = await cleanDaemons({ projectDir: project, env: sandbox.env });
    expect(cleaned).toEqual({ removed: 1, killedServers: 1 });
    await waitFor(() => !isAlive(old.serverPid) && !isAlive(old.grandchild), {
      what: "the orphaned server and its grandchild to be reaped",
    });
    expect(existsSync(old.paths.meta)).toBe(false);
    expect(existsSync(old.paths.socket)).toBe(false);
  });
});

describe("orphan reaping", () => {
  it("reaps the server of a daemon killed while that server was still starting", async () => {
    const project = sandbox.project("kill-starting");
    const { client, paths } = await ensure(sandbox, project, nodeSpec(servers.hangInit), {
      settings: { startupTimeout: 120 },
    });
    const { pid: daemonPid } = await client.ping();
    // The pid is on record before initialize completes (here: never).
    const serverPid = await waitFor(() => readMeta(paths.meta).serverPid, {
      what: "the server pid in the metadata",
    });
    // Once it has written its stderr line: a server killed by SIGPIPE on that
    // write (its reader, the daemon, gone) would be no orphan to reap.
    await waitFor(
      async () =>
        ((await client.status()).recentStderr as string[]).join("\n").includes("hang-init"),
      { what: "the server's first stderr line" },
    );
    client.close();
    expect(isAlive(serverPid)).toBe(true);

    process.kill(daemonPid, "SIGKILL");
    await waitFor(() => !isAlive(daemonPid), { what: "the daemon to die" });
    expect(await cleanDaemons({ projectDir: project, env: sandbox.env })).toEqual({
      removed: 1,
      killedServers: 1,
    });
    await waitFor(() => !isAlive(serverPid), { what: "the starting server to be reaped" });
  });

  it("never kills a process that now has a dead server's pid", async () => {
    const project = sandbox.project("reused-pid");
    const spec = nodeSpec(servers.echo);
    const paths = pathsFor(project, spec);
    // Its own process group, as a server would have: a wrong kill would reach it.
    const bystander = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
      detached: true,
      stdio: "ignore",
      env: sandbox.env as NodeJS.ProcessEnv,
    });
    try {
      await waitFor(() => isAlive(bystander.pid), { what: "the bystander" });
      writeFileSync(
        paths.meta,
        JSON.stringify({
          ...deadDaemonMeta(project, spec, paths, await deadPid()),
          serverPid: bystander.pid,
          serverStartTime: "1",
        }),
        { mode: 0o600 },
      );
      expect(await cleanDaemons({ projectDir: project, env: sandbox.env })).toEqual({
        removed: 1,
        killedServers: 0,
      });
      await sleep(300);
      expect(isAlive(bystander.pid)).toBe(true);
      expect(existsSync(paths.meta)).toBe(false);
    } finally {
      bystander.kill("SIGKILL");
    }
  });

  it("reaps dead daemons of the scope's runtime directory when stopping the live ones", async () => {
    const project = sandbox.project("stop-reaps");
    const dead = await ensure(sandbox, project, nodeSpec(servers.ignoreSigterm));
    expect(resultText(await dead.client.call({ tool: "ok", tokens: [] }))).toBe("ok");
    const deadStatus = await dead.client.status();
    dead.client.close();
    const live = await ensure(sandbox, project, nodeSpec(servers.echo));
    const { pid: livePid } = await live.client.ping();
    live.client.close();

    process.kill(deadStatus.pid as number, "SIGKILL");
    await waitFor(() => !isAlive(deadStatus.pid as number), { what: "the daemon to die" });
    expect(isAlive(deadStatus.serverPid as number)).toBe(true);

    expect(await stopAll({ projectDir: project, env: sandbox.env })).toBe(1);
    await waitFor(() => !isAlive(livePid) && !isAlive(deadStatus.serverPid as number), {
      what: "the live daemon and the orphaned server to be gone",
    });
    expect(listDir(dead.paths.projectDir)).toEqual([]);
  });
});

describe("the start lock", () => {
  it("waits for a lock that is being written instead of taking it over", async () => {
    const project = sandbox.project("lock-written");
    const spec = nodeSpec(servers.echo);
    const paths = pathsFor(project, spec);
    // Another client has just created the lock and not yet written its pid.
    writeFileSync(paths.lock, "", { mode: 0o600 });
    let settled = false;
    const pending = ensure(sandbox, project, spec).finally(() => {
      settled = true;
    });
    await sleep(200);
    // Now it has: a live holder (this process).
    writeFileSync(
      paths.lock,
      JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }),
    );
    await sleep(500);
    expect(settled).toBe(false);
    expect(existsSync(paths.meta)).toBe(false);
    unlinkSync(paths.lock);
    const { client, started } = await pending;
    try {
      expect(started).toBe(true);
      expect((await client.ping()).pong).toBe(true);
    } finally {
      client.close();
    }
  });
});

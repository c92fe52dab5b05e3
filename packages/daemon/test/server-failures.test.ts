import { existsSync } from "node:fs";
import { servers } from "@mcpward/test-servers";
import { afterAll, describe, expect, it } from "vitest";
import { listDaemons, stopDaemon } from "../dist/client.js";
import {
  cmdline,
  createSandbox,
  ensure,
  isAlive,
  nodeSpec,
  parentPid,
  resultText,
  taggedProcesses,
  waitFor,
} from "./helpers.js";

const sandbox = createSandbox();
afterAll(() => sandbox.cleanup(), 60_000);

/** Live children of `daemonPid` running `script`. */
function running(daemonPid: number, script: string): number[] {
  return taggedProcesses(sandbox.tag).filter((pid) => {
    try {
      return parentPid(pid) === daemonPid && cmdline(pid).includes(script);
    } catch {
      return false;
    }
  });
}

describe("server failures", () => {
  it("fails a call whose server crashes with SERVER_CRASHED, then restarts it for the next call", async () => {
    const { client } = await ensure(sandbox, sandbox.project("crash"), nodeSpec(servers.crash));
    try {
      const firstPid = (await client.status()).serverPid as number;
      expect(resultText(await client.call({ tool: "ok", tokens: [] }))).toBe("ok");
      const error = await client.call({ tool: "crash", tokens: [] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "SERVER_CRASHED" });
      expect((error as Error).message).toMatch(/exit code 3/);
      expect((error as Error).message).toContain("about to crash");
      expect((await client.ping()).pong).toBe(true);

      expect(resultText(await client.call({ tool: "ok", tokens: [] }))).toBe("ok");
      const status = await client.status();
      expect(status.restarts).toBe(1);
      expect(status.state).toBe("ready");
      expect(status.serverPid).not.toBe(firstPid);
      expect(isAlive(firstPid)).toBe(false);
    } finally {
      client.close();
    }
  });

  it("opens the circuit breaker after repeated crashes and reports the last stderr", async () => {
    const { client } = await ensure(sandbox, sandbox.project("breaker"), nodeSpec(servers.crash));
    try {
      for (let i = 0; i < 5; i++) {
        const error = await client.call({ tool: "crash", tokens: [] }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: "SERVER_CRASHED" });
      }
      const status = await client.status();
      expect(status.state).toBe("failed");
      expect(status.serverPid).toBeNull();
      const error = await client.call({ tool: "ok", tokens: [] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "SERVER_FAILED" });
      expect((error as Error).message).toContain("about to crash");
      const { pid } = await client.ping();
      expect(running(pid, servers.crash)).toEqual([]);
    } finally {
      client.close();
    }
  });

  it("reports TIMEOUT for a server that never finishes initialize, and leaves no server running", async () => {
    const { client } = await ensure(sandbox, sandbox.project("hang"), nodeSpec(servers.hangInit), {
      settings: { startupTimeout: 1 },
    });
    try {
      const error = await client.call({ tool: "anything", tokens: [] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "TIMEOUT" });
      expect((error as Error).message).toMatch(/did not finish starting/);
      expect((error as Error).message).toContain("hang-init: started");
      const { pid } = await client.ping();
      await waitFor(() => running(pid, servers.hangInit).length === 0, {
        what: "the hung server to be killed",
      });
      expect((await client.status()).serverPid).toBeNull();
    } finally {
      client.close();
    }
  });

  it("reports SERVER_START_FAILED with the last stderr line for a server that exits at once", async () => {
    const project = sandbox.project("exit");
    const { client } = await ensure(sandbox, project, nodeSpec(servers.exitImmediately));
    try {
      const error = await client.call({ tool: "anything", tokens: [] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "SERVER_START_FAILED" });
      expect((error as Error).message).toContain("fatal: missing configuration");
      expect((await client.status()).lastError).toBeTruthy();
    } finally {
      client.close();
    }
  });

  it("reports SERVER_START_FAILED 'not found' for a command that does not exist", async () => {
    const spec = { command: "mcpward-no-such-command-zz", args: [], env: {} };
    const { client } = await ensure(sandbox, sandbox.project("enoent"), spec);
    try {
      const error = await client.call({ tool: "anything", tokens: [] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "SERVER_START_FAILED" });
      expect((error as Error).message).toMatch(/not found/);
      expect((error as Error).message).toContain("mcpward-no-such-command-zz");
    } finally {
      client.close();
    }
  });

  it("stops a server that ignores SIGTERM together with its grandchild", async () => {
    const project = sandbox.project("sigterm");
    const { client, paths } = await ensure(sandbox, project, nodeSpec(servers.ignoreSigterm));
    const grandchild = Number(
      resultText(await client.call({ tool: "grandchild_pid", tokens: [] })),
    );
    const status = await client.status();
    client.close();
    const serverPid = status.serverPid as number;
    const daemonPid = status.pid as number;
    expect(isAlive(serverPid)).toBe(true);
    expect(isAlive(grandchild)).toBe(true);

    const [entry] = listDaemons({ projectDir: project, env: sandbox.env });
    expect(entry?.meta.pid).toBe(daemonPid);
    await stopDaemon(entry!);
    await waitFor(() => !isAlive(serverPid) && !isAlive(grandchild) && !isAlive(daemonPid), {
      what: "server, grandchild and daemon to be gone",
    });
    expect(existsSync(paths.socket)).toBe(false);
    expect(existsSync(paths.meta)).toBe(false);
  });
});

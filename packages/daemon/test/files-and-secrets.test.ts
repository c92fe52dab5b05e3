import { spawn } from "node:child_process";
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { computeProjectId } from "@mcpward/core/light";
import { servers } from "@mcpward/test-servers";
import { afterAll, describe, expect, it } from "vitest";
import { listDaemons } from "../dist/client.js";
import {
  cmdline,
  createSandbox,
  DAEMON_ENTRY,
  ensure,
  filesBelow,
  isAlive,
  listDir,
  mode,
  nodeSpec,
  readMeta,
  resultText,
  waitFor,
} from "./helpers.js";

const sandbox = createSandbox();
afterAll(() => sandbox.cleanup(), 60_000);

const CANARY = "canary-zz-123456";

describe("daemon files and secrets", () => {
  it("creates the runtime and project directories 0700 and the socket and metadata 0600", async () => {
    expect(existsSync(sandbox.runtimeDir)).toBe(false);
    const project = sandbox.project("perms");
    const { client, paths } = await ensure(sandbox, project, nodeSpec(servers.echo));
    try {
      expect(mode(sandbox.runtimeDir)).toBe(0o700);
      expect(mode(paths.projectDir)).toBe(0o700);
      expect(lstatSync(paths.socket).isSocket()).toBe(true);
      expect(mode(paths.socket)).toBe(0o600);
      expect(mode(paths.meta)).toBe(0o600);
      const status = await client.status();
      expect(mode(String(status.logPath))).toBe(0o600);
      expect(mode(sandbox.stateDir)).toBe(0o700);
    } finally {
      client.close();
    }
  });

  it("keeps the server spec out of the daemon's argv", async () => {
    const project = sandbox.project("argv");
    const spec = nodeSpec(servers.echo, { CANARY_TOKEN: CANARY });
    const { client } = await ensure(sandbox, project, spec);
    try {
      const { pid } = await client.ping();
      const argv = cmdline(pid);
      // Only node itself, its memory flag and the entry: no spec, no env value.
      expect(argv).toEqual([process.execPath, "--max-semi-space-size=1", DAEMON_ENTRY]);
      expect(argv.join(" ")).not.toContain(CANARY);
      expect(argv.join(" ")).not.toContain(servers.echo);
      // The daemon's own environment is the caller's; the explicit env goes to the server only.
      expect(readFileSync(`/proc/${pid}/environ`, "latin1")).not.toContain(CANARY);
    } finally {
      client.close();
    }
  });

  it("never writes env values given after -- into metadata, logs or status", async () => {
    const project = sandbox.project("canary");
    const spec = nodeSpec(servers.echo, { CANARY_TOKEN: CANARY });
    const { client, paths } = await ensure(sandbox, project, spec);
    try {
      // The server does receive it.
      const result = await client.call({ tool: "env", tokens: ["--name", "CANARY_TOKEN"] });
      expect(resultText(result)).toBe(CANARY);
      await client.call({ tool: "ad", tokens: [] }).catch(() => {});

      const status = await client.status();
      expect(JSON.stringify(status)).not.toContain(CANARY);
      expect(status.server).toContain("CANARY_TOKEN=***");
      const help = await client.help("env");
      expect(help.text).not.toContain(CANARY);

      const meta = readMeta(paths.meta);
      expect(meta.server.envNames).toEqual(["CANARY_TOKEN", "MW_TEST_TAG"]);
      expect(JSON.stringify(listDaemons({ projectDir: project, env: sandbox.env }))).not.toContain(
        CANARY,
      );
      const files = [...filesBelow(sandbox.runtimeDir), ...filesBelow(sandbox.stateDir)];
      expect(files).toContain(paths.meta);
      expect(files.some((f) => f.endsWith(".log"))).toBe(true);
      for (const file of files) {
        expect(readFileSync(file, "latin1"), file).not.toContain(CANARY);
      }
    } finally {
      client.close();
    }
  });

  it("refuses to start from a spec whose daemon id does not match it", async () => {
    const project = sandbox.project("id-mismatch");
    const projectId = computeProjectId(project);
    const spec = {
      ...nodeSpec(servers.echo),
      projectDir: project,
      projectId,
      daemonId: "0".repeat(24),
      runtimeDir: sandbox.runtimeDir,
      stateDir: sandbox.stateDir,
    };
    const child = spawn(process.execPath, [DAEMON_ENTRY], {
      env: sandbox.env as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "ignore"],
    });
    child.stdin.end(JSON.stringify(spec));
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once("close", resolve));
    expect(code).toBe(1);
    expect(JSON.parse(out.trim())).toMatchObject({
      error: { code: "DAEMON_FAILED", message: expect.stringMatching(/does not match its id/) },
    });
    expect(listDir(join(sandbox.runtimeDir, projectId))).toEqual([]);
  });

  it("gives the server the explicit env but none of mcpward's own variables", async () => {
    const project = sandbox.project("server-env");
    const env = sandbox.envWith({ MCPWARD_CALL_RATE: "500" });
    const spec = nodeSpec(servers.echo, { EXPLICIT_ONE: "value-one" });
    const { client } = await ensure(sandbox, project, spec, { env });
    try {
      const read = async (name: string) =>
        resultText(await client.call({ tool: "env", arguments: { name } }));
      expect(await read("EXPLICIT_ONE")).toBe("value-one");
      expect(await read("MW_TEST_TAG")).toBe(sandbox.tag);
      for (const name of ["MCPWARD_RUNTIME_DIR", "MCPWARD_STATE_DIR", "MCPWARD_CALL_RATE"]) {
        expect(await read(name)).toBe("(unset)");
      }
    } finally {
      client.close();
    }
  });

  it("shuts down gracefully on SIGTERM, removing its files and ending its server", async () => {
    const project = sandbox.project("sigterm-daemon");
    const { client, paths } = await ensure(sandbox, project, nodeSpec(servers.counter));
    expect(resultText(await client.call({ tool: "get", tokens: [] }))).toBe("0");
    const status = await client.status();
    client.close();
    process.kill(status.pid as number, "SIGTERM");
    await waitFor(() => !isAlive(status.pid as number) && !isAlive(status.serverPid as number), {
      what: "daemon and server to exit",
    });
    expect(listDir(paths.projectDir)).toEqual([]);
  });

  it("shuts down when idle, removes its socket and metadata, and ends its server", async () => {
    const project = sandbox.project("idle");
    const env = sandbox.envWith({ MCPWARD_IDLE_TIMEOUT: "1" });
    const { client, paths } = await ensure(sandbox, project, nodeSpec(servers.counter), { env });
    const result = await client.call({ tool: "increment", tokens: [] });
    expect(resultText(result)).toBe("1");
    const status = await client.status();
    const daemonPid = status.pid as number;
    const serverPid = status.serverPid as number;
    client.close();
    expect(isAlive(serverPid)).toBe(true);

    await waitFor(() => !isAlive(daemonPid), { what: "the idle daemon to exit" });
    expect(existsSync(paths.socket)).toBe(false);
    expect(existsSync(paths.meta)).toBe(false);
    expect(listDir(paths.projectDir)).toEqual([]);
    await waitFor(() => !isAlive(serverPid), { what: "the server to be gone" });
  });
});

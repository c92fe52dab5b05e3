// Restart on code change, memory limits and the status figures, with real
// daemons and the dependency-free lifecycle fixture copied into each project
// (a script inside the project is a level-2 server: it starts without a
// prompt, and the test can edit it between calls).
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { computeProjectId } from "@mcpward/core/light";
import { servers } from "@mcpward/test-servers";
import { afterAll, describe, expect, it } from "vitest";
import { type DaemonClient, type DaemonEvent, ensureDaemon } from "../dist/client.js";
import { createSandbox, ensure, isAlive, nodeSpec, resultText, waitFor } from "./helpers.js";

const sandbox = createSandbox();
afterAll(() => sandbox.cleanup(), 60_000);

/** The user config directory of this file's daemons (the sandbox's, never the real one). */
const configDir = String(sandbox.env.MCPWARD_CONFIG_DIR);
const userConfig = readFileSync(join(configDir, "config.json"), "utf8");
const env = sandbox.env;

/** A project holding a copy of the lifecycle fixture; returns the project and the script. */
function projectWithServer(name: string, dir?: string): { project: string; script: string } {
  const project = sandbox.project(name);
  const where = dir ?? project;
  mkdirSync(where, { recursive: true });
  const script = join(where, "server.mjs");
  copyFileSync(servers.lifecycle, script);
  return { project, script };
}

/** Rewrites the fixture's VERSION constant in place (the size changes too). */
function editInPlace(script: string, version: string): void {
  const text = readFileSync(script, "utf8").replace(
    /const VERSION = "[^"]*";/,
    `const VERSION = "${version}";`,
  );
  writeFileSync(script, text);
}

/** Saves the way many editors do: write a new file, rename it over the old one. */
function editByRename(script: string, version: string): void {
  const text = readFileSync(script, "utf8").replace(
    /const VERSION = "[^"]*";/,
    `const VERSION = "${version}";`,
  );
  writeFileSync(`${script}.swp`, text);
  renameSync(`${script}.swp`, script);
}

/** Calls a tool with structured arguments, collecting the events it streams. */
async function call(
  client: DaemonClient,
  tool: string,
  args: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<{ text: string; events: DaemonEvent[] }> {
  const events: DaemonEvent[] = [];
  const result = await client.call(
    { tool, arguments: args, ...extra },
    { onEvent: (event) => events.push(event) },
  );
  return { text: resultText(result), events };
}

function notices(events: DaemonEvent[]): string[] {
  return events
    .filter((e) => e.event === "notice")
    .map((e) => String((e.data as { message?: unknown }).message));
}

/** Every audit record of a project (all files, in order). */
function auditRecords(project: string): Array<Record<string, unknown>> {
  const dir = join(sandbox.stateDir, "audit", computeProjectId(project));
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort();
  return files.flatMap((f) =>
    readFileSync(join(dir, f), "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}

describe("restart when the server's code changes", () => {
  it("restarts the server before the next call after an in-place edit, and says so once", async () => {
    const { project, script } = projectWithServer("edit-in-place");
    const { client } = await ensure(sandbox, project, nodeSpec(script), { env });
    try {
      await call(client, "increment");
      expect((await call(client, "increment")).text).toBe("2");
      const before = Number((await call(client, "pid")).text);

      editInPlace(script, "2-edited");
      const after = await call(client, "get");
      expect(after.text).toBe("0");
      expect(notices(after.events)).toEqual([`restarted the server: ${script} changed`]);
      const pid = Number((await call(client, "pid")).text);
      expect(pid).not.toBe(before);
      expect(isAlive(before)).toBe(false);
      const again = await call(client, "version");
      expect(again.text).toBe("2-edited");
      expect(notices(again.events)).toEqual([]);

      const status = await client.status();
      expect(status).toMatchObject({ state: "ready", serverPid: pid, restarts: 1 });
      await waitFor(() => auditRecords(project).some((r) => r.event === "server.restart"), {
        what: "a server.restart audit record",
      });
    } finally {
      client.close();
    }
  });

  it("notices a rename-over save (a new inode) and restarts once for concurrent calls", async () => {
    const { project, script } = projectWithServer("edit-rename");
    const { client } = await ensure(sandbox, project, nodeSpec(script), { env });
    try {
      await call(client, "increment", { by: 5 });
      editByRename(script, "3");
      const results = await Promise.all(Array.from({ length: 8 }, () => call(client, "version")));
      expect(results.map((r) => r.text)).toEqual(Array(8).fill("3"));
      expect(results.flatMap((r) => notices(r.events))).toHaveLength(1);
      expect((await call(client, "get")).text).toBe("0");
      expect((await client.status()).restarts).toBe(1);
    } finally {
      client.close();
    }
  });

  it("lets an edit that fixes a server close the circuit breaker", async () => {
    const { project, script } = projectWithServer("fixed-by-edit");
    const working = readFileSync(script, "utf8");
    writeFileSync(script, 'process.stderr.write("broken build\\n");\nprocess.exit(1);\n');
    const { client } = await ensure(sandbox, project, nodeSpec(script), { env });
    try {
      await waitFor(
        async () => {
          await client.call({ tool: "get", arguments: {} }).catch(() => {});
          return (await client.status()).state === "failed";
        },
        { what: "the circuit breaker to open", timeoutMs: 60_000 },
      );
      await expect(client.call({ tool: "get", arguments: {} })).rejects.toMatchObject({
        code: "SERVER_FAILED",
      });

      writeFileSync(script, working);
      const fixed = await call(client, "get");
      expect(fixed.text).toBe("0");
      expect(notices(fixed.events)).toEqual([`restarted the server: ${script} changed`]);
      expect((await client.status()).state).toBe("ready");
    } finally {
      client.close();
    }
  }, 90_000);

  it("keeps the old server when restartOnChange is false in the project config", async () => {
    const { project, script } = projectWithServer("no-restart");
    writeFileSync(join(project, "mcpward.config.json"), JSON.stringify({ restartOnChange: false }));
    const { client } = await ensure(sandbox, project, nodeSpec(script), { env });
    try {
      await call(client, "increment");
      const before = Number((await call(client, "pid")).text);
      editInPlace(script, "new");
      const after = await call(client, "increment");
      expect(after.text).toBe("2");
      expect(notices(after.events)).toEqual([]);
      expect((await call(client, "version")).text).toBe("1");
      expect(Number((await call(client, "pid")).text)).toBe(before);
      expect(await client.status()).toMatchObject({ restarts: 0, restartOnChange: false });
    } finally {
      client.close();
    }
  });

  it("asks again before new code of an approved third-party server runs", async () => {
    // Outside the project: a level-3 server, approved once at start; its
    // tools are allowed by the user config so only the start asks.
    const outside = join(sandbox.root, "third-party");
    const { project, script } = projectWithServer("third-party", outside);
    writeFileSync(
      join(configDir, "config.json"),
      JSON.stringify({ ...JSON.parse(userConfig), tools: { allow: ["*"] } }),
    );
    // Not `ensure`, which approves the start with --yes.
    const { client } = await ensureDaemon({ spec: nodeSpec(script), projectDir: project, env });
    try {
      const refused = await client.call({ tool: "get", arguments: {} }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: "APPROVAL_REFUSED" });
      expect((await call(client, "increment", {}, { approve: true })).text).toBe("1");
      expect((await call(client, "increment")).text).toBe("2");
      const before = Number((await call(client, "pid")).text);

      editInPlace(script, "unreviewed");
      const error = await client.call({ tool: "version", arguments: {} }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "APPROVAL_REFUSED" });
      expect((error as Error).message).toMatch(/^starting this server needs approval/);
      // Still refused on the next call; the old server was not replaced.
      await expect(client.call({ tool: "get", arguments: {} })).rejects.toMatchObject({
        code: "APPROVAL_REFUSED",
      });
      expect((await client.status()).serverPid).toBe(before);

      const approved = await call(client, "version", {}, { approve: true });
      expect(approved.text).toBe("unreviewed");
      expect(notices(approved.events)).toEqual([`restarted the server: ${script} changed`]);
      expect((await call(client, "get")).text).toBe("0");
    } finally {
      client.close();
      writeFileSync(join(configDir, "config.json"), userConfig);
    }
  });
});

describe("memory limit", () => {
  it("stops a server over its limit, reports it in status and the audit, and restarts it on the next call", async () => {
    const { project, script } = projectWithServer("memory");
    // The limit comes from a named server in the project config whose
    // command line (command, args and env) is this one.
    const spec = nodeSpec(script);
    writeFileSync(
      join(project, "mcpward.config.json"),
      JSON.stringify({ servers: { hog: { ...spec, memoryLimitMb: 100 } } }),
    );
    const { client } = await ensure(sandbox, project, spec, { env });
    try {
      const before = Number((await call(client, "pid")).text);
      expect((await client.status()).memoryLimit).toBe(100 * 1024 * 1024);
      expect((await call(client, "hog", { mb: 200 })).text).toBe("holding 200 MiB");

      const status = await waitFor(
        async () => {
          const s = await client.status();
          return s.state === "crashed" ? s : null;
        },
        { what: "the server to be stopped", timeoutMs: 20_000 },
      );
      expect(status.serverPid).toBeNull();
      expect(String(status.lastError)).toMatch(
        /^server used \d+ MiB, over its limit of 100 MiB; stopped$/,
      );
      expect(isAlive(before)).toBe(false);

      expect((await call(client, "get")).text).toBe("0");
      const restarted = await client.status();
      expect(restarted).toMatchObject({ state: "ready", restarts: 1 });
      expect(restarted.serverPid).not.toBe(before);
      await waitFor(
        () =>
          auditRecords(project).find(
            (r) =>
              r.event === "server.crash" &&
              /over its limit of 100 MiB/.test(String((r.error as { message?: string })?.message)),
          ),
        { what: "a server.crash audit record" },
      );
    } finally {
      client.close();
    }
  });

  it("takes the limit from MCPWARD_SERVER_MEMORY_MB and leaves a server under it alone", async () => {
    const { project, script } = projectWithServer("memory-env");
    const { client } = await ensure(sandbox, project, nodeSpec(script), {
      env: { ...env, MCPWARD_SERVER_MEMORY_MB: "400" },
    });
    try {
      expect((await client.status()).memoryLimit).toBe(400 * 1024 * 1024);
      expect((await call(client, "hog", { mb: 20 })).text).toBe("holding 20 MiB");
      const pid = Number((await call(client, "pid")).text);
      expect((await call(client, "increment")).text).toBe("1");
      expect(await client.status()).toMatchObject({ state: "ready", serverPid: pid, restarts: 0 });
    } finally {
      client.close();
    }
  });
});

describe("status figures", () => {
  it("reports plausible uptime, memory, calls, tools and idle time", async () => {
    const { project, script } = projectWithServer("status");
    const { client, daemonId } = await ensure(sandbox, project, nodeSpec(script), { env });
    try {
      for (let i = 0; i < 3; i++) await call(client, "increment");
      const s = await client.status();
      expect(s).toMatchObject({
        daemonId,
        state: "ready",
        calls: 3,
        restarts: 0,
        tools: 6,
        lastError: null,
        memoryLimit: null,
        restartOnChange: true,
      });
      expect(s.uptimeMs).toBeGreaterThan(0);
      const memory = s.memory as { daemon: number; server: number };
      expect(memory.daemon).toBeGreaterThan(1024 * 1024);
      expect(memory.server).toBeGreaterThan(1024 * 1024);
      expect(s.idleRemainingMs).toBeGreaterThan(0);
      expect(s.idleRemainingMs).toBeLessThanOrEqual(1_800_000);
      expect(Date.parse(String(s.lastUsedAt))).toBeLessThanOrEqual(Date.now());
      expect(isAlive(s.pid as number)).toBe(true);
      expect(isAlive(s.serverPid as number)).toBe(true);
      // The tool count is remembered for `daemon status` of a stopped server.
      const cache = join(sandbox.stateDir, "tools", computeProjectId(project), `${daemonId}.json`);
      expect(JSON.parse(readFileSync(cache, "utf8"))).toMatchObject({ tools: 6 });
    } finally {
      client.close();
    }
  });
});

// Policy enforced by real daemons and servers: every trust level, the
// blocked environment, tool rules, path roots, approval modes, the in-band
// approval prompt and policy plugins. The daemon is the gate, so these tests
// talk to it through the client library and a hand-written raw socket client;
// the CLI's side (TTY prompt, exit codes) is in packages/cli/test/approval.test.ts.
import {
  appendFileSync,
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { computeProjectId, McpwardError, type ServerSpec } from "@mcpward/core/light";
import { resolvePolicy, TrustStore } from "@mcpward/policy";
import { afterAll, describe, expect, it } from "vitest";
import {
  type DaemonClient,
  type DaemonEvent,
  type EnsuredDaemon,
  ensureDaemon,
} from "../dist/client.js";
import {
  createSandbox,
  killQuietly,
  listDir,
  rawSession,
  readMeta,
  resultText,
  taggedProcesses,
  waitFor,
} from "./helpers.js";

const sandbox = createSandbox();
/** Tags of every world: their daemons and servers must be gone at the end too. */
const worldTags: string[] = [];
/** Files planted directly in /tmp (outside the sandbox), removed at the end whatever happened. */
const planted: string[] = [];
afterAll(async () => {
  for (const file of planted) rmSync(file, { force: true });
  await sandbox.cleanup();
  const left = await waitFor(
    () => (worldTags.every((tag) => taggedProcesses(tag).length === 0) ? [] : null),
    { timeoutMs: 10_000, what: "every daemon and server to exit" },
  ).catch(() => worldTags.flatMap(taggedProcesses));
  for (const pid of left) killQuietly(pid, "SIGKILL");
  expect(left).toEqual([]);
}, 60_000);

const SERVER = fileURLToPath(new URL("./servers/policy-tools.mjs", import.meta.url));
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const PLUGINS = join(REPO, "packages/policy/test/plugins");
const NODE = process.execPath;
const isRoot = process.getuid?.() === 0;

type Env = Record<string, string | undefined>;

/** A project, its own user config directory (trust store) and the env that points at them. */
interface World {
  name: string;
  project: string;
  configDir: string;
  env: Env;
  /** Only the daemons and servers of this world carry it. */
  tag: string;
}

let worlds = 0;

/** A fresh project and config directory; configs are written as given. */
function world(
  name: string,
  options: { projectConfig?: unknown; userConfig?: unknown } = {},
): World {
  const tag = `${sandbox.tag}-${++worlds}`;
  worldTags.push(tag);
  const project = sandbox.project(name);
  const configDir = join(sandbox.root, "configs", name);
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  if (options.projectConfig !== undefined) {
    writeFileSync(join(project, "mcpward.config.json"), JSON.stringify(options.projectConfig));
  }
  if (options.userConfig !== undefined) {
    writeFileSync(join(configDir, "config.json"), JSON.stringify(options.userConfig), {
      mode: 0o600,
    });
  }
  const env = sandbox.envWith({ MCPWARD_CONFIG_DIR: configDir, MW_TEST_TAG: tag });
  return { name, project, configDir, env, tag };
}

/** Writes a file directly into /tmp, where anyone could have put it. */
function plant(w: World, name: string, content: string): string {
  const path = join("/tmp", `mw-${name}-${w.tag}`);
  planted.push(path);
  writeFileSync(path, content);
  return path;
}

/** Copies the test server into `dir` (created 0755 if missing); returns its path. */
function installServer(dir: string, file = "server.mjs"): string {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const path = join(dir, file);
  copyFileSync(SERVER, path);
  chmodSync(path, 0o644);
  return path;
}

/** A private directory outside every project (0755, owned by us): level 3 lives here. */
function outsideDir(name: string): string {
  const dir = join(sandbox.root, "outside", name);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  return dir;
}

function spec(
  script: string,
  env: Record<string, string> = {},
  extraArgs: string[] = [],
): ServerSpec {
  return { command: NODE, args: [script, ...extraArgs], env };
}

/** Starts (or reaches) the daemon without pre-approving anything, unlike helpers' `ensure`. */
function start(w: World, server: ServerSpec, env: Env = w.env): Promise<EnsuredDaemon> {
  return ensureDaemon({ spec: server, projectDir: w.project, env });
}

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<McpwardError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) {
    throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  }
  expect(McpwardError.isInstance(outcome.error)).toBe(true);
  return outcome.error as McpwardError;
}

/** Asserts that nothing of a refused start is left: no socket, no metadata, no process. */
async function expectNothingLeft(w: World): Promise<void> {
  const files = listDir(join(sandbox.runtimeDir, computeProjectId(w.project)));
  expect(files.filter((f) => f.endsWith(".sock") || f.endsWith(".json"))).toEqual([]);
  await waitFor(() => taggedProcesses(w.tag).length === 0, {
    what: "the refused daemon to exit",
  });
}

/** Stops a daemon and waits until its files are gone. */
async function stop(d: EnsuredDaemon): Promise<void> {
  await d.client.stop().catch(() => {});
  d.client.close();
  await waitFor(() => !existsSync(d.paths.meta) && !existsSync(d.paths.socket), {
    what: "the daemon to stop",
  });
}

function trustRecords(w: World): Array<Record<string, unknown>> {
  const file = join(w.configDir, "trust.json");
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, "utf8")) as { records: Array<Record<string, unknown>> })
    .records;
}

/**
 * Calls a tool interactively: every `approval` event is recorded and
 * answered with the next of `answers` (a missing answer fails the test).
 */
async function callAnswering(
  client: DaemonClient,
  params: { tool: string; arguments?: Record<string, unknown> },
  answers: Array<"once" | "always" | "deny">,
): Promise<{ result?: Record<string, unknown>; error?: McpwardError; events: DaemonEvent[] }> {
  const events: DaemonEvent[] = [];
  const pending = [...answers];
  try {
    const result = await client.call(
      { arguments: {}, ...params, interactive: true },
      {
        onEvent: (event) => {
          if (event.event !== "approval") return;
          events.push(event);
          // No answer left: deny, and the test sees one event too many.
          void client.answerApproval(event.id, pending.shift() ?? "deny");
        },
      },
    );
    return { result, events };
  } catch (error) {
    return { error: error as McpwardError, events };
  }
}

function approvalData(event: DaemonEvent | undefined): Record<string, unknown> {
  expect(event?.event).toBe("approval");
  return event?.data as Record<string, unknown>;
}

describe("server start: blocked environment after --", () => {
  it.each([
    ["LD_PRELOAD", "/x.so"],
    ["ld_preload", "/x.so:"],
    ["PATH", "/tmp/evil:/usr/bin"],
    ["NODE_OPTIONS", "--require=/x.js"],
  ])(
    "refuses %s=… with POLICY_DENIED naming it and the rule, and leaves no daemon",
    async (name, value) => {
      const w = world(`env-${name}-${worlds}`);
      const script = installServer(w.project);
      const error = await failure(start(w, spec(script, { [name]: value })));
      expect(error.code).toBe("POLICY_DENIED");
      expect(error.message).toContain(name);
      expect(error.message).toContain("env.blocked");
      expect(error.message).not.toContain(value);
      await expectNothingLeft(w);
    },
  );
});

describe("server start: blocked environment in an env file", () => {
  it("refuses node --env-file=<project>/evil.env with POLICY_DENIED naming NODE_OPTIONS", async () => {
    const w = world("env-file");
    const script = installServer(w.project);
    const envFile = join(w.project, "evil.env");
    writeFileSync(envFile, "# looks harmless\nexport NODE_OPTIONS=--require=./pwn.cjs\n");
    const error = await failure(
      start(w, { command: NODE, args: [`--env-file=${envFile}`, script], env: {} }),
    );
    expect(error.code).toBe("POLICY_DENIED");
    expect(error.message).toContain("NODE_OPTIONS");
    expect(error.message).toContain("env.blocked");
    expect(error.message).not.toContain("pwn.cjs");
    await expectNothingLeft(w);
  });
});

describe("trust level 4 (untrusted): denied before anything starts", () => {
  it("a script in a world-writable directory (sticky, like /tmp)", async () => {
    const w = world("l4-world-writable");
    const open = mkdtempSync("/tmp/mw-open-");
    try {
      chmodSync(open, 0o1777);
      const error = await failure(start(w, spec(installServer(open))));
      expect(error).toMatchObject({ code: "POLICY_DENIED" });
      expect(error.message).toContain("file.world-writable-dir");
      await expectNothingLeft(w);
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });

  it("a symlink inside the project that points into /tmp", async () => {
    const w = world("l4-symlink");
    symlinkSync(
      plant(w, "planted.mjs", readFileSync(SERVER, "utf8")),
      join(w.project, "server.mjs"),
    );
    const error = await failure(start(w, spec("./server.mjs")));
    expect(error).toMatchObject({ code: "POLICY_DENIED" });
    expect(error.message).toContain("file.world-writable-dir");
    await expectNothingLeft(w);
  });

  it("a project script with a module preloaded from /tmp (node -r)", async () => {
    const w = world("l4-preload");
    const script = installServer(w.project);
    const preload = plant(w, "preload.cjs", "process.env.MW_PRELOADED = 'planted';\n");
    for (const args of [["-r", preload], [`--import=file://${preload}`]]) {
      const error = await failure(start(w, { command: NODE, args: [...args, script], env: {} }));
      expect(error).toMatchObject({ code: "POLICY_DENIED" });
      expect(error.message).toContain(`module ${preload}`);
      expect(error.message).toContain("file.world-writable-dir");
    }
    await expectNothingLeft(w);
  });

  it.runIf(isRoot)("a script owned by another user", async () => {
    const w = world("l4-foreign");
    const script = installServer(w.project);
    chownSync(script, 65534, 65534);
    const error = await failure(start(w, spec(script)));
    expect(error).toMatchObject({ code: "POLICY_DENIED" });
    expect(error.message).toContain("file.foreign-owner");
    await expectNothingLeft(w);
  });

  it("a command with shell metacharacters", async () => {
    const w = world("l4-metachar");
    const script = installServer(w.project);
    const error = await failure(start(w, { command: "node;id", args: [script], env: {} }));
    expect(error).toMatchObject({ code: "POLICY_DENIED" });
    expect(error.message).toContain("command.shell-metacharacters");
    await expectNothingLeft(w);
  });

  it("a command on the user's deny list", async () => {
    const w = world("l4-deny-list");
    const script = installServer(w.project);
    writeFileSync(join(w.configDir, "config.json"), JSON.stringify({ denyList: [script] }), {
      mode: 0o600,
    });
    const error = await failure(start(w, spec(script)));
    expect(error).toMatchObject({ code: "POLICY_DENIED" });
    expect(error.message).toContain("trust.deny-list");
    await expectNothingLeft(w);
  });

  it("a project config that claims to trust itself: BAD_CONFIG, nothing started", async () => {
    const w = world("self-trust", { projectConfig: { trusted: true, tools: { allow: ["*"] } } });
    const error = await failure(start(w, spec(installServer(w.project))));
    expect(error.code).toBe("BAD_CONFIG");
    expect(error.message).toContain("mcpward.config.json");
    expect(error.message).toContain("cannot trust itself");
    await expectNothingLeft(w);
  });
});

describe("trust level 2 (project): starts and calls without a prompt", () => {
  it("runs the example server from the project, its node_modules a symlink out of the project", async () => {
    const w = world("l2-example");
    copyFileSync(join(REPO, "examples/utility-server/server.mjs"), join(w.project, "server.mjs"));
    symlinkSync(join(REPO, "examples/node_modules"), join(w.project, "node_modules"));
    const d = await start(w, spec("./server.mjs"));
    try {
      const result = await d.client.call({ tool: "add", tokens: ["--a", "2", "--b", "3"] });
      expect(resultText(result)).toBe("5");
      expect((await d.client.listTools()).tools.map((t) => t.name)).toContain("echo");
    } finally {
      d.client.close();
    }
  });

  it("preloads a module from the project; one from outside makes the server third-party", async () => {
    const w = world("l2-preload");
    const script = installServer(w.project);
    writeFileSync(join(w.project, "setup.cjs"), "process.env.MW_PRELOADED = 'project';\n");
    const d = await start(w, { command: NODE, args: ["-r", "./setup.cjs", script], env: {} });
    try {
      const result = await d.client.call({ tool: "env", arguments: { name: "MW_PRELOADED" } });
      expect(resultText(result)).toBe("project");
    } finally {
      await stop(d);
    }
    const outside = join(outsideDir("l2-preload"), "setup.cjs");
    writeFileSync(outside, "process.env.MW_PRELOADED = 'outside';\n");
    const third = await start(w, { command: NODE, args: ["-r", outside, script], env: {} });
    try {
      const error = await failure(third.client.call({ tool: "env", arguments: { name: "X" } }));
      expect(error).toMatchObject({
        code: "APPROVAL_REFUSED",
        data: { rule: "trust.third-party" },
      });
    } finally {
      await stop(third);
    }
  });

  it("inherits the caller's environment minus blocked and internal variables", async () => {
    const w = world("l2-env");
    const d = await start(w, spec(installServer(w.project), { EXPLICIT: "yes" }), {
      ...w.env,
      MW_AMBIENT: "ambient",
      PYTHONPATH: "/evil",
    });
    try {
      const env = async (name: string) =>
        resultText(await d.client.call({ tool: "env", arguments: { name } }));
      expect(await env("MW_AMBIENT")).toBe("ambient");
      expect(await env("EXPLICIT")).toBe("yes");
      expect(await env("PYTHONPATH")).toBe("(unset)");
      expect(await env("MCPWARD_CONFIG_DIR")).toBe("(unset)");
    } finally {
      d.client.close();
    }
  });
});

describe("trust level 3 (third-party)", () => {
  it("asks before the first start: refused without a prompt, with the --yes hint; --yes runs", async () => {
    const w = world("l3-first");
    const d = await start(w, spec(installServer(outsideDir("l3-first"))));
    try {
      const error = await failure(d.client.call({ tool: "echo", arguments: { text: "hi" } }));
      expect(error.code).toBe("APPROVAL_REFUSED");
      expect(error.data?.rule).toBe("trust.third-party");
      expect(error.message).toContain("--yes");
      expect((await d.client.status()).serverPid).toBeNull();
      const result = await d.client.call({
        tool: "echo",
        arguments: { text: "hi" },
        approve: true,
      });
      expect(resultText(result)).toBe("hi");
    } finally {
      d.client.close();
    }
  });

  it("gets a minimal environment plus explicit variables", async () => {
    const w = world("l3-env");
    const d = await start(w, spec(installServer(outsideDir("l3-env")), { EXPLICIT: "yes" }), {
      ...w.env,
      MW_AMBIENT: "ambient",
    });
    try {
      const env = async (name: string) =>
        resultText(await d.client.call({ tool: "env", arguments: { name }, approve: true }));
      expect(await env("MW_AMBIENT")).toBe("(unset)");
      expect(await env("EXPLICIT")).toBe("yes");
      expect(await env("HOME")).not.toBe("(unset)");
    } finally {
      d.client.close();
    }
  });

  it("remembers an 'always' start; its tools still ask until allowed or approved 'always'", async () => {
    const w = world("l3-always", {
      // A repository cannot loosen the prompt for a server it does not declare.
      projectConfig: { tools: { allow: ["get_weather", "echo"] } },
      userConfig: { tools: { allow: ["echo"] } },
    });
    const server = spec(installServer(outsideDir("l3-always")));
    const first = await start(w, server);
    const started = await callAnswering(first.client, { tool: "run_sql" }, ["always", "once"]);
    expect(started.error).toBeUndefined();
    expect(started.events.map((e) => approvalData(e).kind)).toEqual(["server-start", "tool-call"]);
    expect(trustRecords(w).map((r) => r.kind)).toEqual(["server"]);
    await stop(first);

    const d = await start(w, server);
    try {
      // Start approved: the ask that is left is the tool's.
      const asked = await failure(d.client.call({ tool: "get_weather", arguments: {} }));
      expect(asked).toMatchObject({
        code: "APPROVAL_REFUSED",
        data: { rule: "approval.on-request" },
      });
      // The user's own tools.allow spares the prompt.
      expect(resultText(await d.client.call({ tool: "echo", arguments: { text: "ok" } }))).toBe(
        "ok",
      );
      // "always" for one tool: the next call runs without an event.
      const always = await callAnswering(d.client, { tool: "get_weather" }, ["always"]);
      expect(always.events).toHaveLength(1);
      expect(resultText(always.result!)).toBe("sunny in nowhere");
      const again = await callAnswering(d.client, { tool: "get_weather" }, []);
      expect(again.events).toEqual([]);
      expect(resultText(again.result!)).toBe("sunny in nowhere");
      expect(
        trustRecords(w)
          .filter((r) => r.kind === "tool")
          .map((r) => r.tool),
      ).toEqual(["get_weather"]);
    } finally {
      await stop(d);
    }
  });

  it("asks again after the script changed (content hash), for a new daemon", async () => {
    const w = world("l3-changed");
    const script = installServer(outsideDir("l3-changed"));
    const first = await start(w, spec(script));
    const approved = await callAnswering(first.client, { tool: "echo" }, ["always", "once"]);
    expect(approved.error).toBeUndefined();
    await stop(first);

    appendFileSync(script, "\n// changed\n");
    const d = await start(w, spec(script));
    try {
      const error = await failure(d.client.call({ tool: "echo", arguments: {} }));
      expect(error).toMatchObject({
        code: "APPROVAL_REFUSED",
        data: { rule: "trust.third-party" },
      });
    } finally {
      await stop(d);
    }
  });

  it("asks again after a preloaded module changed", async () => {
    const w = world("l3-module-changed");
    const outside = outsideDir("l3-module-changed");
    const script = installServer(outside);
    const setup = join(outside, "setup.cjs");
    writeFileSync(setup, "process.env.MW_PRELOADED = 'v1';\n");
    const server: ServerSpec = { command: NODE, args: ["-r", setup, script], env: {} };
    const first = await start(w, server);
    const approved = await callAnswering(first.client, { tool: "echo" }, ["always", "once"]);
    expect(approved.error).toBeUndefined();
    await stop(first);

    writeFileSync(setup, "process.env.MW_PRELOADED = 'v2';\n");
    const d = await start(w, server);
    try {
      const error = await failure(d.client.call({ tool: "echo", arguments: {} }));
      expect(error).toMatchObject({
        code: "APPROVAL_REFUSED",
        data: { rule: "trust.third-party" },
      });
    } finally {
      await stop(d);
    }
  });

  it("asks again before running a script that changed while the daemon ran", async () => {
    const w = world("l3-changed-live", { userConfig: { tools: { allow: ["echo", "quit"] } } });
    const script = installServer(outsideDir("l3-changed-live"));
    const d = await start(w, spec(script));
    try {
      const approved = await callAnswering(d.client, { tool: "echo" }, ["always"]);
      expect(approved.error).toBeUndefined();

      // Changed under a running server: the next call asks before restarting it.
      appendFileSync(script, "\n// changed once\n");
      const running = await failure(d.client.call({ tool: "echo", arguments: { text: "x" } }));
      expect(running).toMatchObject({
        code: "APPROVAL_REFUSED",
        data: { rule: "trust.third-party" },
      });
      const again = await callAnswering(d.client, { tool: "echo", arguments: { text: "y" } }, [
        "always",
      ]);
      expect(resultText(again.result!)).toBe("y");

      // Changed while the server was down (it exited): asks before starting it again.
      expect(resultText(await d.client.call({ tool: "quit", arguments: {} }))).toBe("bye");
      await waitFor(async () => (await d.client.status()).serverPid === null, {
        what: "the server to exit",
      });
      appendFileSync(script, "\n// changed twice\n");
      const down = await failure(d.client.call({ tool: "echo", arguments: { text: "z" } }));
      expect(down).toMatchObject({ code: "APPROVAL_REFUSED", data: { rule: "trust.third-party" } });
      expect((await d.client.status()).serverPid).toBeNull();
    } finally {
      await stop(d);
    }
  });

  it("never restarts a project server through a symlink retargeted into /tmp", async () => {
    const w = world("l2-retarget");
    const real = installServer(join(w.project, "real"));
    const link = join(w.project, "server.mjs");
    symlinkSync(real, link);
    const evil = plant(
      w,
      "retarget.mjs",
      readFileSync(SERVER, "utf8").replace("sunny in", "planted in"),
    );
    const d = await start(w, spec("./server.mjs"));
    try {
      expect(resultText(await d.client.call({ tool: "get_weather", arguments: {} }))).toBe(
        "sunny in nowhere",
      );
      expect(resultText(await d.client.call({ tool: "quit", arguments: {} }))).toBe("bye");
      await waitFor(async () => (await d.client.status()).serverPid === null, {
        what: "the server to exit",
      });
      rmSync(link);
      symlinkSync(evil, link);
      const error = await failure(d.client.call({ tool: "get_weather", arguments: {} }));
      expect(error.code).toBe("POLICY_DENIED");
      expect(error.message).toContain("file.world-writable-dir");
    } finally {
      await stop(d);
    }
  });
});

describe("approval prompts through the protocol", () => {
  const secret = `ghp_${"A1b2C3d4".repeat(5)}`;

  it("sends the untruncated call with secrets redacted, and runs it on 'once'", async () => {
    const w = world("prompt-once");
    const script = installServer(outsideDir("prompt-once"));
    const d = await start(w, spec(script, {}, ["--token", secret]));
    try {
      const long = "x".repeat(20_000);
      const { result, events } = await callAnswering(
        d.client,
        { tool: "echo", arguments: { text: `${long} ${secret}`, api_key: "hunter2-plain" } },
        ["once", "once"],
      );
      expect(resultText(result!)).toBe(`${long} ${secret}`);
      const [startEvent, callEvent] = events.map(approvalData);
      expect(startEvent).toMatchObject({
        kind: "server-start",
        trustLevel: 3,
        rule: "trust.third-party",
      });
      expect(callEvent).toMatchObject({
        kind: "tool-call",
        tool: "echo",
        trustLevel: 3,
        rule: "approval.on-request",
        arguments: { text: `${long} [REDACTED]`, api_key: "[REDACTED]" },
      });
      expect(String(callEvent!.reason)).toContain("echo");
      expect(String(callEvent!.server)).toContain(script);
      expect(JSON.stringify(events)).not.toContain(secret);
      expect(JSON.stringify(events)).not.toContain("hunter2");
      // "once" is not remembered.
      expect(trustRecords(w)).toEqual([]);
    } finally {
      d.client.close();
    }
  });

  it("refuses on 'deny' with APPROVAL_REFUSED; an 'always' tool runs next time without an event", async () => {
    const w = world("prompt-deny");
    const d = await start(w, spec(installServer(outsideDir("prompt-deny"))));
    try {
      const denied = await callAnswering(d.client, { tool: "get_weather" }, ["once", "deny"]);
      expect(denied.error).toMatchObject({ code: "APPROVAL_REFUSED" });
      expect(denied.events).toHaveLength(2);
      const always = await callAnswering(d.client, { tool: "get_weather" }, ["always"]);
      expect(resultText(always.result!)).toBe("sunny in nowhere");
      const silent = await callAnswering(d.client, { tool: "get_weather" }, []);
      expect(silent.events).toEqual([]);
    } finally {
      d.client.close();
    }
  });

  it("takes the answer only from the connection that asked", async () => {
    const w = world("prompt-other");
    const server = spec(installServer(outsideDir("prompt-other")));
    const a = await start(w, server);
    const b = await start(w, server);
    try {
      let resolveEvent: (event: DaemonEvent) => void = () => {};
      const asked = new Promise<DaemonEvent>((resolve) => {
        resolveEvent = resolve;
      });
      const call = a.client.call(
        { tool: "echo", arguments: { text: "mine" }, interactive: true },
        { onEvent: (event) => event.event === "approval" && resolveEvent(event) },
      );
      const event = await asked;
      expect(await b.client.answerApproval(event.id, "once")).toEqual({ delivered: false });
      expect(await b.client.answerApproval(event.id, "always")).toEqual({ delivered: false });
      // Still waiting for its own user.
      expect((await b.client.status()).inFlight).toBe(1);
      expect(trustRecords(w)).toEqual([]);
      expect(await a.client.answerApproval(event.id, "once")).toEqual({ delivered: true });
      // The tool call asks next, on the same connection.
      const toolEvent = await new Promise<DaemonEvent>((resolve) => {
        resolveEvent = resolve;
      });
      expect(approvalData(toolEvent).kind).toBe("tool-call");
      expect(await b.client.answerApproval(toolEvent.id, "once")).toEqual({ delivered: false });
      await a.client.answerApproval(toolEvent.id, "once");
      expect(resultText(await call)).toBe("mine");
    } finally {
      a.client.close();
      b.client.close();
    }
  });

  it("aborts a call whose connection closes while it waits, and keeps serving", async () => {
    const w = world("prompt-close");
    const server = spec(installServer(outsideDir("prompt-close")));
    const a = await start(w, server);
    const b = await start(w, server);
    try {
      const asked = new Promise<void>((resolve) => {
        a.client
          .call(
            { tool: "echo", arguments: {}, interactive: true },
            { onEvent: (event) => event.event === "approval" && resolve() },
          )
          .catch(() => {});
      });
      await asked;
      a.client.close();
      await waitFor(async () => (await b.client.status()).inFlight === 0, {
        what: "the abandoned call to end",
      });
      expect((await b.client.ping()).pong).toBe(true);
      // Nothing was approved by the closing connection.
      const error = await failure(b.client.call({ tool: "echo", arguments: {} }));
      expect(error).toMatchObject({
        code: "APPROVAL_REFUSED",
        data: { rule: "trust.third-party" },
      });
      const ok = await b.client.call({ tool: "echo", arguments: { text: "b" }, approve: true });
      expect(resultText(ok)).toBe("b");
    } finally {
      b.client.close();
    }
  });
});

describe("tool rules from the project config", () => {
  it("denies and asks by glob, loosely; prototype names are just names", async () => {
    const w = world("rules", {
      projectConfig: { tools: { deny: ["get_*", "__proto__"], ask: ["run_*", "constructor"] } },
    });
    const d = await start(w, spec(installServer(w.project)));
    try {
      for (const tool of ["get_weather", "get-weather", "GET_WEATHER", "getWeather"]) {
        const error = await failure(d.client.call({ tool, arguments: {} }));
        expect(error).toMatchObject({ code: "POLICY_DENIED", data: { rule: "tool.deny" } });
      }
      // A trailing space is not a name the server has: refused either way, never run.
      const spaced = await failure(d.client.call({ tool: "get_weather ", arguments: {} }));
      expect(["POLICY_DENIED", "UNKNOWN_TOOL"]).toContain(spaced.code);
      // --yes approves an ask, never a deny.
      const yes = await failure(
        d.client.call({ tool: "get_weather", arguments: {}, approve: true }),
      );
      expect(yes).toMatchObject({ code: "POLICY_DENIED" });

      const asked = await failure(d.client.call({ tool: "run_sql", arguments: { sql: "x" } }));
      expect(asked).toMatchObject({ code: "APPROVAL_REFUSED", data: { rule: "tool.ask" } });
      expect(
        resultText(await d.client.call({ tool: "run_sql", arguments: {}, approve: true })),
      ).toBe("0 rows");

      const proto = await failure(d.client.call({ tool: "__proto__", arguments: {} }));
      expect(proto).toMatchObject({ code: "POLICY_DENIED", data: { rule: "tool.deny" } });
      const ctor = await failure(d.client.call({ tool: "constructor", arguments: {} }));
      expect(ctor).toMatchObject({ code: "APPROVAL_REFUSED", data: { rule: "tool.ask" } });
      expect(resultText(await d.client.call({ tool: "toString", arguments: {} }))).toBe(
        "called toString",
      );
      expect(resultText(await d.client.call({ tool: "echo", arguments: { text: "e" } }))).toBe("e");
    } finally {
      d.client.close();
    }
  });

  it("runs tools named __proto__, constructor and toString when no rule names them", async () => {
    const w = world("rules-proto", { projectConfig: { tools: { deny: ["toString*"] } } });
    const d = await start(w, spec(installServer(w.project)));
    try {
      expect(resultText(await d.client.call({ tool: "__proto__", arguments: {} }))).toBe(
        "called __proto__",
      );
      expect(resultText(await d.client.call({ tool: "constructor", arguments: {} }))).toBe(
        "called constructor",
      );
      const error = await failure(d.client.call({ tool: "toString", arguments: {} }));
      expect(error).toMatchObject({ code: "POLICY_DENIED" });
      expect((await d.client.ping()).pong).toBe(true);
    } finally {
      d.client.close();
    }
  });

  it("approval 'always' asks before every call, even after an 'always' answer", async () => {
    const w = world("rules-always", { projectConfig: { approval: "always" } });
    const d = await start(w, spec(installServer(w.project)));
    try {
      const first = await callAnswering(d.client, { tool: "echo" }, ["always"]);
      expect(approvalData(first.events[0]).rule).toBe("approval.always");
      const second = await callAnswering(d.client, { tool: "echo" }, ["once"]);
      expect(second.events).toHaveLength(1);
      expect(second.result).toBeDefined();
    } finally {
      d.client.close();
    }
  });

  it("approval 'never' refuses ask-listed tools without prompting", async () => {
    const w = world("rules-never", {
      userConfig: { approval: "never" },
      projectConfig: { tools: { ask: ["get_*"] } },
    });
    const d = await start(w, spec(installServer(w.project)));
    try {
      const refused = await callAnswering(d.client, { tool: "get_weather" }, []);
      expect(refused.events).toEqual([]);
      expect(refused.error).toMatchObject({
        code: "POLICY_DENIED",
        data: { rule: "approval.never" },
      });
      expect(resultText(await d.client.call({ tool: "echo", arguments: { text: "n" } }))).toBe("n");
    } finally {
      d.client.close();
    }
  });
});

describe("config edits apply to a running daemon at the next call", () => {
  it("a new tools.deny, a broken file (fails closed), then the user's deny list", async () => {
    const w = world("live-config", { projectConfig: {} });
    const script = installServer(w.project);
    const d = await start(w, spec(script));
    const projectConfig = join(w.project, "mcpward.config.json");
    try {
      expect(resultText(await d.client.call({ tool: "get_weather", arguments: {} }))).toBe(
        "sunny in nowhere",
      );
      writeFileSync(projectConfig, JSON.stringify({ tools: { deny: ["get_*"] } }));
      const denied = await failure(d.client.call({ tool: "get_weather", arguments: {} }));
      expect(denied).toMatchObject({ code: "POLICY_DENIED", data: { rule: "tool.deny" } });

      writeFileSync(projectConfig, "{ not json");
      const broken = await failure(d.client.call({ tool: "echo", arguments: {} }));
      expect(broken.code).toBe("BAD_CONFIG");
      expect(broken.message).toContain("mcpward.config.json");

      writeFileSync(projectConfig, "{}");
      expect(resultText(await d.client.call({ tool: "get_weather", arguments: {} }))).toBe(
        "sunny in nowhere",
      );
      writeFileSync(join(w.configDir, "config.json"), JSON.stringify({ denyList: [script] }), {
        mode: 0o600,
      });
      const listed = await failure(d.client.call({ tool: "echo", arguments: {} }));
      expect(listed).toMatchObject({ code: "POLICY_DENIED", data: { rule: "trust.untrusted" } });
      expect(listed.message).toContain("trust.deny-list");
    } finally {
      d.client.close();
    }
  });
});

describe("path roots", () => {
  it("keeps path arguments inside the project, symlinks and .. resolved", async () => {
    const w = world("roots");
    const d = await start(w, spec(installServer(w.project)));
    const evil = `${w.project}-evil`;
    mkdirSync(evil);
    writeFileSync(join(evil, "secret.txt"), "evil\n");
    writeFileSync(join(w.project, "inside.txt"), "inside\nsecond\n");
    symlinkSync("/etc", join(w.project, "etc-link"));
    symlinkSync("/etc/passwd", join(w.project, "passwd-link"));
    try {
      const read = (location: string) =>
        d.client.call({ tool: "read_file", arguments: { location } });
      for (const location of [
        "../../etc/passwd",
        "/etc/passwd",
        "etc-link/passwd",
        "passwd-link",
        join(evil, "secret.txt"),
        "file:///etc/passwd",
        `${w.project}/../${w.name}-evil/secret.txt`,
      ]) {
        const error = await failure(read(location));
        expect(error.code, location).toBe("POLICY_DENIED");
        expect(error.data?.rule, location).toBe("path.outside-roots");
      }
      expect(resultText(await read("inside.txt"))).toBe("inside");
      expect(resultText(await read(join(w.project, "inside.txt")))).toBe("inside");
      // Flags are parsed by the daemon; a relative path is taken from the client's cwd.
      const tokens = await failure(
        d.client.call({ tool: "read_file", tokens: ["--location", "../../../etc/passwd"] }),
      );
      expect(tokens.code).toBe("POLICY_DENIED");
    } finally {
      d.client.close();
      rmSync(evil, { recursive: true, force: true });
    }
  });
});

describe("the daemon is the gate", () => {
  it("refuses a denied tool to a raw socket client, whatever it claims", async () => {
    const w = world("raw", { projectConfig: { tools: { deny: ["delete_*"], ask: ["run_sql"] } } });
    const d = await start(w, spec(installServer(w.project)));
    d.client.close();
    const raw = await rawSession(readMeta(d.paths.meta));
    try {
      raw.send({
        id: 1,
        method: "tools/call",
        params: { tool: "delete_file", arguments: { target: "x" }, approve: true },
      });
      expect(await raw.response(1)).toMatchObject({
        error: { code: "POLICY_DENIED", data: { rule: "tool.deny" } },
      });
      // An ask without a way to prompt is refused, and nobody else can answer it.
      raw.send({ id: 2, method: "tools/call", params: { tool: "run_sql", arguments: {} } });
      expect(await raw.response(2)).toMatchObject({ error: { code: "APPROVAL_REFUSED" } });
      raw.send({ id: 3, method: "approve", params: { target: 2, answer: "always" } });
      expect(await raw.response(3)).toMatchObject({ result: { delivered: false } });
      raw.send({ id: 4, method: "ping" });
      expect(await raw.response(4)).toMatchObject({ result: { pong: true } });
    } finally {
      raw.close();
    }
  });
});

describe("policy plugins through the daemon", () => {
  /** A project whose node_modules resolves @mcpward/policy to this repo's package. */
  function pluginWorld(name: string, projectConfig: unknown): World {
    const w = world(name, { projectConfig });
    mkdirSync(join(w.project, "node_modules/@mcpward"), { recursive: true });
    symlinkSync(join(REPO, "packages/policy"), join(w.project, "node_modules/@mcpward/policy"));
    return w;
  }

  async function approvePlugin(w: World, specifier: string): Promise<void> {
    const resolved = await resolvePolicy(w.project, { specifier, origin: "project" });
    TrustStore.open(w.env).approvePolicy({
      projectDir: w.project,
      specifier,
      contentHash: resolved.contentHash,
    });
  }

  it("loads a plugin installed by name only once approved; then its deny and ask apply", async () => {
    const w = pluginWorld("plugin-example", { policies: ["@mcpward/example-policy"] });
    cpSync(
      join(REPO, "examples/policy-plugin"),
      join(w.project, "node_modules/@mcpward/example-policy"),
      { recursive: true },
    );
    const script = installServer(w.project);
    const unapproved = await failure(start(w, spec(script)));
    expect(unapproved).toMatchObject({ code: "POLICY_DENIED" });
    expect(unapproved.message).toContain("plugin.unapproved");
    await expectNothingLeft(w);

    await approvePlugin(w, "@mcpward/example-policy");
    const d = await start(w, spec(script));
    try {
      const denied = await failure(d.client.call({ tool: "delete_file", arguments: {} }));
      expect(denied).toMatchObject({ code: "POLICY_DENIED", data: { rule: "example/no-delete" } });
      const asked = await failure(d.client.call({ tool: "run_sql", arguments: { sql: "drop" } }));
      expect(asked).toMatchObject({
        code: "APPROVAL_REFUSED",
        data: { rule: "example/review-sql" },
      });
      expect(resultText(await d.client.call({ tool: "echo", arguments: { text: "p" } }))).toBe("p");
    } finally {
      await stop(d);
    }

    // A changed plugin file needs a new approval.
    appendFileSync(
      join(w.project, "node_modules/@mcpward/example-policy/index.js"),
      "\n// changed\n",
    );
    const changed = await failure(start(w, spec(script)));
    expect(changed.message).toContain("plugin.unapproved");
  });

  it.each([
    ["busy-loop", "did not answer within"],
    ["throws", "failed"],
    ["exits", "process.exit"],
  ])("fails closed when a plugin %s, and the daemon keeps serving", async (plugin, reason) => {
    const specifier = `./policies/${plugin}.mjs`;
    const w = pluginWorld(`plugin-${plugin}`, { policies: [specifier] });
    mkdirSync(join(w.project, "policies"));
    copyFileSync(join(PLUGINS, `${plugin}.mjs`), join(w.project, specifier));
    await approvePlugin(w, specifier);
    const d = await start(w, spec(installServer(w.project)));
    try {
      for (let i = 0; i < 2; i++) {
        const error = await failure(d.client.call({ tool: "echo", arguments: { text: "x" } }));
        expect(error).toMatchObject({ code: "POLICY_DENIED", data: { rule: "plugin.failed" } });
        expect(error.message).toContain(plugin);
        expect(error.message).toContain(reason);
        expect(error.message).not.toContain("ghp_");
      }
      expect((await d.client.ping()).pong).toBe(true);
      expect((await d.client.status()).state).toBe("ready");
    } finally {
      await stop(d);
    }
  });

  it("never lets a plugin's allow override a built-in deny or ask", async () => {
    const specifier = "./policies/allow-all.mjs";
    const w = pluginWorld("plugin-allow-all", {
      policies: [specifier],
      tools: { deny: ["get_*"], ask: ["run_sql"] },
    });
    mkdirSync(join(w.project, "policies"));
    copyFileSync(join(PLUGINS, "allow-all.mjs"), join(w.project, specifier));
    await approvePlugin(w, specifier);
    const script = installServer(w.project);

    const blocked = await failure(start(w, spec(script, { LD_PRELOAD: "/x.so" })));
    expect(blocked).toMatchObject({ code: "POLICY_DENIED" });
    expect(blocked.message).toContain("env.blocked");

    const d = await start(w, spec(script));
    try {
      const denied = await failure(d.client.call({ tool: "get_weather", arguments: {} }));
      expect(denied).toMatchObject({ code: "POLICY_DENIED", data: { rule: "tool.deny" } });
      const asked = await failure(d.client.call({ tool: "run_sql", arguments: {} }));
      expect(asked).toMatchObject({ code: "APPROVAL_REFUSED", data: { rule: "tool.ask" } });
      const outside = await failure(
        d.client.call({ tool: "read_file", arguments: { location: "/etc/passwd" } }),
      );
      expect(outside).toMatchObject({
        code: "POLICY_DENIED",
        data: { rule: "path.outside-roots" },
      });
    } finally {
      d.client.close();
    }

    // Nor the ask of a third-party server's start.
    const outsideScript = installServer(outsideDir("plugin-allow-all"));
    const third = await start(w, spec(outsideScript));
    try {
      const error = await failure(third.client.call({ tool: "echo", arguments: {} }));
      expect(error).toMatchObject({
        code: "APPROVAL_REFUSED",
        data: { rule: "trust.third-party" },
      });
    } finally {
      third.client.close();
    }
  });
});

describe("named config servers (mcpward -s <name>)", () => {
  /** A project declaring `named`: its project copy of the test server, with a per-server deny. */
  function namedWorld(name: string): { w: World; server: ServerSpec } {
    const w = world(name);
    const script = installServer(join(w.project, "srv"));
    writeFileSync(
      join(w.project, "mcpward.config.json"),
      JSON.stringify({
        servers: { named: { command: NODE, args: [script], tools: { deny: ["echo"] } } },
      }),
    );
    return { w, server: spec(script) };
  }

  function startNamed(w: World, server: ServerSpec): Promise<EnsuredDaemon> {
    return ensureDaemon({ spec: server, projectDir: w.project, env: w.env, serverName: "named" });
  }

  it("asks at the first start; 'always' approves the config entry; the server's own rules apply", async () => {
    const { w, server } = namedWorld("named-always");
    const first = await startNamed(w, server);
    const refused = await failure(first.client.call({ tool: "get_weather", arguments: {} }));
    expect(refused).toMatchObject({
      code: "APPROVAL_REFUSED",
      data: { rule: "trust.config-server" },
    });
    const started = await callAnswering(first.client, { tool: "get_weather" }, ["always", "once"]);
    expect(started.error).toBeUndefined();
    expect(approvalData(started.events[0]).kind).toBe("server-start");
    expect(trustRecords(w)).toEqual([
      expect.objectContaining({ kind: "config-server", name: "named" }),
    ]);
    const denied = await failure(
      first.client.call({ tool: "echo", arguments: { text: "x" }, approve: true }),
    );
    expect(denied).toMatchObject({ code: "POLICY_DENIED", data: { rule: "tool.deny" } });
    await stop(first);

    // Approved: no start prompt now. The same command given after `--` is
    // another daemon, without the per-server deny.
    const again = await startNamed(w, server);
    const byHand = await ensureDaemon({ spec: server, projectDir: w.project, env: w.env });
    try {
      expect(byHand.daemonId).not.toBe(again.daemonId);
      const echo = await failure(again.client.call({ tool: "echo", arguments: { text: "x" } }));
      expect(echo.data?.rule).toBe("tool.deny");
      const plain = await byHand.client.call({ tool: "echo", arguments: { text: "x" } });
      expect(resultText(plain)).toBe("x");
    } finally {
      again.client.close();
      byHand.client.close();
    }
  });

  it("refuses to start when the config no longer matches what the client resolved", async () => {
    const { w, server } = namedWorld("named-changed");
    const error = await failure(startNamed(w, { ...server, args: [...server.args, "--other"] }));
    expect(error.code).toBe("BAD_CONFIG");
    expect(error.message).toContain("config changed");
    await expectNothingLeft(w);
  });
});

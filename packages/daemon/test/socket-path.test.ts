import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import {
  computeDaemonId,
  computeProjectId,
  type DaemonPaths,
  daemonPaths,
} from "@mcpward/core/light";
import { servers } from "@mcpward/test-servers";
import { afterAll, describe, expect, it } from "vitest";
import { DAEMON_VERSION } from "../dist/client.js";
import {
  createSandbox,
  ensure,
  isAlive,
  killQuietly,
  mode,
  nodeSpec,
  processStartTime,
  readMeta,
  waitFor,
} from "./helpers.js";

const sandbox = createSandbox();
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) if (child.pid) killQuietly(child.pid, "SIGKILL");
  await sandbox.cleanup();
}, 60_000);

/** The paths a daemon for `spec` in `project` will use, with its project directory created 0700. */
function pathsFor(project: string, spec: ReturnType<typeof nodeSpec>): DaemonPaths {
  const paths = daemonPaths(
    sandbox.runtimeDir,
    computeProjectId(project),
    computeDaemonId(spec, project),
  );
  mkdirSync(paths.projectDir, { recursive: true, mode: 0o700 });
  return paths;
}

/** Starts `node -e <script>` in the sandbox and waits for its first stdout line. */
async function startHelper(script: string, args: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, ...args], {
    env: sandbox.env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`helper exited early (${code})`)));
    child.stdout!.once("data", () => resolve());
  });
  child.removeAllListeners("exit");
  return child;
}

/** True when connecting to `path` is refused (a socket file nobody listens on). */
function refused(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

/** A listener that answers every hello with a proof it cannot know, and logs what it receives. */
const FOREIGN_LISTENER = `
import { createServer } from "node:net";
import { appendFileSync } from "node:fs";
const [path, log, silent] = process.argv.slice(1);
createServer((socket) => {
  socket.on("error", () => {});
  socket.on("data", (chunk) => {
    appendFileSync(log, chunk);
    if (silent !== "silent") socket.write(JSON.stringify({ type: "hello", protocol: 1, version: "0.0.0",
      nonce: "0".repeat(32), proof: "f".repeat(64) }) + "\\n");
  });
}).listen(path, () => process.stdout.write("ready\\n"));
`;

/**
 * A daemon of another version: a correct hello proof, but version "0.0.0-old"
 * (or the one given). It writes its own metadata (pid and start time),
 * answers requests with nothing useful and exits on SIGTERM like a real
 * daemon. With `dropHellos`, it closes that many connections during their
 * hello first, as a daemon too busy to answer in time would look.
 */
const OLD_DAEMON = `
import { createServer } from "node:net";
import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync, appendFileSync } from "node:fs";
const [path, metaPath, secret, log, daemonId, projectId, protocol, version = "0.0.0-old", dropHellos = "0"] =
  process.argv.slice(1);
let toDrop = Number(dropHellos);
const proof = (role, c, s) => createHmac("sha256", secret).update("mcpward-hello-v1\\n" + role + "\\n" + c + "\\n" + s).digest("hex");
createServer((socket) => {
  socket.on("error", () => {});
  let buffered = "";
  socket.on("data", (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\\n")) !== -1) {
      const frame = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      appendFileSync(log, JSON.stringify(frame) + "\\n");
      if (frame.type === "hello" && toDrop > 0) {
        toDrop--;
        socket.destroy();
        return;
      }
      if (frame.type === "hello") {
        const nonce = "1".repeat(32);
        socket.write(JSON.stringify({ type: "hello", protocol: Number(protocol), version, nonce,
          proof: proof("server", frame.nonce, nonce) }) + "\\n");
      } else if (typeof frame.id === "number") {
        socket.write(JSON.stringify({ id: frame.id, result: { stopping: true, pong: true, pid: process.pid } }) + "\\n");
      }
    }
  });
}).listen(path, () => {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const startTime = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  writeFileSync(metaPath, JSON.stringify({ daemonId, projectId, projectDir: "/", pid: process.pid,
    startTime, daemonVersion: version, protocol: 1, socket: path,
    server: { command: "node", args: [], envNames: [] }, startedAt: new Date().toISOString(),
    serverPid: null, serverStartTime: null, secret }), { mode: 0o600 });
  process.stdout.write("ready\\n");
});
`;

/** Metadata as a daemon that has since died would have left it. */
async function writeDeadDaemonMeta(
  project: string,
  spec: ReturnType<typeof nodeSpec>,
  paths: DaemonPaths,
): Promise<void> {
  const exited = spawn(process.execPath, ["-e", "0"]);
  await new Promise((resolve) => exited.once("exit", resolve));
  writeFileSync(
    paths.meta,
    JSON.stringify({
      daemonId: computeDaemonId(spec, project),
      projectId: computeProjectId(project),
      projectDir: project,
      pid: exited.pid,
      startTime: "1",
      daemonVersion: DAEMON_VERSION,
      protocol: 1,
      socket: paths.socket,
      server: { command: spec.command, args: spec.args, envNames: Object.keys(spec.env) },
      startedAt: new Date().toISOString(),
      serverPid: null,
      serverStartTime: null,
      secret: randomBytes(32).toString("hex"),
    }),
    { mode: 0o600 },
  );
}

describe("what is found at the socket path", () => {
  it("replaces a stale socket whose listener died without removing it", async () => {
    const project = sandbox.project("stale");
    const spec = nodeSpec(servers.echo);
    const paths = pathsFor(project, spec);
    const dead = await startHelper(
      `import { createServer } from "node:net";
       createServer().listen(process.argv[1], () => process.stdout.write("ready\\n"));`,
      [paths.socket],
    );
    dead.kill("SIGKILL");
    await waitFor(() => !isAlive(dead.pid), { what: "the listener to die" });
    expect(lstatSync(paths.socket).isSocket()).toBe(true);
    // On a loaded machine the kernel may take a moment to tear the dead
    // listener's socket down after the process is gone.
    await waitFor(async () => ((await refused(paths.socket)) ? true : null), {
      what: "connections to the dead listener's socket to be refused",
    });

    const { client, started } = await ensure(sandbox, project, spec);
    try {
      expect(started).toBe(true);
      expect((await client.ping()).pong).toBe(true);
      expect(lstatSync(paths.socket).isSocket()).toBe(true);
      expect(mode(paths.socket)).toBe(0o600);
    } finally {
      client.close();
    }
  });

  it("leaves a regular file at the socket path byte for byte untouched and says so", async () => {
    const project = sandbox.project("regular-file");
    const spec = nodeSpec(servers.echo);
    const paths = pathsFor(project, spec);
    const content = Buffer.concat([Buffer.from("not a socket\n"), randomBytes(64)]);
    writeFileSync(paths.socket, content, { mode: 0o600 });

    const error = await ensure(sandbox, project, spec).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNSAFE_PATH" });
    expect((error as Error).message).toContain(paths.socket);
    expect((error as Error).message).toMatch(/not a socket/);
    expect(lstatSync(paths.socket).isFile()).toBe(true);
    expect(readFileSync(paths.socket).equals(content)).toBe(true);
    expect(existsSync(paths.meta)).toBe(false);
    expect(existsSync(paths.lock)).toBe(false);
    unlinkSync(paths.socket);
  });

  it("refuses a listener that cannot prove the secret, sends it nothing and leaves it alone", async () => {
    const project = sandbox.project("foreign");
    const spec = nodeSpec(servers.echo, { CANARY_TOKEN: "canary-zz-123456" });
    const paths = pathsFor(project, spec);
    const log = join(sandbox.root, "foreign.log");
    writeFileSync(log, "");
    const listener = await startHelper(FOREIGN_LISTENER, [paths.socket, log]);

    // Metadata left by a daemon that died; the socket path now belongs to someone else.
    await writeDeadDaemonMeta(project, spec, paths);

    const withMeta = await ensure(sandbox, project, spec).catch((e: unknown) => e);
    expect(withMeta).toMatchObject({ code: "HANDSHAKE_FAILED" });
    expect((withMeta as Error).message).toMatch(/could not prove/);

    // Without metadata the client has no secret: still refused, still not removed.
    unlinkSync(paths.meta);
    const withoutMeta = await ensure(sandbox, project, spec).catch((e: unknown) => e);
    expect(withoutMeta).toBeInstanceOf(Error);
    expect((withoutMeta as Error).message).toContain(paths.socket);

    expect(isAlive(listener.pid)).toBe(true);
    expect(lstatSync(paths.socket).isSocket()).toBe(true);
    const received = readFileSync(log, "utf8");
    const frames = received
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) expect(frame.type).toBe("hello");
    expect(received).not.toContain("canary");
    expect(received).not.toContain("method");
    listener.kill("SIGKILL");
  });

  it("never removes the socket of a silent listener, even when a dead daemon's metadata names it", async () => {
    const project = sandbox.project("silent");
    const spec = nodeSpec(servers.echo);
    const paths = pathsFor(project, spec);
    const log = join(sandbox.root, "silent.log");
    writeFileSync(log, "");
    const listener = await startHelper(FOREIGN_LISTENER, [paths.socket, log, "silent"]);
    await writeDeadDaemonMeta(project, spec, paths);

    const error = await ensure(sandbox, project, spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(paths.socket);
    expect(isAlive(listener.pid)).toBe(true);
    expect(lstatSync(paths.socket).isSocket()).toBe(true);
    expect(await refused(paths.socket)).toBe(false);
    for (const line of readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l !== "")) {
      expect(JSON.parse(line)).toMatchObject({ type: "hello" });
    }
    listener.kill("SIGKILL");
  });

  it("asks a daemon that drops hellos again rather than start a second one beside it", async () => {
    const project = sandbox.project("busy");
    const spec = nodeSpec(servers.echo);
    const paths = pathsFor(project, spec);
    const log = join(sandbox.root, "busy.log");
    writeFileSync(log, "");
    const secret = randomBytes(32).toString("hex");
    const busy = await startHelper(OLD_DAEMON, [
      paths.socket,
      paths.meta,
      secret,
      log,
      computeDaemonId(spec, project),
      computeProjectId(project),
      "1",
      DAEMON_VERSION,
      "3",
    ]);
    const { client, started } = await ensure(sandbox, project, spec);
    try {
      expect(started).toBe(false);
      expect((await client.ping()).pid).toBe(busy.pid);
      const hellos = readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line.includes('"type":"hello"'));
      // Three dropped (the warm connect's attempts), the fourth answered
      // (under the start lock), and no daemon was spawned beside it.
      expect(hellos).toHaveLength(4);
    } finally {
      client.close();
      busy.kill("SIGKILL");
    }
  });

  it.each([
    { what: "version", protocol: 1 },
    { what: "protocol", protocol: 2 },
  ])(
    "stops a daemon of another $what and starts a current one in its place",
    async ({ what, protocol }) => {
      const project = sandbox.project(`old-${what}`);
      const spec = nodeSpec(servers.echo);
      const paths = pathsFor(project, spec);
      const log = join(sandbox.root, `old-${what}.log`);
      writeFileSync(log, "");
      const secret = randomBytes(32).toString("hex");
      const old = await startHelper(OLD_DAEMON, [
        paths.socket,
        paths.meta,
        secret,
        log,
        computeDaemonId(spec, project),
        computeProjectId(project),
        String(protocol),
      ]);
      const oldPid = old.pid!;
      expect(readMeta(paths.meta).pid).toBe(oldPid);
      expect(readMeta(paths.meta).startTime).toBe(processStartTime(oldPid));

      const { client, started } = await ensure(sandbox, project, spec);
      try {
        expect(started).toBe(true);
        expect(client.daemonVersion).toBe(DAEMON_VERSION);
        const { pid } = await client.ping();
        expect(pid).not.toBe(oldPid);
        await waitFor(() => !isAlive(oldPid), { what: "the old daemon to be stopped" });
        expect(readMeta(paths.meta).pid).toBe(pid);
        expect(readMeta(paths.meta).daemonVersion).toBe(DAEMON_VERSION);
        const received = readFileSync(log, "utf8");
        // Same protocol: asked to shut down, then signalled. Never sent arguments.
        if (what === "version") expect(received).toContain('"method":"shutdown"');
        expect(received).not.toContain("tools/call");
      } finally {
        client.close();
      }
    },
  );
});

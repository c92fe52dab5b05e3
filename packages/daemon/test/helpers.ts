// Shared helpers of the daemon's integration tests: a private sandbox per test
// file (runtime, state and project directories), process checks through /proc
// (zombies count as dead: PID 1 of a container may not reap orphans), polling
// instead of wall-clock assertions, and a raw socket client that speaks the
// wire protocol by hand.
import { randomBytes } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  computeProof,
  createNonce,
  encodeFrame,
  NdjsonDecoder,
  PROTOCOL_VERSION,
  type ServerSpec,
} from "@mcpward/core/light";
import { type DaemonMetadata, type EnsuredDaemon, ensureDaemon, stopAll } from "../dist/client.js";

/** The built client entry; child processes import it by URL. */
export const CLIENT_URL = new URL("../dist/client.js", import.meta.url).href;
/** The built daemon entry, as it appears in a daemon's argv. */
export const DAEMON_ENTRY = fileURLToPath(new URL("../dist/daemon-entry.js", import.meta.url));

type Env = Record<string, string | undefined>;

/** One test file's private world. */
export interface Sandbox {
  /** Temporary root holding everything below. */
  root: string;
  /** MCPWARD_RUNTIME_DIR (not created yet: the daemon must create it 0700). */
  runtimeDir: string;
  stateDir: string;
  /** Marks every daemon and server of this sandbox (inherited through env). */
  tag: string;
  /** Environment for ensureDaemon: the ambient one without MCPWARD_*, plus the dirs and the tag. */
  env: Env;
  /** A fresh project directory (real path); one per daemon configuration. */
  project(name: string): string;
  /** Environment with extra variables (limits) for one daemon. */
  envWith(extra: Env): Env;
  /** Stops every daemon, checks that no process of the sandbox survives, removes the files. */
  cleanup(): Promise<void>;
}

/** Creates a sandbox under /tmp (short paths: sockets have a 103-byte limit). */
export function createSandbox(): Sandbox {
  const root = realpathSync(mkdtempSync("/tmp/mwt-"));
  const runtimeDir = join(root, "run");
  const stateDir = join(root, "state");
  const tag = randomBytes(8).toString("hex");
  currentTag = tag;
  const base: Env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("MCPWARD_")) base[name] = value;
  }
  // The fixture servers live outside each sandbox project, so policy counts
  // them third-party (level 3): the user config of the sandbox turns the
  // approval gate off ("never") and `ensure` starts daemons with `--yes`.
  // Policy itself is tested in policy.test.ts.
  const configDir = join(root, "config");
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(configDir, "config.json"), JSON.stringify({ approval: "never" }), {
    mode: 0o600,
  });
  const env: Env = {
    ...base,
    MCPWARD_RUNTIME_DIR: runtimeDir,
    MCPWARD_STATE_DIR: stateDir,
    MCPWARD_CONFIG_DIR: configDir,
    MW_TEST_TAG: tag,
  };
  const sandbox: Sandbox = {
    root,
    runtimeDir,
    stateDir,
    tag,
    env,
    project(name) {
      const dir = join(root, "projects", name);
      mkdirSync(dir, { recursive: true });
      return realpathSync(dir);
    },
    envWith(extra) {
      return { ...env, ...extra };
    },
    async cleanup() {
      await stopAll({ all: true, env });
      // Every daemon and server of this sandbox carries the tag in its environment.
      const left = await waitFor(() => (taggedProcesses(tag).length === 0 ? true : null), {
        timeoutMs: 10_000,
      }).catch(() => taggedProcesses(tag));
      for (const pid of Array.isArray(left) ? left : []) killQuietly(pid, "SIGKILL");
      rmSync(root, { recursive: true, force: true });
      if (Array.isArray(left)) {
        throw new Error(`processes left running after stopAll: ${describePids(left)}`);
      }
    },
  };
  return sandbox;
}

/** Tag of the newest sandbox, given to servers explicitly (see {@link nodeSpec}). */
let currentTag: string | undefined;

/**
 * A server spec for `node <fixture>` with explicit env. The sandbox tag is
 * passed explicitly too: third-party servers get a minimal environment, and
 * the tag is how cleanup finds every server a test started.
 */
export function nodeSpec(server: string, env: Record<string, string> = {}): ServerSpec {
  return {
    command: process.execPath,
    args: [server],
    env: currentTag === undefined ? env : { MW_TEST_TAG: currentTag, ...env },
  };
}

/** ensureDaemon in a sandbox project, with optional extra env for the daemon (limits). */
export function ensure(
  sandbox: Sandbox,
  projectDir: string,
  spec: ServerSpec,
  options: {
    env?: Env;
    settings?: { idleTimeout?: number; toolTimeout?: number; startupTimeout?: number };
  } = {},
): Promise<EnsuredDaemon> {
  return ensureDaemon({
    spec,
    projectDir,
    env: options.env ?? sandbox.env,
    approve: true,
    ...(options.settings ? { settings: options.settings } : {}),
  });
}

/** Text of the first content item of a tool result. */
export function resultText(result: Record<string, unknown>): string {
  const content = result.content as Array<{ type: string; text?: string }> | undefined;
  return content?.[0]?.text ?? "";
}

/** Linux process state letter from /proc, or null when the pid does not exist. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] ?? null;
  } catch {
    return null;
  }
}

/** Parent pid from /proc, or null when the process is gone. */
export function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number | null | undefined): boolean {
  if (typeof pid !== "number" || pid <= 0) return false;
  const state = processState(pid);
  return state !== null && state !== "Z" && state !== "X";
}

/** The kernel start time of a process (field 22 of /proc/<pid>/stat), as the daemon records it. */
export function processStartTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const field = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  if (field === undefined) throw new Error(`no start time for ${pid}`);
  return field;
}

/** Live processes whose environment carries `MW_TEST_TAG=<tag>`. */
export function taggedProcesses(tag: string): number[] {
  const needle = Buffer.from(`MW_TEST_TAG=${tag}\0`);
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`).includes(needle) && isAlive(pid)) found.push(pid);
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** argv of a process, split at NULs. */
export function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8")
    .split("\0")
    .filter((s) => s !== "");
}

/** `pid (argv…)` for failure messages. */
export function describePids(pids: number[]): string {
  return pids
    .map((pid) => {
      try {
        return `${pid} (${cmdline(pid).join(" ")})`;
      } catch {
        return String(pid);
      }
    })
    .join(", ");
}

export function killQuietly(pid: number, signal: NodeJS.Signals = "SIGTERM"): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Polls `check` until it returns something other than null/undefined/false.
 *
 * @throws when the timeout passes (generous by default: machines are shared and noisy)
 */
export async function waitFor<T>(
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  { timeoutMs = 15_000, intervalMs = 25, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Names of the files in a directory (empty when it does not exist). */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Permission bits of a path. */
export function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

/** Every regular file below `dir`, recursively. */
export function filesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesBelow(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Reads a daemon's metadata file as JSON. */
export function readMeta(path: string): DaemonMetadata {
  return JSON.parse(readFileSync(path, "utf8")) as DaemonMetadata;
}

/**
 * A raw connection to a daemon socket: writes bytes as given and collects
 * every frame the daemon sends, so tests can misbehave on purpose.
 */
export class RawClient {
  readonly frames: Array<Record<string, unknown>> = [];
  readonly closed: Promise<void>;
  readonly connected: Promise<void>;
  isClosed = false;
  private readonly decoder = new NdjsonDecoder(256 * 1024 * 1024);
  private waiters: Array<() => void> = [];

  constructor(readonly socket: Socket) {
    socket.on("error", () => {});
    this.connected = new Promise((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("error", reject);
    });
    this.connected.catch(() => {});
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.isClosed = true;
        resolve();
        this.wake();
      });
    });
    socket.on("data", (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        if (frame.ok) this.frames.push(frame.value as Record<string, unknown>);
      }
      this.wake();
    });
  }

  static open(path: string): RawClient {
    return new RawClient(connect(path));
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  send(frame: unknown): void {
    this.socket.write(encodeFrame(frame));
  }

  /** Waits for a frame matching `match` (already received ones count). */
  async frame(
    match: (frame: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (this.isClosed)
        throw new Error(`connection closed; frames: ${JSON.stringify(this.frames)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame; frames: ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The response to request `id`. */
  response(id: number, timeoutMs?: number): Promise<Record<string, unknown>> {
    return this.frame((f) => f.id === id && f.event === undefined, timeoutMs);
  }

  /** Runs the hello exchange with the daemon's secret; resolves once authenticated. */
  async handshake(secret: string): Promise<void> {
    const clientNonce = createNonce();
    this.send({ type: "hello", protocol: PROTOCOL_VERSION, version: "test", nonce: clientNonce });
    const hello = await this.frame((f) => f.type === "hello");
    const serverNonce = String(hello.nonce);
    if (hello.proof !== computeProof(secret, "server", clientNonce, serverNonce)) {
      throw new Error("daemon sent a wrong proof");
    }
    this.send({ type: "auth", proof: computeProof(secret, "client", clientNonce, serverNonce) });
  }

  /** Waits until the daemon has closed the connection. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await Promise.race([
      this.closed,
      sleep(timeoutMs).then(() => {
        throw new Error("connection was not closed");
      }),
    ]);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Opens a raw connection and authenticates it. */
export async function rawSession(meta: { socket: string; secret: string }): Promise<RawClient> {
  const client = RawClient.open(meta.socket);
  await client.connected;
  await client.handshake(meta.secret);
  return client;
}

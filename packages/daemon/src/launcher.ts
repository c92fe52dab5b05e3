import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  computeDaemonId,
  computeProjectId,
  type DaemonPaths,
  daemonPaths,
  ensurePrivateDir,
  McpwardError,
  requestedProfile,
  runtimeRoot,
  type ServerSpec,
  stateRoot,
} from "@mcpward/core/light";
import { DaemonClient, HELLO_DROPPED, PROTOCOL_MISMATCH } from "./daemon-client.js";
import { tryLock } from "./lock-file.js";
import { type DaemonMetadata, readMetadata } from "./metadata.js";
import { stopDaemonProcess } from "./stop-daemon.js";
import { DAEMON_VERSION } from "./version.js";

/** Options of {@link ensureDaemon}. */
export interface EnsureDaemonOptions {
  spec: ServerSpec;
  /** Project directory (default: the current directory). */
  projectDir?: string;
  /** Environment for directory resolution and the daemon (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Settings for a daemon this call starts (seconds). */
  settings?: { idleTimeout?: number; toolTimeout?: number; startupTimeout?: number };
  /** Called once when a daemon has to be started (for a status line). */
  onStarting?: () => void;
  /**
   * `--yes`: a daemon this call starts may start its server even when policy
   * says ask (a deny stays a deny). Tool calls carry their own `approve`.
   */
  approve?: boolean;
  /**
   * `--profile`: the config profile of the call (else MCPWARD_PROFILE of
   * `env`). Part of the daemon id, so each profile's rules get their own daemon.
   */
  profile?: string;
  /**
   * `mcpward -s <name>`: `spec` was resolved from this config server. The
   * name is part of the daemon id, and the daemon applies that server's rules.
   */
  serverName?: string;
  /**
   * Called with a one-line notice from a daemon this call started, e.g. that
   * idle daemons were stopped to stay within `MCPWARD_MAX_DAEMONS`.
   */
  onNotice?: (message: string) => void;
}

/** A connected daemon. */
export interface EnsuredDaemon {
  client: DaemonClient;
  /** True when this call started the daemon. */
  started: boolean;
  daemonId: string;
  projectId: string;
  paths: DaemonPaths;
}

/** Node flags of the daemon process (never anything secret: argv is world-readable). */
const DAEMON_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=1"];

/** Where the daemon entry is, next to this module in dist/. */
function daemonEntry(): string {
  return fileURLToPath(new URL("./daemon-entry.js", import.meta.url));
}

/**
 * Connects to the daemon of this server and project, starting it if needed.
 * Warm path: read metadata, connect, hello. Cold path: take the per-daemon
 * lock, spawn the daemon detached (spec on stdin, never argv), wait for its
 * ready line, connect. Concurrent callers wait on the lock, so twenty first
 * calls start one daemon. A daemon of another version is stopped and
 * replaced; a listener that fails the hello proof is never removed.
 */
export async function ensureDaemon(options: EnsureDaemonOptions): Promise<EnsuredDaemon> {
  const env = options.env ?? process.env;
  const projectDir = realpathSync(options.projectDir ?? process.cwd());
  const projectId = computeProjectId(projectDir);
  const profile = requestedProfile(options.profile, env);
  const daemonId = computeDaemonId(
    { ...options.spec, name: options.serverName, profile },
    projectDir,
  );
  const root = runtimeRoot(env);
  const paths = daemonPaths(root, projectId, daemonId);
  const startupMs = (options.settings?.startupTimeout ?? startupTimeoutFromEnv(env)) * 1000;
  const result = (client: DaemonClient, started: boolean): EnsuredDaemon => ({
    client,
    started,
    daemonId,
    projectId,
    paths,
  });

  const warm = await connectExisting(paths);
  if (warm) return result(warm, false);

  ensurePrivateDir(root);
  ensurePrivateDir(paths.projectDir);
  options.onStarting?.();
  const deadline = Date.now() + startupMs + 5000;
  let delay = 10;
  while (Date.now() < deadline) {
    const lock = tryLock(paths.lock);
    if (lock) {
      try {
        // Someone may have finished starting it while we waited for the lock.
        const raced = await connectExisting(paths);
        if (raced) return result(raced, false);
        const notice = await spawnDaemon(
          {
            ...options.spec,
            projectDir,
            projectId,
            daemonId,
            runtimeDir: root,
            stateDir: stateRoot(env),
            settings: options.settings ?? {},
            ...(options.approve ? { approve: true } : {}),
            ...(profile !== undefined ? { profile } : {}),
            ...(options.serverName !== undefined ? { serverName: options.serverName } : {}),
          },
          env,
          startupMs + 5000,
        );
        if (notice !== null) options.onNotice?.(notice);
      } catch (error) {
        // Two waiters that take over one stale lock at the same moment both
        // spawn; the daemon that binds first wins and the other refuses to
        // start. The loser's caller uses the winner.
        const winner = await connectExisting(paths).catch(() => null);
        if (winner) return result(winner, false);
        throw error;
      } finally {
        lock.release();
      }
      const client = await connectExisting(paths);
      if (client) return result(client, true);
      throw new McpwardError(
        "DAEMON_UNREACHABLE",
        "daemon started but its socket does not answer; run `mcpward daemon logs`",
      );
    }
    const client = await connectExisting(paths);
    if (client) return result(client, false);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 200);
  }
  throw new McpwardError(
    "TIMEOUT",
    "timed out waiting for another mcpward to start this daemon; run `mcpward daemon clean` and retry",
  );
}

function startupTimeoutFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const raw = Number(env.MCPWARD_STARTUP_TIMEOUT);
  return Number.isFinite(raw) && raw > 0 ? raw : 30;
}

/**
 * Connects to a running daemon from its metadata. Nothing there, or a dead
 * socket: null. Another version: stopped, then null. A listener that fails
 * the proof: error.
 */
async function connectExisting(paths: DaemonPaths): Promise<DaemonClient | null> {
  const meta = readMetadata(paths.meta);
  if (!meta) return null;
  let client: DaemonClient;
  for (let attempt = 1; ; attempt++) {
    try {
      client = await DaemonClient.connect(paths.socket, meta.secret, { version: DAEMON_VERSION });
      break;
    } catch (error) {
      // A listener that took the connection and dropped it during the hello
      // is busy (a loaded machine, many clients at once) or shutting down:
      // ask again rather than start a second daemon, which could not bind.
      if (
        McpwardError.isInstance(error) &&
        error.data?.[HELLO_DROPPED] === true &&
        attempt < BUSY_ATTEMPTS
      ) {
        continue;
      }
      return connectFailed(error, meta);
    }
  }
  if (client.daemonVersion !== DAEMON_VERSION) {
    // Version skew: replace the old daemon transparently.
    await client.stop().catch(() => {});
    client.close();
    await stopDaemonProcess(meta);
    return null;
  }
  return client;
}

/** Hello attempts on a listener that drops connections during the hello. */
const BUSY_ATTEMPTS = 3;

/** What a failed connect means for {@link connectExisting}: start one (null) or an error. */
async function connectFailed(error: unknown, meta: DaemonMetadata): Promise<null> {
  if (!McpwardError.isInstance(error)) throw error;
  if (error.code === "DAEMON_UNREACHABLE") return null;
  if (error.data?.[PROTOCOL_MISMATCH]) {
    await stopDaemonProcess(meta);
    return null;
  }
  throw error;
}

async function spawnDaemon(
  spec: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
): Promise<string | null> {
  // child_process (and dgram behind it) is loaded only when a daemon starts,
  // not on every warm call.
  const { spawn } = process.getBuiltinModule("node:child_process");
  // A small young generation keeps an idle daemon's resident memory down
  // (measured 66 vs 73 MiB) at no measurable cost per call.
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, daemonEntry()], {
    detached: true,
    stdio: ["pipe", "pipe", "ignore"],
    env: env as NodeJS.ProcessEnv,
    cwd: spec.projectDir as string,
    shell: false,
  });
  child.stdin.on("error", () => {});
  child.stdin.end(JSON.stringify(spec));
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () =>
        reject(
          new McpwardError(
            "TIMEOUT",
            "daemon did not report ready in time; run `mcpward daemon logs`",
          ),
        ),
      timeoutMs,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const newline = out.indexOf("\n");
      if (newline !== -1) {
        clearTimeout(timer);
        resolve(out.slice(0, newline));
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new McpwardError("DAEMON_FAILED", `could not start the daemon: ${error.message}`));
    });
    // "close", not "exit": exit can come before the last stdout data, and the
    // error line the daemon printed would be lost.
    child.once("close", (code) => {
      clearTimeout(timer);
      if (out.includes("\n")) return;
      reject(
        new McpwardError(
          "DAEMON_FAILED",
          `daemon exited during startup (code ${code}); run \`mcpward daemon logs\``,
        ),
      );
    });
  });
  child.stdout.destroy();
  child.unref();
  let report: { ready?: boolean; notice?: unknown; error?: { code: string; message: string } };
  try {
    report = JSON.parse(line) as typeof report;
  } catch {
    throw new McpwardError("DAEMON_FAILED", "daemon wrote an unreadable startup line");
  }
  if (report.error)
    throw new McpwardError(report.error.code as McpwardError["code"], report.error.message);
  return typeof report.notice === "string" ? report.notice.slice(0, 2000) : null;
}

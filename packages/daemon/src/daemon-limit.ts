import { join } from "node:path";
import { connectTo, type DaemonEntry, listDaemons, stopDaemon } from "./list-daemons.js";
import { type HeldLock, tryLock } from "./lock-file.js";

/** Longest a starting daemon waits for another one that is making room. */
const LOCK_WAIT_MS = 15_000;

/** What {@link makeRoomForDaemon} did. */
export interface RoomMade {
  /** One line for the user when daemons were stopped, else null. */
  notice: string | null;
  /** Call once this daemon's metadata is written (it then counts for others). */
  release(): void;
}

interface Candidate {
  entry: DaemonEntry;
  /** Last use (ms since epoch); the start time when the daemon did not answer. */
  lastUsed: number;
  busy: boolean;
}

async function candidateOf(entry: DaemonEntry): Promise<Candidate> {
  const fallback = Date.parse(entry.meta.startedAt) || 0;
  try {
    const client = await connectTo(entry);
    try {
      const status = await client.status();
      const lastUsed = Date.parse(String(status.lastUsedAt));
      return {
        entry,
        lastUsed: Number.isFinite(lastUsed) ? lastUsed : fallback,
        busy: status.state === "busy" || status.state === "starting" || Number(status.inFlight) > 0,
      };
    } finally {
      client.close();
    }
  } catch {
    return { entry, lastUsed: fallback, busy: false };
  }
}

function label(entry: DaemonEntry): string {
  const { server } = entry.meta;
  const env = (server.envNames ?? []).map((name) => `${name}=***`);
  return [...env, server.command, ...(server.args ?? [])].join(" ");
}

function idleFor(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

async function waitForLock(path: string): Promise<HeldLock | null> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let delay = 10;
  for (;;) {
    const lock = tryLock(path);
    if (lock || Date.now() > deadline) return lock;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 200);
  }
}

/**
 * Keeps the user's live daemons (all projects) within `maxDaemons`: when
 * starting one more would exceed it, stops the longest-idle daemons first
 * (busy ones last) and says which. Starts at the limit are serialised by a
 * lock in the runtime directory, held until the new daemon has written its
 * metadata; below the limit no lock is taken, so cold starts stay cheap.
 */
export async function makeRoomForDaemon(options: {
  runtimeDir: string;
  maxDaemons: number;
  /** The starting daemon's socket, which must never be chosen. */
  socket: string;
}): Promise<RoomMade> {
  const scope = { all: true, env: { MCPWARD_RUNTIME_DIR: options.runtimeDir } };
  const live = (): DaemonEntry[] =>
    listDaemons(scope).filter((e) => e.alive && e.meta.socket !== options.socket);
  const nothing: RoomMade = { notice: null, release: () => {} };
  if (live().length < options.maxDaemons) return nothing;
  const lock = await waitForLock(join(options.runtimeDir, "daemons.lock"));
  const release = (): void => lock?.release();
  try {
    const running = live();
    const excess = running.length - options.maxDaemons + 1;
    if (excess <= 0) return { notice: null, release };
    const now = Date.now();
    const candidates = (await Promise.all(running.map(candidateOf))).sort(
      (a, b) => Number(a.busy) - Number(b.busy) || a.lastUsed - b.lastUsed,
    );
    const chosen = candidates.slice(0, excess);
    await Promise.all(chosen.map((c) => stopDaemon(c.entry)));
    const what = chosen
      .map(
        (c) =>
          `${c.entry.meta.daemonId.slice(0, 8)} (${label(c.entry)} in ${c.entry.meta.projectDir}, idle ${idleFor(now - c.lastUsed)})`,
      )
      .join(", ");
    const noun = chosen.length === 1 ? "daemon" : "daemons";
    return {
      notice: `stopped idle ${noun} ${what} to stay within ${options.maxDaemons} daemons (MCPWARD_MAX_DAEMONS)`,
      release,
    };
  } catch (error) {
    release();
    throw error;
  }
}

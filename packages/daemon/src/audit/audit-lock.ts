/**
 * The cross-process lock that keeps one audit chain when several daemons of
 * a project write to the same log.
 *
 * The lock is a file created with O_EXCL holding `{pid, start, nonce}`; the
 * holder runs only synchronous code while holding it (read the head, write
 * one line, update the head), so it is held for microseconds and never across
 * an `await`. A lock whose holder is gone is stale: a dead pid is seen at
 * once, a reused pid by its start time (checked once the same holder has been
 * seen for a while, because on macOS that check runs `ps`).
 *
 * Breaking a stale lock is itself serialised by a second O_EXCL file
 * (`<lock>.break`): the breaker re-reads the lock under it and removes it only
 * if it is still the very file (inode and content) found stale, so two
 * waiters can never both break and then both take the lock. What is not
 * covered: a breaker killed inside that few-microsecond window leaves a
 * `.break` file that the next breaker removes once its holder is dead, and
 * two breakers racing on that removal could, in theory, let two writers in;
 * their lines still never tear (each is one O_APPEND write), the chain would
 * show a fork that `verifyAudit` reports.
 */

import {
  closeSync,
  constants,
  lstatSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { McpwardError } from "@mcpward/core";
import { isSameProcess, processStartTime } from "../process-info.js";

/** A lock file whose content is unreadable this long after its last change is stale. */
const UNREADABLE_STALE_MS = 5_000;
/** How long one holder must be seen before its start time is checked (pid reuse). */
const START_CHECK_AFTER_MS = 250;
/** Longest pause between attempts. */
const MAX_BACKOFF_MS = 16;

let ownStart: string | null | undefined;
/** Makes each lock file this process writes distinct (see `breakStale`). */
let taken = 0;

function ownContent(): string {
  if (ownStart === undefined) ownStart = processStartTime(process.pid);
  return JSON.stringify({
    pid: process.pid,
    start: ownStart,
    nonce: ++taken,
  });
}

/** What one waiter has seen of the current holder. */
interface Watch {
  key: string;
  since: number;
  pid: number | null;
}

interface Holder {
  /** inode, change time and content: identifies one lock file. */
  key: string;
  pid: number | null;
  start: string | null;
  mtimeMs: number;
  valid: boolean;
}

function readHolder(path: string): Holder | null {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return null;
  }
  let content = "";
  if (stat.isFile()) {
    try {
      const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      try {
        const buffer = Buffer.alloc(512);
        const n = readSync(fd, buffer, 0, buffer.length, 0);
        content = buffer.subarray(0, n).toString("utf8");
      } finally {
        closeSync(fd);
      }
    } catch {
      content = "";
    }
  }
  const key = `${stat.ino}:${stat.mtimeMs}:${content}`;
  try {
    const parsed = JSON.parse(content) as { pid?: unknown; start?: unknown };
    if (typeof parsed.pid === "number" && Number.isInteger(parsed.pid) && parsed.pid > 0) {
      const start = typeof parsed.start === "string" ? parsed.start : null;
      return { key, pid: parsed.pid, start, mtimeMs: stat.mtimeMs, valid: true };
    }
  } catch {
    // empty (its creator is between open and write) or junk
  }
  return { key, pid: null, start: null, mtimeMs: stat.mtimeMs, valid: false };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isStale(holder: Holder, watchedMs: number): boolean {
  if (!holder.valid) return Date.now() - holder.mtimeMs > UNREADABLE_STALE_MS;
  if (!pidAlive(holder.pid!)) return true;
  // Without a start time (a platform where it cannot be read) only a dead pid counts.
  if (holder.start === null || watchedMs < START_CHECK_AFTER_MS) return false;
  return !isSameProcess(holder.pid!, holder.start);
}

function createExclusive(path: string): number {
  return openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
    0o600,
  );
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Removes the lock at `path` if it is still the stale file identified by `key`. */
function breakStale(path: string, key: string): void {
  const breakPath = `${path}.break`;
  let fd: number;
  try {
    fd = createExclusive(breakPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return;
    const breaker = readHolder(breakPath);
    if (breaker !== null && isStale(breaker, START_CHECK_AFTER_MS)) unlinkQuietly(breakPath);
    return;
  }
  try {
    writeSync(fd, ownContent());
    closeSync(fd);
    const again = readHolder(path);
    if (again !== null && again.key === key) unlinkSync(path);
  } catch {
    // the lock changed or vanished meanwhile: the next attempt sees
  } finally {
    unlinkQuietly(breakPath);
  }
}

/** A held lock; release it right after the synchronous critical section. */
interface HeldAuditLock {
  release(): void;
}

/** One attempt: the lock, or null while another live process holds it. */
function attempt(path: string, watch: Watch): HeldAuditLock | null {
  let fd: number;
  try {
    fd = createExclusive(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const holder = readHolder(path);
    if (holder === null) return null;
    if (holder.key !== watch.key) {
      watch.key = holder.key;
      watch.since = Date.now();
      watch.pid = holder.pid;
    }
    if (isStale(holder, Date.now() - watch.since)) breakStale(path, holder.key);
    return null;
  }
  try {
    writeSync(fd, ownContent());
  } catch (error) {
    // A lock file we cannot fill (disk full) would look held for a while: remove it.
    closeSync(fd);
    unlinkQuietly(path);
    throw error;
  }
  closeSync(fd);
  return { release: () => unlinkQuietly(path) };
}

function busy(path: string, watch: Watch, timeoutMs: number): McpwardError {
  const who = watch.pid === null ? "another process" : `process ${watch.pid}`;
  return new McpwardError(
    "BUSY",
    `the audit log is locked by ${who} for over ${timeoutMs} ms; if that process is stuck, stop it or remove ${path}`,
    { data: { path, pid: watch.pid } },
  );
}

function nextDelay(delay: number): number {
  return Math.min(delay * 2, MAX_BACKOFF_MS);
}

function jitter(delay: number): number {
  return delay * (0.5 + Math.random());
}

/**
 * Runs `critical` while holding the lock file at `path`, waiting with
 * backoff (without blocking the event loop) while another process holds it.
 * `critical` must be synchronous: the lock is released as soon as it returns.
 *
 * @throws McpwardError `BUSY` when the lock stays held for `timeoutMs`;
 *   file-system errors from taking the lock as they are
 */
export async function withAuditLock<T>(
  path: string,
  timeoutMs: number,
  critical: () => T,
): Promise<T> {
  const watch: Watch = { key: "", since: Date.now(), pid: null };
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  for (;;) {
    const lock = attempt(path, watch);
    if (lock !== null) {
      try {
        return critical();
      } finally {
        lock.release();
      }
    }
    if (Date.now() >= deadline) throw busy(path, watch, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, jitter(delay)));
    delay = nextDelay(delay);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * {@link withAuditLock} for synchronous callers (e.g. an exit handler): waits
 * by blocking the thread.
 *
 * @throws McpwardError `BUSY` when the lock stays held for `timeoutMs`
 */
export function withAuditLockSync<T>(path: string, timeoutMs: number, critical: () => T): T {
  const watch: Watch = { key: "", since: Date.now(), pid: null };
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  for (;;) {
    const lock = attempt(path, watch);
    if (lock !== null) {
      try {
        return critical();
      } finally {
        lock.release();
      }
    }
    if (Date.now() >= deadline) throw busy(path, watch, timeoutMs);
    Atomics.wait(sleeper, 0, 0, jitter(delay));
    delay = nextDelay(delay);
  }
}

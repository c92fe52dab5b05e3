import {
  closeSync,
  constants,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { isSameProcess, processStartTime } from "./process-info.js";

/** A held lock; release it when the daemon is up (or failed). */
export interface HeldLock {
  release(): void;
}

/**
 * Tries to take `<daemonId>.lock`: created exclusively, holding this
 * process's pid and start time. A lock whose process is gone (or whose pid
 * now belongs to another process) is stale and is taken over.
 *
 * @returns the lock, or null when a live process holds it
 */
export function tryLock(path: string): HeldLock | null {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
        0o600,
      );
      writeSync(fd, JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }));
      closeSync(fd);
      return {
        release: () => {
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (!isStale(path)) return null;
    try {
      unlinkSync(path);
    } catch {
      // someone else removed it first; try again
    }
  }
  return null;
}

/** A lock file that is still empty or unreadable after this long is junk. */
const JUNK_AGE_MS = 5000;

function isStale(path: string): boolean {
  let holder: { pid?: unknown; startTime?: unknown };
  try {
    holder = JSON.parse(readFileSync(path, "utf8")) as typeof holder;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    // Being written right now (the holder has created it but not yet written
    // its pid), or junk. Only junk older than a few seconds is stale: taking
    // over a lock that is being written would start a second daemon.
    return isOlderThan(path, JUNK_AGE_MS);
  }
  if (typeof holder.pid !== "number" || typeof holder.startTime !== "string") {
    return isOlderThan(path, JUNK_AGE_MS);
  }
  return !isSameProcess(holder.pid, holder.startTime);
}

function isOlderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false; // gone: not stale, just retry
  }
}

import { readdirSync, readFileSync } from "node:fs";

/**
 * node:child_process, loaded on first use: the client's warm path imports
 * this module but never runs `ps`, and child_process also loads dgram.
 */
function childProcess(): typeof import("node:child_process") {
  return process.getBuiltinModule("node:child_process");
}

/**
 * A token that identifies one process across its life: the kernel's start
 * time (Linux: clock ticks since boot from /proc; macOS: `ps -o lstart`).
 * A pid plus this token never matches a later process that reuses the pid.
 *
 * @returns the token, or null when the process does not exist
 */
export function processStartTime(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (process.platform === "linux") {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The command name (field 2) may contain spaces and parentheses, so
      // count fields from the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // A zombie has exited; only its parent has not collected it yet.
      if (fields[0] === "Z" || fields[0] === "X") return null;
      return fields[19] ?? null;
    } catch {
      return null;
    }
  }
  try {
    const out = childProcess()
      .execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      })
      .trim();
    return out === "" ? null : out;
  } catch {
    return null;
  }
}

/** True when `pid` is alive and is the same process that had `startTime`. */
export function isSameProcess(pid: number, startTime: string | null | undefined): boolean {
  if (!startTime) return false;
  return processStartTime(pid) === startTime;
}

/** Sends a signal, ignoring a process that is already gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resident memory of a process in bytes, or null when unknown. */
export function residentMemory(pid: number): number | null {
  if (process.platform === "linux") {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return match ? Number(match[1]) * 1024 : null;
    } catch {
      return null;
    }
  }
  try {
    const out = childProcess()
      .execFileSync("ps", ["-o", "rss=", "-p", String(pid)], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      })
      .trim();
    return out === "" ? null : Number(out) * 1024;
  } catch {
    return null;
  }
}

/**
 * Resident memory of a whole process group in bytes (a server started
 * through `npx` or a shell wrapper does its work in a child), or null when
 * the group has no live process.
 */
export function groupResidentMemory(group: number): number | null {
  if (!Number.isInteger(group) || group <= 0) return null;
  if (process.platform === "linux") {
    let entries: string[];
    try {
      entries = readdirSync("/proc");
    } catch {
      return residentMemory(group);
    }
    let total = 0;
    let found = false;
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (fields[2] !== String(group) || fields[0] === "Z" || fields[0] === "X") continue;
        const rss = residentMemory(Number(entry));
        if (rss !== null) {
          total += rss;
          found = true;
        }
      } catch {
        // the process ended while we looked
      }
    }
    return found ? total : null;
  }
  try {
    const out = childProcess().execFileSync("ps", ["-A", "-o", "pgid=,rss="], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    let total = 0;
    let found = false;
    for (const line of out.split("\n")) {
      const [pgid, rss] = line.trim().split(/\s+/);
      if (pgid === String(group) && rss !== undefined) {
        total += Number(rss) * 1024;
        found = true;
      }
    }
    return found ? total : null;
  } catch {
    return null;
  }
}

/**
 * True while any live (non-zombie) process is in process group `group`.
 * On Linux this reads /proc, because orphaned zombies in a container whose
 * init does not reap them would otherwise count as alive.
 */
export function processGroupAlive(group: number): boolean {
  if (process.platform === "linux") {
    let entries: string[];
    try {
      entries = readdirSync("/proc");
    } catch {
      entries = [];
    }
    if (entries.length > 0) {
      for (const entry of entries) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
          const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          if (fields[2] === String(group) && fields[0] !== "Z" && fields[0] !== "X") return true;
        } catch {
          // the process ended while we looked
        }
      }
      return false;
    }
  }
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

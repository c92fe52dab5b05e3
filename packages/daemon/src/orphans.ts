import { readdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { removeSocketSafely } from "@mcpward/core/light";
import { type DaemonMetadata, readMetadata } from "./metadata.js";
import { isSameProcess, processGroupAlive, signalProcess } from "./process-info.js";
import { isListening } from "./socket-guard.js";

/** What {@link reapDeadDaemons} found for one dead daemon. */
export interface ReapedDaemon {
  daemonId: string;
  /** The orphaned server that was ended, if one was still running. */
  killedServerPid: number | null;
}

/**
 * Finds daemons of one project that are gone (their pid is dead or now
 * belongs to another process) and cleans up after them: ends their server's
 * process group when the server is still the same process (pid plus start
 * time, so a reused pid is never killed), then removes their metadata and
 * their socket unless something still listens on it.
 */
export async function reapDeadDaemons(projectRuntimeDir: string): Promise<ReapedDaemon[]> {
  let names: string[];
  try {
    names = readdirSync(projectRuntimeDir);
  } catch {
    return [];
  }
  const reaped: ReapedDaemon[] = [];
  for (const name of names) {
    if (!/^[0-9a-f]{24}\.json$/.test(name)) continue;
    const metaPath = join(projectRuntimeDir, name);
    const meta = readMetadata(metaPath);
    if (!meta || isSameProcess(meta.pid, meta.startTime)) continue;
    reaped.push({ daemonId: meta.daemonId, killedServerPid: await killOrphanServer(meta) });
    const socket = join(projectRuntimeDir, `${meta.daemonId}.sock`);
    // Something listens there (a daemon that replaced this one and has not
    // written its metadata yet, or a foreign listener): never remove it.
    if (!(await isListening(socket))) {
      try {
        removeSocketSafely(socket);
      } catch {
        // not a socket: leave it for the user
      }
    }
    try {
      unlinkSync(metaPath);
    } catch {
      // already gone
    }
  }
  return reaped;
}

/** Ends the server of a dead daemon when it is provably the same process. */
export async function killOrphanServer(meta: DaemonMetadata): Promise<number | null> {
  const pid = meta.serverPid;
  if (pid === null || !isSameProcess(pid, meta.serverStartTime)) return null;
  // The server leads its own process group (spawned detached).
  signalProcess(-pid, "SIGTERM");
  for (let waited = 0; waited < 2000 && processGroupAlive(pid); waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
  }
  signalProcess(-pid, "SIGKILL");
  return pid;
}

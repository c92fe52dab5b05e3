import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { computeProjectId, runtimeRoot } from "@mcpward/core/light";
import { DaemonClient } from "./daemon-client.js";
import { type DaemonMetadata, readMetadata } from "./metadata.js";
import { reapDeadDaemons } from "./orphans.js";
import { isSameProcess } from "./process-info.js";
import { stopDaemonProcess } from "./stop-daemon.js";
import { DAEMON_VERSION } from "./version.js";

/** One daemon found in the runtime directory. */
export interface DaemonEntry {
  meta: DaemonMetadata;
  /** False when its process is gone (stale files, maybe an orphaned server). */
  alive: boolean;
}

/** Which daemons: one project's (default: the current directory) or every project's. */
export interface DaemonScope {
  projectDir?: string;
  all?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
}

function projectDirs(scope: DaemonScope): string[] {
  const root = runtimeRoot(scope.env ?? process.env);
  if (!scope.all) {
    const projectId = computeProjectId(scope.projectDir ?? process.cwd());
    return [join(root, projectId)];
  }
  try {
    return readdirSync(root)
      .filter((name) => /^[0-9a-f]{16}$/.test(name))
      .map((name) => join(root, name));
  } catch {
    return [];
  }
}

/** Lists daemons from their metadata files; reads no socket. */
export function listDaemons(scope: DaemonScope = {}): DaemonEntry[] {
  const entries: DaemonEntry[] = [];
  for (const dir of projectDirs(scope)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!/^[0-9a-f]{24}\.json$/.test(name)) continue;
      const meta = readMetadata(join(dir, name));
      if (meta) entries.push({ meta, alive: isSameProcess(meta.pid, meta.startTime) });
    }
  }
  return entries;
}

/** Connects to a listed daemon. */
export function connectTo(entry: DaemonEntry): Promise<DaemonClient> {
  return DaemonClient.connect(entry.meta.socket, entry.meta.secret, {
    version: DAEMON_VERSION,
    timeoutMs: 2000,
  });
}

/**
 * Stops one daemon: asks it to shut down over its socket, and if that fails
 * signals it; either way its server's process group is gone afterwards.
 */
export async function stopDaemon(entry: DaemonEntry): Promise<void> {
  if (entry.alive) {
    try {
      const client = await connectTo(entry);
      await client.stop();
      client.close();
      for (
        let waited = 0;
        waited < 5000 && isSameProcess(entry.meta.pid, entry.meta.startTime);
        waited += 25
      ) {
        await new Promise((r) => setTimeout(r, 25));
      }
    } catch {
      // fall through to signals
    }
  }
  await stopDaemonProcess(entry.meta);
  // The directory the daemon lived in: the runtime root of the scope it was
  // listed from, which need not be the one process.env points at.
  await reapDeadDaemons(dirname(entry.meta.socket));
}

/** Stops every daemon in scope; returns how many were stopped. */
export async function stopAll(scope: DaemonScope = {}): Promise<number> {
  const entries = listDaemons(scope).filter((e) => e.alive);
  await Promise.all(entries.map((entry) => stopDaemon(entry)));
  return entries.length;
}

/** Removes stale daemons of the scope and ends their orphaned servers. */
export async function cleanDaemons(
  scope: DaemonScope = {},
): Promise<{ removed: number; killedServers: number }> {
  let removed = 0;
  let killedServers = 0;
  for (const dir of projectDirs(scope)) {
    for (const reaped of await reapDeadDaemons(dir)) {
      removed++;
      if (reaped.killedServerPid !== null) killedServers++;
    }
  }
  return { removed, killedServers };
}

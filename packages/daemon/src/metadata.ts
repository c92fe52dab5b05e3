import { readFileSync } from "node:fs";

/**
 * What a daemon records about itself in `<daemonId>.json` (0600). Clients
 * read it to find the socket and the hello secret; `daemon clean` reads it to
 * reap the server of a dead daemon.
 */
export interface DaemonMetadata {
  daemonId: string;
  projectId: string;
  projectDir: string;
  pid: number;
  /** {@link processStartTime} of the daemon. */
  startTime: string;
  daemonVersion: string;
  protocol: number;
  socket: string;
  /** The server: command, args and env *names* only. */
  server: { command: string; args: string[]; envNames: string[] };
  /** ISO time the daemon started. */
  startedAt: string;
  /** Current server process, for orphan reaping. */
  serverPid: number | null;
  serverStartTime: string | null;
  /** Hello secret (64 hex). */
  secret: string;
}

/**
 * Reads and shape-checks a metadata file without valibot (the client's warm
 * path reads it on every call).
 *
 * @returns the metadata, or null when the file is missing or malformed
 */
export function readMetadata(path: string): DaemonMetadata | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const m = raw as Record<string, unknown>;
  const ok =
    typeof m.daemonId === "string" &&
    typeof m.pid === "number" &&
    typeof m.startTime === "string" &&
    typeof m.socket === "string" &&
    typeof m.secret === "string" &&
    /^[0-9a-f]{64}$/.test(m.secret) &&
    typeof m.protocol === "number" &&
    typeof m.daemonVersion === "string" &&
    typeof m.server === "object" &&
    m.server !== null;
  return ok ? (m as unknown as DaemonMetadata) : null;
}

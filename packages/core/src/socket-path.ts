import { lstatSync, type Stats, unlinkSync } from "node:fs";
import { McpwardError } from "./errors.js";

/** sun_path is 104 bytes on macOS and 108 on Linux, NUL included: use the smaller. */
export const MAX_SOCKET_PATH_BYTES = 103;

/**
 * @throws McpwardError `BAD_CONFIG` when `path` is too long to bind as a Unix
 *   socket, with the fix.
 */
export function checkSocketPathLength(path: string): void {
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new McpwardError(
      "BAD_CONFIG",
      `socket path is ${bytes} bytes, over the ${MAX_SOCKET_PATH_BYTES}-byte Unix socket limit; set MCPWARD_RUNTIME_DIR to a shorter directory`,
      { data: { path } },
    );
  }
}

/**
 * Removes a leftover socket. Only sockets and symlinks are unlinked: a
 * regular file or directory at that path is left untouched.
 *
 * @returns true when something was removed, false when nothing was there
 * @throws McpwardError `UNSAFE_PATH` when the path holds anything else.
 */
export function removeSocketSafely(path: string): boolean {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  if (!stat.isSocket() && !stat.isSymbolicLink()) {
    throw new McpwardError(
      "UNSAFE_PATH",
      `${path} is not a socket, so mcpward will not remove it; move it away and retry`,
      { data: { path } },
    );
  }
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  return true;
}

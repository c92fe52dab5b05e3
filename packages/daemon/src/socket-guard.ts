import { lstatSync } from "node:fs";
import { connect } from "node:net";
import { McpwardError, removeSocketSafely } from "@mcpward/core/light";

/** True when something accepts connections on the socket path. */
export function isListening(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(true); // accepted but silent: treat as alive, never remove it
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/**
 * Makes the socket path free to bind: nothing there is fine; a dead socket
 * is removed (once); a live listener or anything that is not a socket is
 * left alone with a clear error.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  let stat: ReturnType<typeof lstatSync> | undefined;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) {
    removeSocketSafely(path); // throws UNSAFE_PATH for a regular file, removes a symlink
    return;
  }
  if (await isListening(path)) {
    throw new McpwardError(
      "DAEMON_FAILED",
      `another process is listening on ${path}; stop it with \`mcpward daemon stop\` or remove the socket`,
    );
  }
  removeSocketSafely(path);
}

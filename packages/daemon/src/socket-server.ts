import { statSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { encodeFrame, McpwardError } from "@mcpward/core";
import { Connection, type ConnectionHost } from "./connection.js";

/** Options of {@link SocketServer}. */
export interface SocketServerOptions extends ConnectionHost {
  path: string;
  maxConnections: number;
}

/**
 * The daemon's Unix socket: created 0600 (the umask is tightened around
 * bind, and the mode is checked after), at most `maxConnections` clients at
 * once (every one more gets a `BUSY` error frame and is closed).
 */
export class SocketServer {
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();

  constructor(private readonly options: SocketServerOptions) {}

  /** Number of open connections. */
  get size(): number {
    return this.connections.size;
  }

  /** True when any connection has a call in flight. */
  get busy(): boolean {
    for (const connection of this.connections) if (connection.busy) return true;
    return false;
  }

  async listen(): Promise<void> {
    // No server.maxConnections: Node closes connections over it without a
    // word, so a burst of clients would get no BUSY. Every connection over the
    // limit is answered and closed as soon as the answer is written instead.
    const server = createServer({ allowHalfOpen: false }, (socket) => this.accept(socket));
    this.server = server;
    const previous = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(this.options.path, () => {
          server.off("error", reject);
          resolve();
        });
      });
    } finally {
      process.umask(previous);
    }
    const mode = statSync(this.options.path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      await this.close();
      throw new McpwardError(
        "UNSAFE_PATH",
        `socket ${this.options.path} has mode ${mode.toString(8)}, not 600; refusing to serve`,
      );
    }
  }

  private accept(socket: Socket): void {
    if (this.connections.size >= this.options.maxConnections) {
      socket.on("error", () => {});
      // Free the descriptor as soon as the frame is handed to the kernel, so a
      // flood of connections cannot hold many of them open.
      socket.end(
        encodeFrame({
          id: null,
          error: {
            code: "BUSY",
            message: `daemon is serving ${this.options.maxConnections} connections already; retry, or raise MCPWARD_MAX_CONNECTIONS`,
          },
        }),
        () => socket.destroy(),
      );
      setTimeout(() => socket.destroy(), 200).unref();
      return;
    }
    const connection = new Connection(socket, this.options);
    this.connections.add(connection);
    socket.once("close", () => this.connections.delete(connection));
  }

  /** Stops accepting and closes every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const connection of this.connections) connection.close();
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

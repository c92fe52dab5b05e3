import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { McpwardError } from "@mcpward/core";
import {
  type IncomingMessage,
  type JsonRpcMessage,
  parseMessage,
  serializeMessage,
} from "./json-rpc.js";
import { LineSplitter } from "./line-splitter.js";
import { processGroupAlive } from "./process-info.js";

/** How to start one server process. */
export interface ServerProcessOptions {
  command: string;
  args: string[];
  /** The complete environment of the server (already filtered). */
  env: Record<string, string>;
  cwd: string;
  /** Longest stdout line accepted; longer lines are dropped. */
  maxLineBytes: number;
  /** Grace period between SIGTERM and SIGKILL on stop. */
  killGraceMs: number;
  onStderrLine(line: string): void;
  /** Something on stdout that is not a JSON-RPC message. */
  onJunk(description: string): void;
  /**
   * The process exists (before initialize): its pid must be recorded now, so
   * a daemon killed while its server starts still leaves the pid to reap.
   */
  onSpawn?(pid: number): void;
}

/** Exit details of the server process. */
export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The stdio link to one MCP server: spawns it without a shell, in its own
 * process group (so stop reaches grandchildren), splits stdout into lines
 * with a cap (junk is skipped, not fatal), parses each line as JSON-RPC, and
 * stops it with SIGTERM, then SIGKILL.
 */
export class ServerTransport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** A message from the server, with the byte length of its line. */
  onmessage?: (message: IncomingMessage, bytes: number) => void;
  /** Set once the process has exited. */
  exit: ServerExit | null = null;
  private child: ChildProcessWithoutNullStreams | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: ServerProcessOptions) {}

  /** The server's pid (also its process group id), once started. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): Promise<void> {
    const o = this.options;
    return new Promise<void>((resolve, reject) => {
      const child = spawn(o.command, o.args, {
        cwd: o.cwd,
        env: o.env,
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
        shell: false,
        windowsHide: true,
      });
      this.child = child;
      this.exited = new Promise((done) => child.once("close", () => done()));
      const stdout = new LineSplitter(
        o.maxLineBytes,
        (line, bytes) => this.handleLine(line, bytes),
        (bytes) => o.onJunk(`dropped a ${bytes}+ byte line on stdout (over the frame cap)`),
      );
      const stderr = new LineSplitter(64 * 1024, o.onStderrLine, () =>
        o.onStderrLine("[mcpward: a very long stderr line was dropped]"),
      );
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.stdin.on("error", () => {}); // EPIPE when the server dies; close reports it
      child.once("spawn", () => {
        if (child.pid !== undefined) o.onSpawn?.(child.pid);
        resolve();
      });
      child.once("error", (error: NodeJS.ErrnoException) => {
        if (child.pid === undefined) {
          reject(spawnError(o.command, error));
        } else {
          this.onerror?.(error);
        }
      });
      child.once("close", (code, signal) => {
        stderr.flush();
        this.exit = { code, signal };
        this.onclose?.();
      });
    });
  }

  private handleLine(line: string, bytes: number): void {
    if (line.trim() === "") return;
    const message = parseMessage(line);
    // Junk without an id is dropped here; an invalid message that names an
    // id goes on, so the request it answers fails instead of waiting.
    if (message.kind === "invalid" && message.id === null) {
      this.options.onJunk(`ignored a non-JSON-RPC line on stdout (${line.length} chars)`);
      return;
    }
    this.onmessage?.(message, bytes);
  }

  /** Bytes written to the server's stdin that it has not read yet. */
  get backlog(): number {
    return this.child?.stdin.writableLength ?? 0;
  }

  /**
   * Writes one message to the server's stdin (buffered while the pipe is
   * full; {@link backlog} says how much waits).
   *
   * @throws Error when the server process is not running
   */
  send(message: JsonRpcMessage): void {
    const child = this.child;
    if (!child || this.exit) throw new Error("server process is not running");
    child.stdin.write(serializeMessage(message));
  }

  /** Stops the whole process group: SIGTERM, then SIGKILL after the grace period. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const group = -child.pid;
    child.stdin.end();
    signalGroup(group, "SIGTERM");
    const deadline = Date.now() + this.options.killGraceMs;
    // Wait for the whole group, not only the leader: grandchildren that ignore
    // SIGTERM must not outlive the server.
    while (Date.now() < deadline && processGroupAlive(child.pid)) {
      await new Promise((r) => setTimeout(r, 25));
    }
    signalGroup(group, "SIGKILL");
    await this.exited;
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(group, signal);
  } catch {
    // the group is already gone
  }
}

function spawnError(command: string, error: NodeJS.ErrnoException): McpwardError {
  if (error.code === "ENOENT") {
    return new McpwardError(
      "SERVER_START_FAILED",
      `server command not found: ${command}; check the name or use a full path`,
      { cause: error },
    );
  }
  if (error.code === "EACCES") {
    return new McpwardError(
      "SERVER_START_FAILED",
      `server command is not executable: ${command}; check its permissions`,
      { cause: error },
    );
  }
  return new McpwardError(
    "SERVER_START_FAILED",
    `could not start ${command}: ${error.code ?? error.message}`,
    { cause: error },
  );
}

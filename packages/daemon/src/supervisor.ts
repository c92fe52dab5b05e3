import { McpwardError } from "@mcpward/core";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcError, JsonRpcErrorCode, McpProtocolError } from "./json-rpc.js";
import { type CallOutcome, McpSession, type Progress } from "./mcp-session.js";
import type { ServerLog } from "./server-log.js";
import { ServerTransport } from "./server-transport.js";

/** Life of the server process as the daemon sees it. */
export type ServerState = "starting" | "ready" | "crashed" | "failed" | "stopped";

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  clientVersion: string;
  startupTimeoutMs(): number;
  maxLineBytes: number;
  killGraceMs: number;
  log: ServerLog;
  /** Called for every stderr line (already masked). */
  onStderr(line: string): void;
  /** Called when the server process starts or exits. */
  onProcessChange(pid: number | null): void;
  /** Lifecycle events, for the audit log. */
  onLifecycle?: (event: "start" | "restart" | "crash" | "stop", detail: string) => void;
}

/** Options of one tool call. */
export interface CallOptions {
  signal: AbortSignal;
  timeoutMs: number;
  onProgress?: (progress: Progress) => void;
}

/** Crashes in this window count towards the circuit breaker. */
const CRASH_WINDOW_MS = 60_000;
/** This many crashes in the window put the server in `failed`. */
const MAX_CRASHES = 5;

/**
 * Runs one MCP server through an {@link McpSession}: eager start with a startup
 * timeout, tool list cache, calls with timeout and cancellation, crash
 * detection, restart with exponential backoff and a circuit breaker.
 */
export class Supervisor {
  state: ServerState = "stopped";
  restarts = 0;
  lastError: string | null = null;
  startedAt: number | null = null;
  private client: McpSession | null = null;
  private transport: ServerTransport | null = null;
  private starting: Promise<McpSession> | null = null;
  private toolCache: Tool[] | null = null;
  private crashes: number[] = [];
  private stopping = false;
  private everStarted = false;
  /** Why the daemon ended the running server ({@link terminate}), for its crash record. */
  private exitReason: string | null = null;

  constructor(private readonly options: SupervisorOptions) {}

  /** The server's pid while it runs. */
  get pid(): number | null {
    return this.transport?.exit === null ? (this.transport?.pid ?? null) : null;
  }

  /** The cached tool list, if known. */
  get knownTools(): Tool[] | null {
    return this.toolCache;
  }

  /** A connected session, starting or restarting the server as needed. */
  ready(): Promise<McpSession> {
    if (this.state === "ready" && this.client) return Promise.resolve(this.client);
    if (this.starting) return this.starting;
    if (this.state === "failed") {
      return Promise.reject(
        new McpwardError(
          "SERVER_FAILED",
          `server crashed ${MAX_CRASHES} times within a minute and was not restarted again${this.stderrHint()}; fix it, then run \`mcpward daemon restart\``,
        ),
      );
    }
    this.starting = this.startWithBackoff().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  /** Clears the crash history (for `daemon restart`) and starts afresh. */
  async restart(): Promise<void> {
    await this.stop();
    this.crashes = [];
    // A call may have started the server again while the old one was stopping.
    if (!this.starting) {
      this.state = "stopped";
      this.stopping = false;
    }
    await this.ready();
  }

  /** Lists the server's tools (cached until the server says they changed). */
  async listTools(): Promise<Tool[]> {
    if (this.toolCache && this.state === "ready") return this.toolCache;
    const client = await this.ready();
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client
        .listToolsPage(cursor, this.options.startupTimeoutMs())
        .catch((error: unknown) => {
          throw this.translate(error, "listing tools", this.options.startupTimeoutMs());
        });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined && tools.length < 10_000);
    this.toolCache = tools;
    return tools;
  }

  /**
   * Calls one tool. Errors are McpwardErrors with codes from core's table.
   *
   * @returns the result and the size of its JSON as the server sent it
   */
  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: CallOptions,
  ): Promise<CallOutcome> {
    const client = this.state === "ready" && this.client ? this.client : await this.ready();
    try {
      return await client.callTool(name, args, options);
    } catch (error) {
      throw this.translate(error, `calling ${name}`, options.timeoutMs, options.signal);
    }
  }

  /**
   * Ends a running server that misbehaves (over its memory limit) and
   * counts it as a crash with `reason`: calls in flight fail with it, status
   * and the audit show it, the next call starts the server again, and
   * repeated kills open the circuit breaker.
   */
  async terminate(reason: string): Promise<void> {
    const transport = this.transport;
    if (this.state !== "ready" || !transport || transport.exit !== null) return;
    this.exitReason = reason;
    this.options.log.event(reason);
    await transport.close();
  }

  /** Stops the server's whole process group (SIGTERM, then SIGKILL). */
  async stop(): Promise<void> {
    this.stopping = true;
    // A start in progress (maybe still in its backoff) finishes first, so the
    // server it spawns is the one stopped here rather than left running.
    await this.starting?.catch(() => {});
    this.stopping = true;
    const transport = this.transport;
    const client = this.client;
    this.client = null;
    if (this.state !== "failed") this.state = "stopped";
    const wasRunning = transport !== null && transport.exit === null;
    if (transport) await transport.close();
    client?.close();
    // Unless a call started a new server meanwhile, whose pid must stay recorded.
    if (this.transport === transport) this.options.onProcessChange(null);
    if (wasRunning) this.options.onLifecycle?.("stop", "stopped by the daemon");
  }

  private async startWithBackoff(): Promise<McpSession> {
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < CRASH_WINDOW_MS);
    if (this.crashes.length > 1) {
      const delay = Math.min(8000, 250 * 2 ** (this.crashes.length - 2));
      await new Promise((r) => setTimeout(r, delay));
    }
    try {
      return await this.startOnce();
    } catch (error) {
      this.recordCrash(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  private async startOnce(): Promise<McpSession> {
    const o = this.options;
    this.state = "starting";
    this.stopping = false;
    this.exitReason = null;
    this.toolCache = null;
    if (this.everStarted) this.restarts++;
    this.everStarted = true;
    const transport = new ServerTransport({
      command: o.command,
      args: o.args,
      env: o.env,
      cwd: o.cwd,
      maxLineBytes: o.maxLineBytes,
      killGraceMs: o.killGraceMs,
      onStderrLine: (line) => o.onStderr(o.log.stderr(line)),
      onJunk: (what) => o.log.event(`server stdout: ${what}`),
      onSpawn: (pid) => o.onProcessChange(pid),
    });
    const client = new McpSession(transport, {
      clientInfo: { name: "mcpward", version: o.clientVersion },
      onClose: () => this.onClosed(transport),
      onWarning: (message) => o.log.event(message),
      onToolListChanged: () => {
        this.toolCache = null;
      },
    });
    this.transport = transport;
    const timeout = o.startupTimeoutMs();
    o.log.event(`starting server: ${[o.command, ...o.args].join(" ")}`);
    try {
      await client.connect(timeout);
    } catch (error) {
      const started = transport.pid !== null;
      await transport.close();
      client.close();
      if (started) o.onProcessChange(null);
      if (McpwardError.isInstance(error)) throw error;
      if (error instanceof JsonRpcError && error.code === JsonRpcErrorCode.RequestTimeout) {
        throw new McpwardError(
          "TIMEOUT",
          `server did not finish starting within ${timeout / 1000}s${this.stderrHint()}; raise --startup-timeout or check the server`,
        );
      }
      throw new McpwardError(
        "SERVER_START_FAILED",
        started
          ? `server exited during startup${exitText(transport)}${this.stderrHint()}`
          : `could not start server: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.client = client;
    this.state = "ready";
    this.startedAt = Date.now();
    o.log.event(`server ready (pid ${transport.pid})`);
    o.onLifecycle?.(this.restarts > 0 ? "restart" : "start", `pid ${transport.pid}`);
    return client;
  }

  private onClosed(transport: ServerTransport): void {
    if (transport !== this.transport || this.stopping) return;
    const reason = this.exitReason ?? `server exited${exitText(transport)}`;
    this.options.log.event(reason);
    this.client = null;
    this.options.onProcessChange(null);
    if (this.state === "ready") {
      this.recordCrash(reason);
      this.options.onLifecycle?.("crash", reason);
    }
    // Sweep the rest of its process group (grandchildren).
    void transport.close();
  }

  private recordCrash(reason: string): void {
    this.lastError = reason;
    this.crashes.push(Date.now());
    this.state = this.crashes.length >= MAX_CRASHES ? "failed" : "crashed";
    if (this.state === "failed") this.options.log.event("circuit breaker open: server failed");
  }

  private stderrHint(): string {
    const lines = this.options.log.recentStderr().slice(-3);
    return lines.length === 0 ? "" : `; last stderr: ${lines.join(" | ").slice(0, 500)}`;
  }

  private translate(
    error: unknown,
    what: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): McpwardError {
    if (McpwardError.isInstance(error)) return error;
    if (signal?.aborted) {
      const reason: unknown = signal.reason;
      if (McpwardError.isInstance(reason)) return reason;
      return new McpwardError("CANCELLED", `${what} was cancelled`);
    }
    if (error instanceof McpProtocolError) {
      return new McpwardError(
        "SERVER_PROTOCOL_ERROR",
        `server sent an invalid answer while ${what}: ${oneLine(error.message)}`,
      );
    }
    if (error instanceof JsonRpcError) {
      if (error.code === JsonRpcErrorCode.RequestTimeout) {
        return new McpwardError(
          "TIMEOUT",
          `${what} did not finish within ${timeoutMs / 1000}s and was cancelled on the server; raise --tool-timeout if it needs longer`,
        );
      }
      if (error.code === JsonRpcErrorCode.ConnectionClosed && this.exitReason !== null) {
        return new McpwardError(
          "SERVER_CRASHED",
          `${what} failed: ${this.exitReason}; the next call restarts it`,
        );
      }
      if (error.code === JsonRpcErrorCode.ConnectionClosed) {
        return new McpwardError(
          "SERVER_CRASHED",
          `server exited while ${what}${exitText(this.transport)}${this.stderrHint()}; the next call restarts it`,
        );
      }
      if (error.code === JsonRpcErrorCode.InvalidParams) {
        return new McpwardError(
          "INVALID_ARGUMENT",
          `server rejected the arguments: ${oneLine(error.message)}`,
        );
      }
      return new McpwardError(
        "SERVER_PROTOCOL_ERROR",
        `server returned an error while ${what}: ${oneLine(error.message)}`,
      );
    }
    return new McpwardError("SERVER_FAILED", `${what} failed: ${oneLine(String(error))}`, {
      cause: error,
    });
  }
}

function exitText(transport: ServerTransport | null): string {
  const exit = transport?.exit;
  if (!exit) return "";
  return exit.signal ? ` (signal ${exit.signal})` : ` (exit code ${exit.code})`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 500);
}

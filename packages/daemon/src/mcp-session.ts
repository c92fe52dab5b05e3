import { deepSanitize, McpwardError } from "@mcpward/core";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import * as v from "valibot";
import {
  firstIssue,
  type IncomingMessage,
  JsonRpcError,
  JsonRpcErrorCode,
  type JsonRpcId,
  type JsonRpcMessage,
  McpProtocolError,
} from "./json-rpc.js";
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from "./mcp-protocol-version.js";
import {
  CallToolResultSchema,
  InitializeResultSchema,
  ProgressSchema,
  ToolsPageSchema,
} from "./mcp-schemas.js";
import type { ServerTransport } from "./server-transport.js";

/** Progress the server reported for a call. */
export interface Progress {
  progress: number;
  total?: number | undefined;
  message?: string | undefined;
}

/** Options of one request to the server. */
export interface SessionRequestOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: Progress) => void) | undefined;
}

/** Options of {@link McpSession}. */
export interface McpSessionOptions {
  clientInfo: { name: string; version: string };
  /** The server said its tool list changed. */
  onToolListChanged(): void;
  /** The server's stdout closed (it exited); called before pending requests fail. */
  onClose(): void;
  /** Something odd the server did, for the daemon log. */
  onWarning(message: string): void;
  /**
   * Answers to the server's own requests are dropped while this many bytes
   * wait unread on its stdin (default 4 MiB), so a server that floods
   * requests without reading cannot make the daemon buffer without bound.
   */
  maxBacklogBytes?: number | undefined;
}

/** A tool call's result and the size of its JSON as the server sent it. */
export interface CallOutcome {
  result: CallToolResult;
  bytes: number;
}

interface Pending {
  resolve(result: unknown, bytes: number): void;
  reject(error: unknown): void;
  onProgress: ((progress: Progress) => void) | undefined;
}

const DEFAULT_MAX_BACKLOG = 4 * 1024 * 1024;

/** Deepest nesting accepted in a tools/list page (as in the daemon's frames). */
const MAX_TOOLS_DEPTH = 64;

/**
 * The daemon's MCP client session with one server, speaking JSON-RPC over a
 * {@link ServerTransport} directly (the SDK `Client`, with its zod schemas,
 * costs ~20 MiB and validates every answer in full). It does what the daemon
 * needs: initialize and version check, tools/list, tools/call with timeout,
 * cancellation and progress, pings from the server, list_changed. Every
 * server message is checked at the envelope; a malformed one fails only the
 * request it names (or is logged and ignored), never the daemon.
 */
export class McpSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private backlogWarned = false;

  constructor(
    private readonly transport: ServerTransport,
    private readonly options: McpSessionOptions,
  ) {
    transport.onmessage = (message, bytes) => this.onMessage(message, bytes);
    transport.onclose = () => this.onClose();
    transport.onerror = (error) => options.onWarning(`server transport error: ${error.message}`);
  }

  /**
   * Starts the server and runs the `initialize` handshake.
   *
   * @throws McpwardError `SERVER_PROTOCOL_ERROR` for an invalid answer or an
   *   unsupported protocol version; spawn errors; JsonRpcError on timeout or exit
   */
  async connect(timeoutMs: number): Promise<void> {
    await this.transport.start();
    const { result } = await this.request(
      "initialize",
      {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: this.options.clientInfo,
      },
      { timeoutMs },
    );
    const parsed = v.safeParse(InitializeResultSchema, result);
    if (!parsed.success) {
      throw new McpwardError(
        "SERVER_PROTOCOL_ERROR",
        `server sent an invalid initialize result (${firstIssue(parsed.issues)}); it does not speak MCP as expected`,
      );
    }
    const version = parsed.output.protocolVersion;
    if (!SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      throw new McpwardError(
        "SERVER_PROTOCOL_ERROR",
        `server speaks MCP protocol version ${JSON.stringify(version.slice(0, 40))}, which this mcpward does not support (it supports ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")}); upgrade mcpward or use another server version`,
      );
    }
    this.notify("notifications/initialized");
  }

  /**
   * One page of the server's tools (checked and sanitised).
   *
   * @throws McpProtocolError for an invalid page; JsonRpcError
   */
  async listToolsPage(
    cursor: string | undefined,
    timeoutMs: number,
  ): Promise<{ tools: Tool[]; nextCursor: string | undefined }> {
    const { result } = await this.request("tools/list", cursor === undefined ? {} : { cursor }, {
      timeoutMs,
    });
    let page: unknown;
    try {
      page = deepSanitize(result, { maxDepth: MAX_TOOLS_DEPTH });
    } catch (error) {
      throw new McpProtocolError(`invalid tools/list result: ${(error as Error).message}`);
    }
    const parsed = v.safeParse(ToolsPageSchema, page);
    if (!parsed.success) {
      throw new McpProtocolError(`invalid tools/list result: ${firstIssue(parsed.issues)}`);
    }
    return { tools: parsed.output.tools as Tool[], nextCursor: parsed.output.nextCursor };
  }

  /**
   * Calls one tool. The result is checked to be an object (content an
   * array when present) and otherwise passed on as the server sent it.
   *
   * @throws McpProtocolError for an invalid result; JsonRpcError; the
   *   signal's reason when aborted
   */
  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: SessionRequestOptions,
  ): Promise<CallOutcome> {
    const { result, bytes } = await this.request("tools/call", { name, arguments: args }, options);
    const parsed = v.safeParse(CallToolResultSchema, result);
    if (!parsed.success) {
      throw new McpProtocolError(`invalid tools/call result: ${firstIssue(parsed.issues)}`);
    }
    const output = parsed.output as CallToolResult;
    // As the SDK did: a result without content has an empty one.
    if (output.content === undefined) output.content = [];
    return { result: output, bytes };
  }

  /** Ends the session (the caller closes the transport); pending requests fail. */
  close(): void {
    this.onClose();
  }

  private request(
    method: string,
    params: Record<string, unknown>,
    options: SessionRequestOptions,
  ): Promise<{ result: unknown; bytes: number }> {
    const { signal, onProgress } = options;
    if (this.closed) {
      return Promise.reject(
        new JsonRpcError(JsonRpcErrorCode.ConnectionClosed, "Connection closed"),
      );
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.nextId++;
    if (onProgress) params._meta = { ...(params._meta as object | undefined), progressToken: id };
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        this.pending.delete(id);
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const cancel = (reason: unknown, error: unknown): void => {
        settle();
        this.sendCancelled(id, reason);
        reject(error);
      };
      const onAbort = (): void => cancel(signal?.reason, signal?.reason);
      const timer = setTimeout(() => {
        const error = new JsonRpcError(JsonRpcErrorCode.RequestTimeout, "Request timed out", {
          timeout: options.timeoutMs,
        });
        cancel(`timed out after ${options.timeoutMs} ms`, error);
      }, options.timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        resolve: (result, bytes) => {
          settle();
          // The envelope around the result: {"jsonrpc":"2.0","id":<id>,"result":…}
          resolve({ result, bytes: Math.max(0, bytes - 33 - String(id).length) });
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        onProgress,
      });
      try {
        this.transport.send({ jsonrpc: "2.0", id, method, params });
      } catch (error) {
        this.pending.get(id)?.reject(error);
      }
    });
  }

  private notify(method: string, params?: Record<string, unknown>): void {
    if (this.closed) return;
    const message =
      params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params };
    this.sendQuietly(message as JsonRpcMessage);
  }

  private sendCancelled(requestId: number, reason: unknown): void {
    const text = reason instanceof Error ? reason.message : String(reason ?? "cancelled");
    this.notify("notifications/cancelled", { requestId, reason: text.slice(0, 500) });
  }

  private respond(
    id: JsonRpcId,
    body: { result: unknown } | { error: { code: number; message: string } },
  ): void {
    if (this.closed) return;
    if (this.transport.backlog > (this.options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG)) {
      if (!this.backlogWarned) {
        this.backlogWarned = true;
        this.options.onWarning(
          "server sends requests but does not read its stdin; dropping answers to them",
        );
      }
      return;
    }
    this.backlogWarned = false;
    this.sendQuietly({ jsonrpc: "2.0", id, ...body } as JsonRpcMessage);
  }

  /** Sends a message nobody waits for; a server that is gone is reported by close. */
  private sendQuietly(message: JsonRpcMessage): void {
    try {
      this.transport.send(message);
    } catch {
      // the server exited; onClose follows
    }
  }

  private onMessage(message: IncomingMessage, bytes: number): void {
    switch (message.kind) {
      case "response":
      case "error":
      case "invalid":
        return this.onAnswer(message, bytes);
      case "request":
        // We declare no capabilities: only ping is answered.
        if (message.method === "ping") return this.respond(message.id, { result: {} });
        return this.respond(message.id, {
          error: { code: JsonRpcErrorCode.MethodNotFound, message: "Method not found" },
        });
      case "notification":
        return this.onNotification(message.method, message.params);
    }
  }

  private onAnswer(
    message: Extract<IncomingMessage, { kind: "response" | "error" | "invalid" }>,
    bytes: number,
  ): void {
    const pending = message.id === null ? undefined : this.pending.get(Number(message.id));
    if (!pending) {
      this.options.onWarning(
        message.kind === "invalid"
          ? `server stdout: ignored an invalid JSON-RPC message (${message.reason})`
          : `server stdout: ignored an answer for unknown request id ${String(message.id).slice(0, 40)}`,
      );
      return;
    }
    if (message.kind === "response") pending.resolve(message.result, bytes);
    else if (message.kind === "error") {
      pending.reject(new JsonRpcError(message.code, message.message, message.data));
    } else pending.reject(new McpProtocolError(`invalid JSON-RPC answer: ${message.reason}`));
  }

  private onNotification(method: string, params: Record<string, unknown>): void {
    if (method === "notifications/tools/list_changed") {
      this.options.onToolListChanged();
    } else if (method === "notifications/progress") {
      const parsed = v.safeParse(ProgressSchema, params);
      if (!parsed.success) return;
      const { progressToken, progress, total, message } = parsed.output;
      const pending = this.pending.get(Number(progressToken));
      pending?.onProgress?.({
        progress,
        ...(total === undefined ? {} : { total }),
        ...(message === undefined ? {} : { message }),
      });
    }
    // Other notifications (logging, resources, …) are not used by the daemon.
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.onClose();
    const error = new JsonRpcError(JsonRpcErrorCode.ConnectionClosed, "Connection closed");
    for (const pending of [...this.pending.values()]) pending.reject(error);
    this.pending.clear();
  }
}

import { connect, type Socket } from "node:net";
import {
  computeProof,
  createNonce,
  type ErrorPayload,
  encodeFrame,
  McpwardError,
  type Method,
  NdjsonDecoder,
  PROTOCOL_VERSION,
  type ToolsCallParams,
  verifyProof,
} from "@mcpward/core/light";

/** An event the daemon sent while a request ran. */
export interface DaemonEvent {
  event: "stderr" | "progress" | "notice" | "approval";
  data: unknown;
  /** The request the event belongs to (answer an `approval` with {@link DaemonClient.answerApproval}). */
  id: number;
}

/** How a request may get past an `ask` decision. */
export interface ApprovalOptions {
  /** `--yes`: approve an ask for this request. */
  approve?: boolean;
  /** This client can prompt its user (it answers `approval` events). */
  interactive?: boolean;
}

/** Options of one request. */
export interface RequestOptions {
  onEvent?: (event: DaemonEvent) => void;
  /** Aborting sends `cancel` for this request; the daemon answers CANCELLED. */
  signal?: AbortSignal;
}

/** Options of {@link DaemonClient.connect}. */
export interface ConnectOptions {
  /** Deadline for connect plus handshake. */
  timeoutMs?: number;
  /** Largest frame accepted from the daemon. */
  maxFrameBytes?: number;
  /** This client's version, sent in hello. */
  version?: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: McpwardError): void;
  onEvent: ((event: DaemonEvent) => void) | undefined;
}

/** Raised when the daemon speaks another protocol version. */
export const PROTOCOL_MISMATCH = "protocolMismatch";

/**
 * Key in `data` of the DAEMON_UNREACHABLE error for a listener that took the
 * connection and closed it before the hello was done (a daemon past its
 * hello deadline on a loaded machine, or one shutting down).
 */
export const HELLO_DROPPED = "helloDropped";

/**
 * A connection to one daemon, after the mutual hello proof: the client
 * checks the daemon's proof before it sends anything else, so a foreign
 * listener on the socket never receives arguments.
 */
export class DaemonClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: McpwardError | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly decoder: NdjsonDecoder,
    /** The daemon's version, from its hello. */
    readonly daemonVersion: string,
  ) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => {});
    socket.on("close", () =>
      this.fail(
        new McpwardError("DAEMON_UNREACHABLE", "daemon closed the connection; retry the command"),
      ),
    );
  }

  /**
   * Connects and runs the hello handshake.
   *
   * @throws McpwardError `DAEMON_UNREACHABLE` (nothing listening; `cause.code`
   *   is ENOENT or ECONNREFUSED), `HANDSHAKE_FAILED` (the listener could not
   *   prove the secret, or spoke another protocol: `data.protocolMismatch`).
   */
  static connect(
    socketPath: string,
    secret: string,
    options: ConnectOptions = {},
  ): Promise<DaemonClient> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const decoder = new NdjsonDecoder(options.maxFrameBytes ?? 1024 * 1024 * 1024);
    const clientNonce = createNonce();
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath);
      let settled = false;
      const finish = (error: McpwardError | null, client?: DaemonClient): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off("data", onData);
        if (error) {
          socket.destroy();
          reject(error);
        } else resolve(client!);
      };
      const timer = setTimeout(
        () =>
          finish(
            new McpwardError(
              "DAEMON_UNREACHABLE",
              `daemon did not answer within ${timeoutMs} ms; run \`mcpward daemon clean\` and retry`,
            ),
          ),
        timeoutMs,
      );
      const onData = (chunk: Buffer): void => {
        for (const frame of decoder.push(chunk)) {
          if (!frame.ok) {
            finish(
              new McpwardError(
                "HANDSHAKE_FAILED",
                `daemon sent a bad hello: ${frame.error.message}`,
              ),
            );
            return;
          }
          const error = checkServerHello(frame.value, secret, clientNonce, socketPath);
          if (error) {
            finish(error);
            return;
          }
          const hello = frame.value as { nonce: string; version?: unknown };
          socket.write(
            encodeFrame({
              type: "auth",
              proof: computeProof(secret, "client", clientNonce, hello.nonce),
            }),
          );
          finish(
            null,
            new DaemonClient(
              socket,
              decoder,
              typeof hello.version === "string" ? hello.version : "unknown",
            ),
          );
          return;
        }
      };
      socket.on("data", onData);
      socket.once("connect", () => {
        socket.write(
          encodeFrame({
            type: "hello",
            protocol: PROTOCOL_VERSION,
            version: options.version ?? "0",
            nonce: clientNonce,
          }),
        );
      });
      socket.once("error", (error: NodeJS.ErrnoException) =>
        finish(
          new McpwardError(
            "DAEMON_UNREACHABLE",
            `cannot connect to the daemon (${error.code ?? error.message})`,
            { cause: error },
          ),
        ),
      );
      socket.once("close", () =>
        finish(
          new McpwardError("DAEMON_UNREACHABLE", "daemon closed the connection during hello", {
            data: { [HELLO_DROPPED]: true },
          }),
        ),
      );
    });
  }

  /** Sends one request and resolves with its result. */
  request<T = unknown>(
    method: Method,
    params: object = {},
    options: RequestOptions = {},
  ): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        onEvent: options.onEvent,
      });
      const signal = options.signal;
      if (signal) {
        const onAbort = (): void => {
          if (!this.pending.has(id)) return;
          this.socket.write(
            encodeFrame({ id: this.nextId++, method: "cancel", params: { target: id } }),
          );
        };
        if (signal.aborted) queueMicrotask(onAbort);
        else signal.addEventListener("abort", onAbort, { once: true });
      }
      this.socket.write(encodeFrame({ id, method, params }));
    });
  }

  ping(): Promise<{ pong: true; pid: number; version: string }> {
    return this.request("ping");
  }

  listTools(
    approval: ApprovalOptions = {},
    options: RequestOptions = {},
  ): Promise<{
    tools: Array<{ name: string; description?: string; inputSchema: unknown }>;
  }> {
    return this.request("tools/list", approval, options);
  }

  /** Help text for one tool, or the tool list when `tool` is omitted. */
  help(
    tool?: string,
    approval: ApprovalOptions = {},
    options: RequestOptions = {},
  ): Promise<{ text: string; tool?: string }> {
    return this.request(
      "tools/help",
      tool === undefined ? approval : { ...approval, tool },
      options,
    );
  }

  /**
   * Answers an `approval` event of one of this connection's requests (only
   * the connection that made the request can answer it).
   */
  answerApproval(id: number, answer: "once" | "always" | "deny"): Promise<{ delivered: boolean }> {
    return this.request("approve", { target: id, answer });
  }

  /** Calls a tool; the result is the MCP CallToolResult. */
  call(params: ToolsCallParams, options: RequestOptions = {}): Promise<Record<string, unknown>> {
    return this.request("tools/call", params, options);
  }

  status(): Promise<Record<string, unknown>> {
    return this.request("status");
  }

  /** Asks the daemon to shut down (it stops its server and removes its files). */
  stop(): Promise<{ stopping: boolean }> {
    return this.request("shutdown");
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.decoder.push(chunk)) {
      if (!frame.ok) {
        this.fail(frame.error);
        return;
      }
      const value = frame.value as {
        id?: unknown;
        result?: unknown;
        error?: ErrorPayload;
        event?: DaemonEvent["event"];
        data?: unknown;
      };
      if (typeof value.id !== "number") {
        if (value.error) this.fail(new McpwardError(asCode(value.error.code), value.error.message));
        continue;
      }
      const pending = this.pending.get(value.id);
      if (!pending) continue;
      if (value.event !== undefined) {
        pending.onEvent?.({ event: value.event, data: value.data, id: value.id });
        continue;
      }
      this.pending.delete(value.id);
      if (value.error) {
        const e = value.error;
        pending.reject(
          new McpwardError(
            asCode(e.code),
            String(e.message),
            e.data === undefined ? {} : { data: e.data },
          ),
        );
      } else pending.resolve(value.result);
    }
  }

  private fail(error: McpwardError): void {
    this.closedError ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/**
 * Checks the daemon's hello: shape, protocol version and, above all, its
 * proof of the secret, before the client sends anything else.
 *
 * @returns the error to fail with, or null when the daemon proved itself
 */
function checkServerHello(
  value: unknown,
  secret: string,
  clientNonce: string,
  socketPath: string,
): McpwardError | null {
  const hello = (value ?? {}) as Record<string, unknown>;
  if (hello.error) {
    const e = hello.error as ErrorPayload;
    return new McpwardError(e.code === "BUSY" ? "BUSY" : "HANDSHAKE_FAILED", e.message);
  }
  if (
    hello.type !== "hello" ||
    typeof hello.nonce !== "string" ||
    !/^[0-9a-f]{32}$/.test(hello.nonce)
  ) {
    return new McpwardError(
      "HANDSHAKE_FAILED",
      "the listener on the daemon socket did not answer hello; run `mcpward daemon clean`",
    );
  }
  if (hello.protocol !== PROTOCOL_VERSION) {
    return new McpwardError(
      "HANDSHAKE_FAILED",
      `daemon speaks protocol ${String(hello.protocol)}, this client ${PROTOCOL_VERSION}`,
      { data: { [PROTOCOL_MISMATCH]: true } },
    );
  }
  if (!verifyProof(hello.proof, secret, "server", clientNonce, hello.nonce)) {
    return new McpwardError(
      "HANDSHAKE_FAILED",
      `the listener on ${socketPath} could not prove it is the daemon; nothing was sent to it. Stop whatever listens there, then run \`mcpward daemon clean\``,
    );
  }
  return null;
}

function asCode(code: string): McpwardError["code"] {
  return code as McpwardError["code"];
}

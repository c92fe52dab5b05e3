import type { Socket } from "node:net";
import {
  type ApprovalAnswer,
  type ApprovalRequest,
  ClientAuthSchema,
  ClientHelloSchema,
  computeProof,
  createNonce,
  deepSanitize,
  encodeFrame,
  McpwardError,
  NdjsonDecoder,
  PROTOCOL_VERSION,
  RequestSchema,
  verifyProof,
} from "@mcpward/core";
import * as v from "valibot";

/** What a connection needs from the daemon. */
export interface ConnectionHost {
  secret: string;
  version: string;
  maxFrameBytes: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  /** Handles one authenticated request; resolves to its result. */
  handle(request: IncomingRequest): Promise<unknown>;
  log(message: string): void;
}

/** One request in flight on one connection. */
export interface IncomingRequest {
  id: number;
  method: v.InferOutput<typeof RequestSchema>["method"];
  params: Record<string, unknown>;
  /** Aborted by `cancel` from the same connection, or when it closes. */
  signal: AbortSignal;
  connection: Connection;
  /** Sends an event tied to this request. */
  emit(event: "stderr" | "progress" | "notice" | "approval", data: unknown): void;
}

type Phase = "hello" | "auth" | "ready" | "closed";

/**
 * One client connection: the hello handshake (proofs of the secret in both
 * directions, complete within a deadline counted from connect), then
 * requests. Bad frames get an error frame; a frame over the cap gets an error
 * frame and a close; nothing here can stop the daemon.
 */
export class Connection {
  private phase: Phase = "hello";
  private readonly decoder: NdjsonDecoder;
  private clientNonce = "";
  private readonly serverNonce = createNonce();
  private readonly inFlight = new Map<number, AbortController>();
  /** Calls of this connection waiting for their user's answer. */
  private readonly approvals = new Map<number, (answer: ApprovalAnswer) => void>();
  private handshakeTimer: NodeJS.Timeout | null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    this.decoder = new NdjsonDecoder(host.maxFrameBytes);
    // The deadline runs from connect and is not reset by traffic, so a client
    // that trickles bytes (slowloris) is dropped all the same.
    this.handshakeTimer = setTimeout(
      () => this.drop("handshake deadline passed"),
      host.handshakeTimeoutMs,
    );
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => this.close());
    socket.on("close", () => this.close());
  }

  /** Calls of this connection still running. */
  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** Aborts one of this connection's own calls. */
  cancel(target: number, reason: McpwardError): boolean {
    const controller = this.inFlight.get(target);
    if (!controller) return false;
    controller.abort(reason);
    return true;
  }

  /**
   * Asks this connection's user about one of its calls: sends an `approval`
   * event and waits for an `approve` request from this same connection (no
   * other connection can answer). Aborting the call, closing the connection
   * or the time limit all count as deny.
   */
  askApproval(
    id: number,
    request: ApprovalRequest,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<ApprovalAnswer> {
    return new Promise((resolve) => {
      const done = (answer: ApprovalAnswer): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.approvals.delete(id);
        resolve(answer);
      };
      const onAbort = (): void => done("deny");
      const timer = setTimeout(() => done("deny"), timeoutMs);
      timer.unref();
      signal.addEventListener("abort", onAbort, { once: true });
      this.approvals.set(id, done);
      this.send({ id, event: "approval", data: request });
    });
  }

  /** Delivers an answer to one of this connection's pending approvals. */
  answerApproval(target: number, answer: ApprovalAnswer): boolean {
    const waiter = this.approvals.get(target);
    if (!waiter) return false;
    waiter(answer);
    return true;
  }

  /** Sends a frame unless the connection is gone. */
  send(frame: unknown): void {
    if (this.phase === "closed" || this.socket.destroyed) return;
    let line: string;
    try {
      line = encodeFrame(frame, this.host.maxFrameBytes);
    } catch (error) {
      const id = (frame as { id?: unknown }).id ?? null;
      line = encodeFrame({ id, error: toPayload(error) });
    }
    this.socket.write(line);
  }

  /** Ends the connection, aborting its calls. */
  close(): void {
    if (this.phase === "closed") return;
    this.phase = "closed";
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const controller of this.inFlight.values()) {
      controller.abort(new McpwardError("CANCELLED", "the client disconnected"));
    }
    this.inFlight.clear();
    this.socket.destroy();
  }

  private drop(reason: string): void {
    this.host.log(`dropped a connection: ${reason}`);
    this.send({
      id: null,
      error: { code: "HANDSHAKE_FAILED", message: `${reason}; connection closed` },
    });
    this.socket.end();
    setTimeout(() => this.close(), 100).unref();
  }

  private onData(chunk: Buffer): void {
    if (this.phase === "closed") return;
    for (const frame of this.decoder.push(chunk)) {
      if ((this.phase as Phase) === "closed") return;
      if (!frame.ok) {
        this.send({ id: null, error: toPayload(frame.error) });
        if (frame.fatal) {
          this.socket.end();
          setTimeout(() => this.close(), 100).unref();
          return;
        }
        continue;
      }
      this.onFrame(frame.value);
    }
  }

  private onFrame(raw: unknown): void {
    let value: unknown;
    try {
      value = deepSanitize(raw, { maxBytes: this.host.maxFrameBytes * 2 });
    } catch (error) {
      this.send({ id: null, error: toPayload(error) });
      return;
    }
    if (this.phase === "hello") return this.onHello(value);
    if (this.phase === "auth") return this.onAuth(value);
    this.onRequest(value);
  }

  private onHello(value: unknown): void {
    const hello = v.safeParse(ClientHelloSchema, value);
    if (!hello.success) return this.drop("the first frame must be a valid hello");
    this.clientNonce = hello.output.nonce;
    this.send({
      type: "hello",
      protocol: PROTOCOL_VERSION,
      version: this.host.version,
      nonce: this.serverNonce,
      proof: computeProof(this.host.secret, "server", this.clientNonce, this.serverNonce),
    });
    if (hello.output.protocol !== PROTOCOL_VERSION) {
      return this.drop(
        `protocol ${hello.output.protocol} is not supported (daemon speaks ${PROTOCOL_VERSION})`,
      );
    }
    this.phase = "auth";
  }

  private onAuth(value: unknown): void {
    const auth = v.safeParse(ClientAuthSchema, value);
    if (
      !auth.success ||
      !verifyProof(
        auth.output.proof,
        this.host.secret,
        "client",
        this.clientNonce,
        this.serverNonce,
      )
    ) {
      return this.drop("the client did not prove it knows the daemon's secret");
    }
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.phase = "ready";
    this.touch();
  }

  private onRequest(value: unknown): void {
    this.touch();
    const parsed = v.safeParse(RequestSchema, value);
    if (!parsed.success) {
      const id = (value as { id?: unknown } | null)?.id;
      const message = `malformed request: ${v.summarize(parsed.issues).split("\n")[0]}; send {id, method, params}`;
      this.send({ id: typeof id === "number" ? id : null, error: { code: "BAD_FRAME", message } });
      return;
    }
    const { id, method } = parsed.output;
    if (this.inFlight.has(id)) {
      this.send({
        id,
        error: {
          code: "BAD_FRAME",
          message: `request id ${id} is already in use on this connection`,
        },
      });
      return;
    }
    const controller = new AbortController();
    this.inFlight.set(id, controller);
    const request: IncomingRequest = {
      id,
      method,
      params: parsed.output.params ?? Object.create(null),
      signal: controller.signal,
      connection: this,
      emit: (event, data) => this.send({ id, event, data }),
    };
    this.host.handle(request).then(
      (result) => this.finish(id, { id, result: result ?? null }),
      (error: unknown) => this.finish(id, { id, error: toPayload(error) }),
    );
  }

  private finish(id: number, frame: unknown): void {
    if (!this.inFlight.delete(id)) return;
    this.send(frame);
    this.touch();
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      // Never while one of this connection's calls is in flight.
      if (this.busy) this.touch();
      else this.close();
    }, this.host.idleTimeoutMs);
    this.idleTimer.unref();
  }
}

/** An error as it travels on the wire. */
export function toPayload(error: unknown): {
  code: string;
  message: string;
  data?: Record<string, unknown>;
} {
  if (McpwardError.isInstance(error)) {
    return error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  }
  return {
    code: "INTERNAL",
    message: `internal error: ${error instanceof Error ? error.message : String(error)}`,
  };
}

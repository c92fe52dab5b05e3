/**
 * TypeScript shapes of the wire protocol's frames. Kept apart from the
 * valibot schemas so the thin client can use them without loading valibot.
 */

/** Methods a daemon answers. */
export type Method =
  | "ping"
  | "tools/list"
  | "tools/help"
  | "tools/call"
  | "cancel"
  | "approve"
  | "status"
  | "shutdown";

/** First frame from the client. */
export interface ClientHello {
  type: "hello";
  protocol: number;
  version: string;
  nonce: string;
}

/** The daemon's answer: its versions, its nonce and its proof of the secret. */
export interface ServerHello {
  type: "hello";
  protocol: number;
  version: string;
  nonce: string;
  proof: string;
}

/** The client's proof of the secret, after it checked the daemon's. */
export interface ClientAuth {
  type: "auth";
  proof: string;
}

/** A request once the handshake is done. */
export interface RequestFrame {
  id: number;
  method: Method;
  params?: Record<string, unknown>;
}

/** An error as it travels: a stable code from core's table and one line. */
export interface ErrorPayload {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

/** The answer to one request; `id` is null for connection-level errors. */
export type ResponseFrame =
  | { id: number | null; result: unknown; error?: undefined }
  | { id: number | null; error: ErrorPayload; result?: undefined };

/** Something that happens while a request runs (server stderr, progress, notices). */
export interface EventFrame {
  id: number;
  event: "stderr" | "progress" | "notice" | "approval";
  data: unknown;
}

/** Parameters of `tools/call`: raw tokens or structured arguments. */
export interface ToolsCallParams {
  tool: string;
  tokens?: string[];
  arguments?: Record<string, unknown>;
  /** Client's directory, for `@file` arguments. */
  cwd?: string;
  /** Stream the server's stderr as events while the call runs. */
  stderr?: boolean;
  /** Pre-approve an `ask` decision for this one call (`--yes`). */
  approve?: boolean;
  /**
   * The client can ask its user: an `ask` decision is sent as an `approval`
   * event and answered with an `approve` request. Without it, ask means deny.
   */
  interactive?: boolean;
  /** Client process id, for the audit log. */
  clientPid?: number;
  /** Daemon settings to apply from now on (seconds), e.g. from `--tool-timeout`. */
  settings?: { idleTimeout?: number; toolTimeout?: number; startupTimeout?: number };
}

/** What an `approval` event carries: everything the user needs to decide. */
export interface ApprovalRequest {
  /** What needs approval: starting the server, or one tool call. */
  kind: "server-start" | "tool-call";
  /** The server's command line, env values masked. */
  server: string;
  tool?: string;
  /** The call's arguments, secrets redacted, untruncated otherwise. */
  arguments?: Record<string, unknown>;
  reason: string;
  rule: string;
  /** The trust level of the server (1–4). */
  trustLevel: number;
}

/** The user's answer to an approval request. */
export type ApprovalAnswer = "once" | "always" | "deny";

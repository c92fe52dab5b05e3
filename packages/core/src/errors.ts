/**
 * The one error type of mcpward. Every failure that can reach a user carries a
 * stable string `code`; the CLI maps codes to exit codes through
 * {@link exitCodeFor}, and the wire protocol sends `code` and `message` as is.
 */

const BRAND = Symbol.for("mcpward.error");

/**
 * Stable error codes and the exit code each maps to (DESIGN.md §3):
 * 1 tool error · 2 usage · 3 denied · 4 server failed · 5 timed out ·
 * 6 mcpward failed · 130 cancelled.
 */
export const ERROR_CODES = {
  TOOL_ERROR: 1,
  USAGE: 2,
  UNKNOWN_TOOL: 2,
  UNKNOWN_FLAG: 2,
  MISSING_ARGUMENT: 2,
  INVALID_ARGUMENT: 2,
  BAD_ENV_TOKEN: 2,
  BAD_SERVER_SPEC: 2,
  BAD_CONFIG: 2,
  BAD_LIMIT: 2,
  POLICY_DENIED: 3,
  APPROVAL_REFUSED: 3,
  SERVER_START_FAILED: 4,
  SERVER_CRASHED: 4,
  SERVER_PROTOCOL_ERROR: 4,
  SERVER_FAILED: 4,
  TIMEOUT: 5,
  DAEMON_UNREACHABLE: 6,
  DAEMON_FAILED: 6,
  HANDSHAKE_FAILED: 6,
  FRAME_TOO_LARGE: 6,
  BAD_FRAME: 6,
  BUSY: 6,
  RATE_LIMITED: 6,
  LIMIT_EXCEEDED: 6,
  UNSAFE_PATH: 6,
  INTERNAL: 6,
  CANCELLED: 130,
} as const;

/** A stable error code; see {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options for {@link McpwardError}. */
export interface McpwardErrorOptions {
  /** The underlying error, kept for diagnostics (never printed with secrets). */
  cause?: unknown;
  /** Small, secret-free structured details (e.g. the offending flag name). */
  data?: Record<string, unknown>;
}

/**
 * An error with a stable `code`. Recognise it with {@link McpwardError.isInstance},
 * which works across two installed copies of `@mcpward/core` (a `Symbol.for`
 * brand, not `instanceof`).
 */
export class McpwardError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown> | undefined;
  readonly [BRAND] = true;

  /**
   * @param code - stable code, see {@link ERROR_CODES}
   * @param message - one line: what was wrong and how to fix it; no secret values
   */
  constructor(code: ErrorCode, message: string, options: McpwardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "McpwardError";
    this.code = code;
    this.data = options.data;
  }

  /** True for any McpwardError, from this or another copy of core. */
  static isInstance(value: unknown): value is McpwardError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true &&
      typeof (value as { code?: unknown }).code === "string"
    );
  }
}

/** True when `code` is one of mcpward's stable codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERROR_CODES, code);
}

/**
 * The process exit code for an error code (unknown codes count as an
 * internal failure, 6).
 */
export function exitCodeFor(code: string): number {
  return isErrorCode(code) ? ERROR_CODES[code] : ERROR_CODES.INTERNAL;
}

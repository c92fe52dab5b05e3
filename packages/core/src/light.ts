// @mcpward/core/light: everything the thin client needs, with no third-party
// module behind it (no valibot), so a warm CLI call stays one socket round trip.

export { writeFileAtomic } from "./atomic-write.js";
export { editDistance } from "./edit-distance.js";
export {
  ERROR_CODES,
  type ErrorCode,
  exitCodeFor,
  isErrorCode,
  McpwardError,
  type McpwardErrorOptions,
} from "./errors.js";
export {
  computeDaemonId,
  computeProjectId,
  isPathLikeCommand,
  normaliseCommand,
  requestedProfile,
} from "./identity.js";
export {
  LIMITS,
  type LimitDefinition,
  type LimitName,
  type Limits,
  type ResolvedLimits,
  resolveLimits,
} from "./limits.js";
export { configRoot, type DaemonPaths, daemonPaths, runtimeRoot, stateRoot } from "./paths.js";
export { ensurePrivateDir } from "./private-dir.js";
export type {
  ApprovalAnswer,
  ApprovalRequest,
  ClientAuth,
  ClientHello,
  ErrorPayload,
  EventFrame,
  Method,
  RequestFrame,
  ResponseFrame,
  ServerHello,
  ToolsCallParams,
} from "./protocol/frame-types.js";
export {
  computeProof,
  createNonce,
  createSecret,
  PROTOCOL_VERSION,
  verifyProof,
} from "./protocol/handshake.js";
export { type DecodedFrame, encodeFrame, NdjsonDecoder } from "./protocol/ndjson.js";
export { isSecretKey, REDACTED, redactSecrets } from "./redact.js";
export { deepSanitize, isPrototypeKey, type SanitizeOptions } from "./sanitize.js";
export { secretArgValues } from "./secret-args.js";
export { parseServerSpec, type ServerSpec } from "./server-spec.js";
export { checkSocketPathLength, MAX_SOCKET_PATH_BYTES, removeSocketSafely } from "./socket-path.js";
export { stripTerminalEscapes } from "./terminal.js";

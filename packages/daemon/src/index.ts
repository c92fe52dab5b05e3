// @mcpward/daemon: the daemon (socket server, supervisor) and, re-exported,
// the client entry. Named exports only.

export {
  type AuditBreak,
  type AuditEntry,
  type AuditEvidence,
  type AuditRecord,
  type AuditVerifyResult,
  AuditWriter,
  auditDirectory,
  exportAudit,
  formatAuditTable,
  parseSince,
  readAudit,
  verifyAudit,
} from "./audit/index.js";
export {
  type ConnectOptions,
  cleanDaemons,
  connectTo,
  DAEMON_VERSION,
  DaemonClient,
  type DaemonEntry,
  type DaemonEvent,
  type DaemonMetadata,
  type DaemonScope,
  type EnsureDaemonOptions,
  type EnsuredDaemon,
  ensureDaemon,
  listDaemons,
  type RequestOptions,
  readToolCount,
  stopAll,
  stopDaemon,
} from "./client.js";
export { parseToolArguments } from "./flag-parser.js";
export { renderToolHelp, renderToolList } from "./tool-help.js";
export { findTool } from "./tool-name.js";

// The audit log: records, the multi-process writer, verification and
// queries. Named exports only; re-exported from the package entry.

export {
  type AuditEvidence,
  type AuditEvidenceCall,
  type AuditEvidenceEvent,
  exportAudit,
} from "./audit-export.js";
export { auditDirectory } from "./audit-location.js";
export { type AuditQuery, type AuditQueryResult, readAudit } from "./audit-query.js";
export {
  AUDIT_EVENTS,
  AUDIT_OUTCOMES,
  type AuditBuildOptions,
  type AuditDecision,
  type AuditEntry,
  type AuditError,
  type AuditEventName,
  type AuditOutcome,
  type AuditRecord,
  buildAuditRecord,
  GENESIS_HASH,
  hashAuditLine,
  parseAuditLine,
} from "./audit-record.js";
export { AUDIT_LIMITS, type AuditServer } from "./audit-sanitize.js";
export { formatAuditTable } from "./audit-table.js";
export {
  type AuditBreak,
  type AuditProblem,
  type AuditVerifyResult,
  verifyAudit,
} from "./audit-verify.js";
export { AuditWriter, type AuditWriterOptions } from "./audit-writer.js";
export { parseSince } from "./parse-since.js";

import { redactSecrets } from "@mcpward/core";
import { readAudit } from "./audit-query.js";
import type { AuditDecision, AuditError, AuditOutcome, AuditRecord } from "./audit-record.js";
import { type AuditVerifyResult, verifyAudit } from "./audit-verify.js";

/** One tool call in an evidence document. */
export interface AuditEvidenceCall {
  seq: number;
  time: string;
  daemon: string;
  server: string;
  tool: string | null;
  /** As recorded: secrets masked, long values cut. */
  arguments: unknown;
  durationMs: number | null;
  outcome: AuditOutcome | null;
  decision: AuditDecision | null;
  resultBytes: number | null;
  /** Present only when results were recorded (`audit.results`). */
  result?: unknown;
  clientPid: number | null;
  error: AuditError | null;
}

/** Any other event (server start/stop/crash/restart, policy decision). */
export interface AuditEvidenceEvent {
  seq: number;
  time: string;
  event: string;
  daemon: string;
  server: string;
  tool: string | null;
  decision: AuditDecision | null;
  error: AuditError | null;
}

/** The evidence document written by `mcpward audit export`. */
export interface AuditEvidence {
  format: "mcpward-audit-evidence";
  v: 1;
  generatedAt: string;
  /** projectId, or null for an empty log. */
  project: string | null;
  projectDir: string | null;
  since: string | null;
  /** The chain check of the whole log (not only the exported range). */
  verify: AuditVerifyResult;
  summary: {
    records: number;
    calls: number;
    outcomes: Record<string, number>;
    /** Torn or damaged lines skipped while reading. */
    skippedLines: number;
  };
  calls: AuditEvidenceCall[];
  events: AuditEvidenceEvent[];
}

function toCall(record: AuditRecord): AuditEvidenceCall {
  const call: AuditEvidenceCall = {
    seq: record.seq,
    time: record.time,
    daemon: record.daemon,
    server: record.server,
    tool: record.tool ?? null,
    // Masked when written; masked again in case the log came from elsewhere.
    arguments: record.arguments === undefined ? null : redactSecrets(record.arguments),
    durationMs: record.durationMs ?? null,
    outcome: record.outcome ?? null,
    decision: record.decision ?? null,
    resultBytes: record.resultBytes ?? null,
    clientPid: record.clientPid ?? null,
    error: record.error ?? null,
  };
  if (record.result !== undefined) call.result = redactSecrets(record.result);
  return call;
}

function toEvent(record: AuditRecord): AuditEvidenceEvent {
  return {
    seq: record.seq,
    time: record.time,
    event: record.event,
    daemon: record.daemon,
    server: record.server,
    tool: record.tool ?? null,
    decision: record.decision ?? null,
    error: record.error ?? null,
  };
}

/**
 * One JSON evidence document of the log in `dir`: the chain check, then the
 * tool calls (tool, redacted arguments, duration, outcome, decision) and the
 * other events since `since`. Serialise it with `JSON.stringify`.
 */
export async function exportAudit(
  dir: string,
  options: { since?: Date | undefined; now?: Date | undefined } = {},
): Promise<AuditEvidence> {
  const verify = await verifyAudit(dir);
  const { records, skipped } = await readAudit(dir, { since: options.since });
  const calls = records.filter((record) => record.event === "tool.call").map(toCall);
  const outcomes: Record<string, number> = {};
  for (const call of calls) {
    const key = call.outcome ?? "unknown";
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  const first = records[0];
  return {
    format: "mcpward-audit-evidence",
    v: 1,
    generatedAt: (options.now ?? new Date()).toISOString(),
    project: first?.project ?? null,
    projectDir: first?.projectDir ?? null,
    since: options.since?.toISOString() ?? null,
    verify,
    summary: { records: records.length, calls: calls.length, outcomes, skippedLines: skipped },
    calls,
    events: records.filter((record) => record.event !== "tool.call").map(toEvent),
  };
}

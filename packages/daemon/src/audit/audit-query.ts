/** Reading records back, filtered, for `mcpward audit` and exports. */

import { normaliseToolName } from "../tool-name.js";
import { type AuditRecord, parseAuditLine } from "./audit-record.js";
import { openAuditSnapshot, snapshotLines } from "./audit-snapshot.js";

/** Filters of {@link readAudit}; all given ones must match. */
export interface AuditQuery {
  /** Records written at or after this time. */
  since?: Date | undefined;
  /** Tool name, matched exactly or by kebab/snake/camel variant. */
  tool?: string | undefined;
  /** e.g. "denied" */
  outcome?: string | undefined;
  /** e.g. "tool.call" */
  event?: string | undefined;
}

/** What {@link readAudit} found. */
export interface AuditQueryResult {
  /** Matching records, oldest first. */
  records: AuditRecord[];
  /** Lines that are not well-formed records (torn or damaged), skipped. */
  skipped: number;
  /** Files read, in chain order. */
  files: string[];
}

/** True when `record` passes every filter of `query`. */
export function matchesAuditQuery(record: AuditRecord, query: AuditQuery): boolean {
  if (query.event !== undefined && record.event !== query.event) return false;
  if (query.outcome !== undefined && record.outcome !== query.outcome) return false;
  if (query.tool !== undefined) {
    if (record.tool === undefined) return false;
    if (normaliseToolName(record.tool) !== normaliseToolName(query.tool)) return false;
  }
  if (query.since !== undefined) {
    const time = Date.parse(record.time);
    if (Number.isNaN(time) || time < query.since.getTime()) return false;
  }
  return true;
}

/**
 * Reads the log in `dir` line by line, oldest first, keeping records that
 * match `query`. Torn and damaged lines are skipped and counted; use
 * `verifyAudit` to check the chain. A missing directory is an empty log.
 */
export async function readAudit(dir: string, query: AuditQuery = {}): Promise<AuditQueryResult> {
  const snapshot = await openAuditSnapshot(dir);
  const records: AuditRecord[] = [];
  let skipped = 0;
  try {
    for (const file of snapshot.files) {
      for await (const line of snapshotLines(file)) {
        const record = line.terminated ? parseAuditLine(line.bytes) : null;
        if (record === null) {
          skipped += 1;
          continue;
        }
        if (matchesAuditQuery(record, query)) records.push(record);
      }
    }
  } finally {
    snapshot.close();
  }
  return { records, skipped, files: snapshot.files.map((file) => file.name) };
}

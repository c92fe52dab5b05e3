/**
 * Checking a log's hash chain and saying where it breaks.
 *
 * What it detects, and how: an edited line changes its hash, so the next
 * line's `prev` no longer matches (the last line is vouched for by
 * `audit.head`); a deleted or reordered line leaves a `prev` and a `seq` that
 * do not follow; a truncated file or a deleted current file leaves the log
 * ending before the head's `seq`; a deleted rotated file leaves a gap between
 * files, or (the oldest) a start that does not match the head's `origin`; a
 * torn line (a writer killed mid-write) is a line that is not a record and
 * that the chain skips cleanly. It cannot detect a consistent rewrite of the
 * whole log and head by someone with the user's rights (see `audit-writer.ts`).
 */

import { CURRENT_FILE } from "./audit-files.js";
import { AUDIT_MAX_BATCH, HEAD_FILE } from "./audit-head.js";
import { GENESIS_HASH, hashAuditLine, parseAuditLine } from "./audit-record.js";
import { openAuditSnapshot, snapshotLines } from "./audit-snapshot.js";

/** Kinds of break {@link verifyAudit} reports. */
export type AuditProblem =
  | "edited"
  | "deleted or reordered"
  | "torn line"
  | "truncated"
  | "bad json"
  | "sequence gap"
  | "head mismatch";

/** One place where the chain breaks. */
export interface AuditBreak {
  /** File name inside the log directory (`audit.head` for head problems). */
  file: string;
  /** 1-based line number; for "truncated", the first missing line. */
  line: number;
  problem: AuditProblem;
  /** One line explaining what was found. */
  detail: string;
}

/** The outcome of {@link verifyAudit}. */
export interface AuditVerifyResult {
  /** True when no break was found. */
  ok: boolean;
  /** Well-formed records read. */
  records: number;
  /** Files read, in chain order. */
  files: string[];
  /** `seq` of the last record, or null for an empty log. */
  lastSeq: number | null;
  /** Breaks in file order (at most {@link MAX_BREAKS}). */
  breaks: AuditBreak[];
  /** Breaks found beyond {@link MAX_BREAKS}. */
  omittedBreaks: number;
}

/** Breaks listed at most; a file of garbage would otherwise give one per line. */
export const MAX_BREAKS = 1000;

const RECORD_START = Buffer.from(`{"v":1,"seq":`);

/** True when `bytes` is how a line written by mcpward begins (a torn write keeps a prefix). */
function looksTorn(bytes: Buffer): boolean {
  const n = Math.min(bytes.length, RECORD_START.length);
  return bytes.length > 0 && bytes.subarray(0, n).equals(RECORD_START.subarray(0, n));
}

interface Seen {
  seq: number;
  hash: string;
  file: string;
  line: number;
}

/**
 * Verifies the log in `dir`, reading every file in order.
 *
 * @param options.lockTimeoutMs - how long to wait for a writer before reading anyway
 */
export async function verifyAudit(
  dir: string,
  options: { lockTimeoutMs?: number } = {},
): Promise<AuditVerifyResult> {
  const snapshot = await openAuditSnapshot(dir, options.lockTimeoutMs);
  const breaks: AuditBreak[] = [];
  let omittedBreaks = 0;
  const report = (file: string, line: number, problem: AuditProblem, detail: string): void => {
    if (breaks.length < MAX_BREAKS) breaks.push({ file, line, problem, detail });
    else omittedBreaks += 1;
  };
  const origin = snapshot.head.state === "ok" ? snapshot.head.head.origin : null;
  const headSeq = snapshot.head.state === "ok" ? snapshot.head.head.seq : null;
  /** Hash of the (latest) record with the head's seq. */
  let atHead: string | null = null;
  let last: Seen | null = null;
  let beforeLast: Seen | null = null;
  let records = 0;
  let pending: { file: string; line: number; torn: boolean }[] = [];
  let completeLinesInLastFile = 0;
  try {
    for (const [index, file] of snapshot.files.entries()) {
      const isLastFile = index === snapshot.files.length - 1;
      let completeLines = 0;
      for await (const line of snapshotLines(file)) {
        if (!line.terminated) {
          if (!looksTorn(line.bytes)) {
            report(
              file.name,
              line.number,
              "bad json",
              "the last line is not an audit record and has no newline",
            );
          } else if (isLastFile) {
            report(
              file.name,
              line.number,
              "torn line",
              "the last line is incomplete: a writer was killed mid-write, or the file was cut",
            );
          } else {
            report(
              file.name,
              line.number,
              "truncated",
              "this rotated file ends in the middle of a line",
            );
          }
          continue;
        }
        completeLines += 1;
        const record = parseAuditLine(line.bytes);
        if (record === null) {
          pending.push({ file: file.name, line: line.number, torn: looksTorn(line.bytes) });
          continue;
        }
        const hash = hashAuditLine(line.bytes);
        if (record.seq === headSeq) atHead = hash;
        let expectedPrev: string | null;
        let expectedSeq: number | null;
        if (last !== null) {
          expectedPrev = last.hash;
          expectedSeq = last.seq + 1;
        } else if (origin !== null && record.seq >= origin.seq) {
          expectedPrev = origin.prev;
          expectedSeq = origin.seq;
        } else if (origin !== null) {
          // Older than the recorded origin: a rotated file a crash kept from
          // deletion. Extra history is harmless; the chain must still lead on.
          expectedPrev = null;
          expectedSeq = null;
        } else {
          // No head to say where the history starts: only a genesis record's seq is known.
          expectedPrev = null;
          expectedSeq = record.prev === GENESIS_HASH ? 1 : null;
        }
        const chainOk = expectedPrev === null || record.prev === expectedPrev;
        const seqOk = expectedSeq === null || record.seq === expectedSeq;
        let explained = false;
        if (pending.length > 0) {
          // The start of a record that the chain skips cleanly was torn by a
          // crash and closed off by the next writer; anything else is damage
          // (when the chain does not skip it cleanly, it replaced a record).
          for (const bad of pending) {
            if (chainOk && bad.torn) {
              report(
                bad.file,
                bad.line,
                "torn line",
                "an incomplete line left by a writer killed mid-write; the chain continues past it",
              );
            } else {
              report(
                bad.file,
                bad.line,
                "bad json",
                "not a well-formed audit record: the line was edited or damaged",
              );
            }
          }
          explained = !chainOk;
          pending = [];
        }
        if (!explained && !chainOk) {
          if (last === null) {
            report(
              file.name,
              line.number,
              "deleted or reordered",
              `the oldest record (seq ${record.seq}) does not continue the recorded history (starting at seq ${expectedSeq}): older records or a rotated file were deleted`,
            );
          } else if (seqOk || (beforeLast !== null && record.seq === beforeLast.seq + 2)) {
            report(
              last.file,
              last.line,
              "edited",
              `record seq ${last.seq} was changed after it was written (the next line's prev does not match its hash)`,
            );
          } else {
            report(
              file.name,
              line.number,
              "deleted or reordered",
              `expected seq ${expectedSeq} after seq ${last.seq}, found seq ${record.seq} not chained to it`,
            );
          }
        } else if (!explained && !seqOk) {
          report(
            file.name,
            line.number,
            "sequence gap",
            `expected seq ${expectedSeq}, found seq ${record.seq}`,
          );
        }
        beforeLast = last;
        last = { seq: record.seq, hash, file: file.name, line: line.number };
        records += 1;
      }
      if (isLastFile) completeLinesInLastFile = completeLines;
    }
  } finally {
    snapshot.close();
  }
  for (const bad of pending) {
    report(
      bad.file,
      bad.line,
      "bad json",
      "not a well-formed audit record: the line was edited or damaged",
    );
  }
  const lastFile = snapshot.files[snapshot.files.length - 1]?.name ?? CURRENT_FILE;
  const end = completeLinesInLastFile + 1;
  const head = snapshot.head;
  if (head.state !== "ok") {
    if (records > 0) {
      report(
        HEAD_FILE,
        1,
        "head mismatch",
        `${HEAD_FILE} is ${head.state}: whether lines are missing at the end cannot be checked`,
      );
    }
  } else if (last === null) {
    if (head.head.seq > 0) {
      report(
        lastFile,
        end,
        "truncated",
        `the log has no records but ${HEAD_FILE} records seq ${head.head.seq}`,
      );
    }
  } else if (head.head.seq === last.seq) {
    if (head.head.hash !== last.hash) {
      report(
        last.file,
        last.line,
        "edited",
        `the last record (seq ${last.seq}) was changed after it was written (it does not match ${HEAD_FILE})`,
      );
    }
  } else if (head.head.seq > last.seq) {
    report(
      lastFile,
      end,
      "truncated",
      `the log ends at seq ${last.seq} but ${HEAD_FILE} records seq ${head.head.seq}: ${head.head.seq - last.seq} record(s) missing at the end`,
    );
  } else {
    // Up to one batch past the head is a writer stopped between its lines and
    // its head update (the chain from the head's record to the end is checked above).
    const lagging = last.seq - head.head.seq <= AUDIT_MAX_BATCH && atHead === head.head.hash;
    if (!lagging) {
      report(
        HEAD_FILE,
        1,
        "head mismatch",
        `${HEAD_FILE} records seq ${head.head.seq} but the log goes on to seq ${last.seq}`,
      );
    }
  }
  return {
    ok: breaks.length === 0 && omittedBreaks === 0,
    records,
    files: snapshot.files.map((file) => file.name),
    lastSeq: last?.seq ?? null,
    breaks,
    omittedBreaks,
  };
}

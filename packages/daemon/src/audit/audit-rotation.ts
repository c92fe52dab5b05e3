/**
 * Rotation of a log by size: `audit.jsonl` becomes `audit.<last seq>.jsonl`
 * and the oldest rotated files beyond the limit are deleted. Each step
 * leaves a state that the next append or `verifyAudit` accepts if the
 * process dies right after it: a rotated file still also linked as
 * `audit.jsonl` is finished off, and the head's new origin is written before
 * old files are deleted, so a crash leaves extra history, never a gap.
 * Call only while holding the log's lock.
 */

import { linkSync, lstatSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { CURRENT_FILE, listRotatedFiles, readFirstRecord, rotatedFileName } from "./audit-files.js";
import { type AuditHead, writeAuditHeadFd } from "./audit-head.js";

/**
 * Renames `audit.jsonl` to `audit.<last seq>.jsonl` (link + unlink: never
 * overwrites) and deletes the oldest rotated files beyond `keepFiles`.
 *
 * @returns the head, with `origin` moved when history was deleted
 */
export function rotateAuditLog(
  dir: string,
  head: AuditHead,
  headFd: number,
  keepFiles: number,
): AuditHead {
  const current = join(dir, CURRENT_FILE);
  const currentIno = lstatSync(current).ino;
  for (let suffix = 0; ; suffix++) {
    const target = join(dir, rotatedFileName(head.seq, suffix));
    try {
      linkSync(current, target);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || suffix > 100) throw error;
      if (lstatSync(target).ino === currentIno) break;
    }
  }
  unlinkSync(current);
  const rotated = listRotatedFiles(dir);
  if (rotated.length <= keepFiles) return { ...head, size: 0 };
  const doomed = rotated.slice(0, rotated.length - keepFiles);
  const oldest = rotated[doomed.length];
  const first = oldest === undefined ? null : readFirstRecord(join(dir, oldest));
  // With no rotated file left, the history starts at the record about to be written.
  const origin =
    oldest === undefined
      ? { seq: head.seq + 1, prev: head.hash }
      : first === null
        ? null
        : { seq: first.record.seq, prev: first.record.prev };
  const next = { ...head, size: 0, origin };
  writeAuditHeadFd(headFd, next);
  for (const name of doomed) unlinkSync(join(dir, name));
  return next;
}

/**
 * Completes a rotation interrupted between its link and its unlink: when
 * `audit.jsonl` (inode `ino`) is also a rotated file, only the rotated name stays.
 *
 * @returns true when `audit.jsonl` was unlinked
 */
export function finishInterruptedRotation(dir: string, ino: number): boolean {
  for (const name of listRotatedFiles(dir)) {
    if (lstatSync(join(dir, name)).ino === ino) {
      unlinkSync(join(dir, CURRENT_FILE));
      return true;
    }
  }
  return false;
}

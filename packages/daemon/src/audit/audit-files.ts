/**
 * The files of one audit log directory: their names and order, and reading
 * whole lines from them.
 *
 * `audit.jsonl` is the file being written. Rotation renames it to
 * `audit.<seq>.jsonl`, where `<seq>` (12 digits) is the sequence number of its
 * last record, so names sort in chain order and a rename never overwrites.
 * `audit.head` holds the chain's head, `audit.lock` the writers' lock.
 */

import {
  closeSync,
  constants,
  type Dirent,
  fchmodSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  type Stats,
} from "node:fs";
import { join } from "node:path";
import { McpwardError } from "@mcpward/core";
import { type AuditRecord, hashAuditLine, parseAuditLine } from "./audit-record.js";

/** The file being written. */
export const CURRENT_FILE = "audit.jsonl";

/** The writers' lock file. */
export const LOCK_FILE = "audit.lock";

const ROTATED = /^audit\.(\d{12})(?:-(\d+))?\.jsonl$/;

const APPEND_FLAGS =
  constants.O_RDWR |
  constants.O_APPEND |
  constants.O_CREAT |
  constants.O_NONBLOCK |
  (constants.O_NOFOLLOW ?? 0);

/** Flags for opening a log file for reading, never through a symlink. */
export const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | constants.O_NONBLOCK;

/** The name a rotated file gets: its last sequence number, plus a suffix if taken. */
export function rotatedFileName(lastSeq: number, suffix = 0): string {
  const base = `audit.${String(lastSeq).padStart(12, "0")}`;
  return suffix === 0 ? `${base}.jsonl` : `${base}-${suffix}.jsonl`;
}

/** Rotated files of `dir`, oldest first. */
export function listRotatedFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const rotated: { name: string; seq: number; suffix: number }[] = [];
  for (const entry of entries) {
    const match = entry.isFile() ? ROTATED.exec(entry.name) : null;
    if (match) {
      rotated.push({ name: entry.name, seq: Number(match[1]), suffix: Number(match[2] ?? 0) });
    }
  }
  rotated.sort((a, b) => a.seq - b.seq || a.suffix - b.suffix);
  return rotated.map((file) => file.name);
}

/**
 * All log files of `dir` in chain order: rotated files oldest first, then
 * `audit.jsonl`, unless that is the same file as the newest rotated one (a
 * rotation interrupted between its link and its unlink).
 */
export function listAuditFiles(dir: string): string[] {
  const files = listRotatedFiles(dir);
  let current: Stats;
  try {
    current = lstatSync(join(dir, CURRENT_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return files;
    throw error;
  }
  if (!current.isFile()) return files;
  const newest = files.at(-1);
  if (newest !== undefined) {
    try {
      if (lstatSync(join(dir, newest)).ino === current.ino) return files;
    } catch {
      // rotated away meanwhile
    }
  }
  files.push(CURRENT_FILE);
  return files;
}

/** A complete record found in a file, with the hash of its line. */
export interface LocatedRecord {
  record: AuditRecord;
  hash: string;
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

/**
 * The tail of an open file: whether it ends with a newline, the last
 * complete (newline-terminated) line within the last `window` bytes, and
 * the unterminated fragment after it, if any.
 */
export function readTail(
  fd: number,
  size: number,
  window = 256 * 1024,
): { endsWithNewline: boolean; lastLine: Buffer | null; fragment: Buffer | null } {
  if (size === 0) return { endsWithNewline: true, lastLine: null, fragment: null };
  const start = Math.max(0, size - window);
  const chunk = readAt(fd, start, size - start);
  const endsWithNewline = chunk[chunk.length - 1] === 0x0a;
  const end = chunk.lastIndexOf(0x0a);
  const fragment = endsWithNewline ? null : chunk.subarray(end + 1);
  if (end < 0) return { endsWithNewline, lastLine: null, fragment };
  const before = chunk.lastIndexOf(0x0a, end - 1);
  if (before < 0 && start > 0) return { endsWithNewline, lastLine: null, fragment };
  return { endsWithNewline, lastLine: chunk.subarray(before + 1, end), fragment };
}

function readWhole(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch {
    return null;
  }
  try {
    return readAt(fd, 0, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

function terminatedLines(buffer: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const end = buffer.indexOf(0x0a, start);
    if (end < 0) return lines;
    lines.push(buffer.subarray(start, end));
    start = end + 1;
  }
}

function locate(line: Buffer): LocatedRecord | null {
  const record = parseAuditLine(line);
  return record === null ? null : { record, hash: hashAuditLine(line) };
}

/** The first complete, well-formed record of a file, or null. */
export function readFirstRecord(path: string): LocatedRecord | null {
  const buffer = readWhole(path);
  if (buffer === null) return null;
  for (const line of terminatedLines(buffer)) {
    const found = locate(line);
    if (found !== null) return found;
  }
  return null;
}

/** The last complete, well-formed record of a file, or null. */
export function readLastRecord(path: string): LocatedRecord | null {
  const buffer = readWhole(path);
  if (buffer === null) return null;
  const lines = terminatedLines(buffer);
  for (let index = lines.length - 1; index >= 0; index--) {
    const found = locate(lines[index]!);
    if (found !== null) return found;
  }
  return null;
}

/** Path of a file of the log. */
export function auditPath(dir: string, name: string): string {
  return join(dir, name);
}

/**
 * Opens `audit.jsonl` for appending (O_APPEND, created 0600, never through
 * a symlink: that fails with ELOOP), refusing a non-file or another user's
 * file and tightening a mode others could read.
 *
 * @throws McpwardError `UNSAFE_PATH`; file-system errors as they are
 */
export function openCurrentFile(dir: string): number {
  const path = join(dir, CURRENT_FILE);
  const fd = openSync(path, APPEND_FLAGS, 0o600);
  try {
    const stat = fstatSync(fd);
    const me = typeof process.getuid === "function" ? process.getuid() : undefined;
    if (!stat.isFile() || (me !== undefined && stat.uid !== me)) {
      throw new McpwardError(
        "UNSAFE_PATH",
        `${path} is not a regular file of yours; move it away`,
        {
          data: { path },
        },
      );
    }
    if ((stat.mode & 0o077) !== 0) fchmodSync(fd, 0o600);
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

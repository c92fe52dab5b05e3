/**
 * `audit.head`: the hash and sequence number of the last record, kept beside
 * the log so that losing the final lines (truncation, deleting the last
 * line or the current file) is detected, which the chain alone cannot see.
 * It also records where the retained history starts (`origin`), so deleting
 * the oldest rotated file is detected too.
 *
 * The file is one fixed-size 512-byte block rewritten in place with a single
 * write at offset 0, under the log's lock. Replacing it by rename on every
 * append would be the textbook atomic update, but on ext4 a rename over an
 * existing file starts writeback of the new file (auto_da_alloc) and costs
 * milliseconds per call; a single small write within one page cannot be torn
 * by a kill, and a checksum catches anything else (the head then counts as
 * invalid and is rebuilt from the log).
 */

import { createHash } from "node:crypto";
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  openSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { McpwardError } from "@mcpward/core";
import {
  type LocatedRecord,
  listAuditFiles,
  READ_FLAGS,
  readAt,
  readFirstRecord,
  readLastRecord,
} from "./audit-files.js";
import { GENESIS_HASH } from "./audit-record.js";

/**
 * Most records one append writes at once, so the most a writer killed
 * before its head update can leave past the head.
 */
export const AUDIT_MAX_BATCH = 256;

/** The head file's name. */
export const HEAD_FILE = "audit.head";

/** Size of the head block: one JSON object padded with spaces, then a newline. */
const HEAD_BYTES = 512;

const HEX64 = /^[0-9a-f]{64}$/;

/** The chain's head as of the last completed append. */
export interface AuditHead {
  /** Sequence number of the last record (0 before the first). */
  seq: number;
  /** Hash of the last record's line. */
  hash: string;
  /** Size of `audit.jsonl` right after that append; -1 when unknown. */
  size: number;
  /** `seq` and `prev` of the oldest retained record; null when unknown. */
  origin: { seq: number; prev: string } | null;
}

/** What reading `audit.head` found. */
export type AuditHeadState =
  | { state: "ok"; head: AuditHead }
  | { state: "missing" }
  | { state: "invalid" };

function body(head: AuditHead): string {
  const origin = head.origin === null ? null : { seq: head.origin.seq, prev: head.origin.prev };
  return JSON.stringify({ v: 1, seq: head.seq, hash: head.hash, size: head.size, origin });
}

function checksum(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

function isHead(value: unknown): value is AuditHead & { sum: string } {
  if (typeof value !== "object" || value === null) return false;
  const head = value as Record<string, unknown>;
  const origin = head.origin as Record<string, unknown> | null | undefined;
  return (
    Number.isSafeInteger(head.seq) &&
    (head.seq as number) >= 0 &&
    typeof head.hash === "string" &&
    HEX64.test(head.hash) &&
    Number.isSafeInteger(head.size) &&
    typeof head.sum === "string" &&
    (origin === null ||
      (typeof origin === "object" &&
        Number.isSafeInteger(origin.seq) &&
        typeof origin.prev === "string" &&
        HEX64.test(origin.prev)))
  );
}

/** Reads the head from an open `audit.head`. */
export function readAuditHeadFd(fd: number): AuditHeadState {
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { state: "invalid" };
    if (stat.size === 0) return { state: "missing" };
    const text = readAt(fd, 0, Math.min(stat.size, HEAD_BYTES)).toString("utf8");
    const value: unknown = JSON.parse(text.split("\n", 1)[0]!);
    if (!isHead(value)) return { state: "invalid" };
    const head: AuditHead = {
      seq: value.seq,
      hash: value.hash,
      size: value.size,
      origin: value.origin === null ? null : { seq: value.origin.seq, prev: value.origin.prev },
    };
    return checksum(body(head)) === value.sum ? { state: "ok", head } : { state: "invalid" };
  } catch {
    return { state: "invalid" };
  }
}

/** Reads `audit.head` (never through a symlink). */
export function readAuditHead(dir: string): AuditHeadState {
  let fd: number;
  try {
    fd = openSync(join(dir, HEAD_FILE), READ_FLAGS);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT"
      ? { state: "missing" }
      : { state: "invalid" };
  }
  try {
    return readAuditHeadFd(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens `audit.head` for updating (creating it 0600), never through a
 * symlink. Call only while holding the log's lock.
 *
 * @throws McpwardError `UNSAFE_PATH` when it is not a regular file of ours;
 *   ELOOP when it is a symlink
 */
export function openAuditHead(dir: string): number {
  const path = join(dir, HEAD_FILE);
  const fd = openSync(
    path,
    constants.O_RDWR | constants.O_CREAT | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0),
    0o600,
  );
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
    if (stat.size > HEAD_BYTES) ftruncateSync(fd, HEAD_BYTES);
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Rewrites the head in place: one write of one block at offset 0. */
export function writeAuditHeadFd(fd: number, head: AuditHead): void {
  const text = body(head);
  const line = `${text.slice(0, -1)},"sum":"${checksum(text)}"}`;
  const block = Buffer.alloc(HEAD_BYTES, 0x20);
  block.write(line, 0, "utf8");
  block[HEAD_BYTES - 1] = 0x0a;
  const n = writeSync(fd, block, 0, HEAD_BYTES, 0);
  if (n !== HEAD_BYTES) throw new Error("short write of the audit head");
}

/** Opens, rewrites and closes `audit.head` (under the log's lock). */
export function writeAuditHead(dir: string, head: AuditHead): void {
  const fd = openAuditHead(dir);
  try {
    writeAuditHeadFd(fd, head);
  } finally {
    closeSync(fd);
  }
}

/**
 * The head rebuilt from the log itself, for when `audit.head` is missing or
 * unreadable: the last complete record, and the first one as origin.
 */
export function recoverAuditHead(dir: string): AuditHead {
  const files = listAuditFiles(dir);
  let last: LocatedRecord | null = null;
  for (let index = files.length - 1; index >= 0 && last === null; index--) {
    last = readLastRecord(join(dir, files[index]!));
  }
  const first = files.length > 0 ? readFirstRecord(join(dir, files[0]!)) : null;
  return {
    seq: last?.record.seq ?? 0,
    hash: last?.hash ?? GENESIS_HASH,
    size: -1,
    origin:
      first === null
        ? { seq: 1, prev: GENESIS_HASH }
        : { seq: first.record.seq, prev: first.record.prev },
  };
}

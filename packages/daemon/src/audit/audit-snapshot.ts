/**
 * A consistent view of a log for reading: the head and the files as they
 * were at one instant, taken under the writers' lock for a few microseconds
 * (open descriptors keep following a file through rotation, and bytes
 * appended later are ignored), then read without holding anything.
 */

import { closeSync, fstatSync, lstatSync, openSync, read } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { McpwardError } from "@mcpward/core";
import { LOCK_FILE, listAuditFiles, READ_FLAGS } from "./audit-files.js";
import { type AuditHeadState, readAuditHead } from "./audit-head.js";
import { withAuditLock } from "./audit-lock.js";

const readAsync = promisify(read);

/** One file of a snapshot. */
export interface AuditSnapshotFile {
  name: string;
  fd: number;
  /** Bytes to read: the size at the snapshot. */
  size: number;
}

/** The head and the files of a log at one instant. Close it when done. */
export interface AuditSnapshot {
  head: AuditHeadState;
  files: AuditSnapshotFile[];
  close(): void;
}

/** One line of a file, without its newline. */
export interface AuditLine {
  /** 1-based line number within the file. */
  number: number;
  bytes: Buffer;
  /** False for a last line with no newline (torn or cut). */
  terminated: boolean;
}

function take(dir: string): AuditSnapshot {
  const head = readAuditHead(dir);
  const files: AuditSnapshotFile[] = [];
  const close = (): void => {
    for (const file of files) closeSync(file.fd);
  };
  try {
    for (const name of listAuditFiles(dir)) {
      let fd: number;
      try {
        fd = openSync(join(dir, name), READ_FLAGS);
      } catch (error) {
        // Rotated away between listing and opening (only when read without the lock).
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      files.push({ name, fd, size: fstatSync(fd).size });
    }
  } catch (error) {
    close();
    throw error;
  }
  return { head, files, close };
}

/**
 * Takes a snapshot of the log in `dir`. Without the lock (held too long by
 * a stuck writer, or a read-only copy of a log) it reads the files as they
 * are; a writer appending meanwhile can then make the end look torn.
 */
export async function openAuditSnapshot(
  dir: string,
  lockTimeoutMs = 5_000,
): Promise<AuditSnapshot> {
  try {
    lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return { head: { state: "missing" }, files: [], close: () => undefined };
    }
    throw error;
  }
  try {
    return await withAuditLock(join(dir, LOCK_FILE), lockTimeoutMs, () => take(dir));
  } catch (error) {
    const code = McpwardError.isInstance(error)
      ? error.code
      : (error as NodeJS.ErrnoException).code;
    if (code === "BUSY" || code === "EACCES" || code === "EROFS" || code === "EPERM") {
      return take(dir);
    }
    throw error;
  }
}

/** The lines of one snapshot file, read in chunks. */
export async function* snapshotLines(file: AuditSnapshotFile): AsyncGenerator<AuditLine> {
  const chunkSize = 64 * 1024;
  let carry = Buffer.alloc(0);
  let position = 0;
  let number = 0;
  while (position < file.size) {
    const length = Math.min(chunkSize, file.size - position);
    const chunk = Buffer.alloc(length);
    const { bytesRead } = await readAsync(file.fd, chunk, 0, length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    let data =
      carry.length === 0
        ? chunk.subarray(0, bytesRead)
        : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
    let start = 0;
    for (;;) {
      const end = data.indexOf(0x0a, start);
      if (end < 0) break;
      number += 1;
      yield { number, bytes: data.subarray(start, end), terminated: true };
      start = end + 1;
    }
    data = data.subarray(start);
    carry = Buffer.from(data);
  }
  if (carry.length > 0) yield { number: number + 1, bytes: carry, terminated: false };
}

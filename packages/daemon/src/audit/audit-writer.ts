/**
 * Appending to a project's audit log, safely from several daemon processes
 * at once.
 *
 * Each append takes the directory's lock (see `audit-lock.ts`), reads the
 * chain's head from `audit.head` (checked against the end of `audit.jsonl`),
 * writes its line with ONE write() to an O_APPEND descriptor opened with
 * O_NOFOLLOW, rewrites `audit.head` (one 512-byte write in place), and
 * releases the lock. So lines never interleave, and all processes extend one
 * chain. The lock is held only for that synchronous section, never across an
 * `await`.
 *
 * Crash handling (kill -9 of a writer):
 * - killed before its write: nothing happened; its lock is stale and taken over.
 * - killed inside the write (only possible for very large lines): the file
 *   ends with a torn line. The next append writes a newline first (in the
 *   same write() as its record), leaving the fragment on its own line, and
 *   chains from the last complete record, so `verifyAudit` reports the
 *   fragment as a "torn line" at its exact place and nothing else. The
 *   fragment stays as evidence of the crash: verify keeps reporting it (not
 *   ok), and callers may treat a log whose only breaks are torn lines as
 *   intact but crashed.
 * - killed between the write and the head update: the next append sees that
 *   the file's last line is exactly one record past the head and adopts it.
 *
 * Threat model: the log, its head and its lock belong to the user. A process
 * running as that user can rewrite the whole chain and the head consistently;
 * the chain cannot detect that (nothing here is signed with a key the user
 * lacks). It detects accidental or partial damage: an edited, deleted,
 * reordered or torn line, a truncated or deleted file, a lost rotated file.
 * Records are not fsynced; after a power loss the tail may be missing and is
 * then reported as truncated.
 */

import { closeSync, fstatSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, McpwardError } from "@mcpward/core";
import { LOCK_FILE, openCurrentFile, readTail } from "./audit-files.js";
import {
  type AuditHead,
  openAuditHead,
  readAuditHeadFd,
  recoverAuditHead,
  writeAuditHeadFd,
} from "./audit-head.js";
import { withAuditLock, withAuditLockSync } from "./audit-lock.js";
import {
  type AuditEntry,
  type AuditRecord,
  hashAuditLine,
  type PreparedAuditEntry,
  parseAuditLine,
  prepareAuditEntry,
  sealAuditRecord,
} from "./audit-record.js";
import { finishInterruptedRotation, rotateAuditLog } from "./audit-rotation.js";
import { createSecretMasker, type SecretMasker } from "./audit-sanitize.js";

/** Options of {@link AuditWriter.open}. */
export interface AuditWriterOptions {
  /** The log directory, e.g. `<stateRoot>/audit/<projectId>`; created 0700. */
  dir: string;
  /** Size at which `audit.jsonl` is rotated. Default 10 MiB. */
  maxBytes?: number | undefined;
  /** Rotated files kept; older ones are deleted. Default 5. */
  keepFiles?: number | undefined;
  /** Exact values to mask in every record (the env values given after `--`). */
  secrets?: readonly string[] | undefined;
  /** Keep tool results in records (`audit.results`). Default false. */
  results?: boolean | undefined;
  /** How long an append waits for another process's lock. Default 10 s. */
  lockTimeoutMs?: number | undefined;
}

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_KEEP_FILES = 5;
const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

function checkCount(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new McpwardError(
      "BAD_CONFIG",
      `audit ${name} must be an integer of at least ${min}, got ${value}`,
    );
  }
  return value;
}

/** Turns a file-system failure into an error the daemon can log and carry on. */
function auditFailure(error: unknown, dir: string): McpwardError {
  if (McpwardError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ELOOP" || code === "EMLINK") {
    return new McpwardError(
      "UNSAFE_PATH",
      `a file in the audit log ${dir} is a symbolic link; remove it (mcpward never writes through symlinks)`,
      { cause: error, data: { dir } },
    );
  }
  return new McpwardError(
    "INTERNAL",
    `cannot write the audit log in ${dir} (${code ?? String(error)}); check free space and permissions`,
    { cause: error, data: { dir } },
  );
}

/**
 * Writes audit records of one project. Appends never throw synchronously
 * into the daemon: `append` rejects (and `appendSync` throws) a McpwardError
 * that the caller logs; the record is then lost, the daemon lives on.
 */
export class AuditWriter {
  /** The log directory. */
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly keepFiles: number;
  private readonly lockTimeoutMs: number;
  private readonly secrets: readonly string[];
  private readonly results: boolean;
  private readonly mask: SecretMasker;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(dir: string, options: AuditWriterOptions) {
    this.dir = dir;
    this.maxBytes = checkCount("maxBytes", options.maxBytes, DEFAULT_MAX_BYTES, 1);
    this.keepFiles = checkCount("keepFiles", options.keepFiles, DEFAULT_KEEP_FILES, 0);
    this.lockTimeoutMs = checkCount(
      "lockTimeoutMs",
      options.lockTimeoutMs,
      DEFAULT_LOCK_TIMEOUT_MS,
      0,
    );
    this.secrets = [...(options.secrets ?? [])];
    this.results = options.results === true;
    this.mask = createSecretMasker(this.secrets);
  }

  /**
   * Opens (creating it 0700 if needed) the log directory for appending.
   *
   * @throws McpwardError `UNSAFE_PATH` when the directory is a symlink, not
   *   ours, or open to others; `BAD_CONFIG` for invalid options
   */
  static open(options: AuditWriterOptions): AuditWriter {
    const writer = new AuditWriter(options.dir, options);
    try {
      ensurePrivateDir(options.dir);
    } catch (error) {
      throw auditFailure(error, options.dir);
    }
    return writer;
  }

  /**
   * Appends one record. The entry is masked and serialised at once (so a
   * later change to it does not matter); appends of one writer are written
   * in call order.
   *
   * @returns the record as written
   * @throws (rejects) McpwardError: `BUSY` when another process holds the
   *   lock too long, `UNSAFE_PATH` for a symlinked or foreign file,
   *   `INTERNAL` for an invalid entry or a failed write
   */
  append(entry: AuditEntry): Promise<AuditRecord> {
    let prepared: PreparedAuditEntry;
    try {
      prepared = this.prepare(entry);
    } catch (error) {
      return Promise.reject(auditFailure(error, this.dir));
    }
    const attempt = (): Promise<AuditRecord> =>
      withAuditLock(this.lockPath(), this.lockTimeoutMs, () => this.writeLocked(prepared));
    const run = this.queue.then(async () => {
      try {
        return await attempt().catch((error: unknown) => {
          if (!this.recreateDir(error)) throw error;
          return attempt();
        });
      } catch (error) {
        throw auditFailure(error, this.dir);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * {@link append} for synchronous callers (e.g. an exit handler); blocks the
   * thread while another process holds the lock.
   *
   * @throws McpwardError as {@link append} rejects
   */
  appendSync(entry: AuditEntry): AuditRecord {
    try {
      const prepared = this.prepare(entry);
      const attempt = (): AuditRecord =>
        withAuditLockSync(this.lockPath(), this.lockTimeoutMs, () => this.writeLocked(prepared));
      try {
        return attempt();
      } catch (error) {
        if (!this.recreateDir(error)) throw error;
        return attempt();
      }
    } catch (error) {
      throw auditFailure(error, this.dir);
    }
  }

  /** Waits for pending appends; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  private prepare(entry: AuditEntry): PreparedAuditEntry {
    if (this.closed) throw new McpwardError("INTERNAL", "the audit writer is closed");
    return prepareAuditEntry(
      entry,
      { secrets: this.secrets, includeResult: this.results },
      this.mask,
    );
  }

  /** After the directory was removed under a running daemon: makes it again. */
  private recreateDir(error: unknown): boolean {
    if ((error as NodeJS.ErrnoException | undefined)?.code !== "ENOENT") return false;
    ensurePrivateDir(this.dir);
    return true;
  }

  private lockPath(): string {
    return join(this.dir, LOCK_FILE);
  }

  /** The critical section: runs with the lock held, synchronously. */
  private writeLocked(prepared: PreparedAuditEntry): AuditRecord {
    // Both files are opened (and checked) before anything is written, so a
    // planted symlink stops the append before its line, not after.
    let fd = openCurrentFile(this.dir);
    let headFd: number;
    try {
      headFd = openAuditHead(this.dir);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    try {
      const read = readAuditHeadFd(headFd);
      let head = read.state === "ok" ? read.head : recoverAuditHead(this.dir);
      let stat = fstatSync(fd);
      if (stat.nlink > 1 && finishInterruptedRotation(this.dir, stat.ino)) {
        closeSync(fd);
        fd = -1;
        fd = openCurrentFile(this.dir);
        stat = fstatSync(fd);
      }
      let size = stat.size;
      let torn = false;
      if (size !== head.size) {
        const tail = readTail(fd, size);
        torn = !tail.endsWithNewline;
        head = adoptUnrecordedTail(head, tail.lastLine);
        // Killed after its record but before that record's newline: the
        // record is whole, it only needs the newline written before the next.
        head = adoptUnrecordedTail(head, tail.fragment);
      }
      const sealed = sealAuditRecord(prepared, head.seq + 1, head.hash);
      const data = Buffer.from(`${torn ? "\n" : ""}${sealed.line}\n`);
      // A torn tail is first closed off in the file that holds it; rotation waits one record.
      if (!torn && size > 0 && size + data.length > this.maxBytes) {
        closeSync(fd);
        fd = -1;
        head = rotateAuditLog(this.dir, head, headFd, this.keepFiles);
        fd = openCurrentFile(this.dir);
        size = fstatSync(fd).size;
      }
      let written = 0;
      while (written < data.length) {
        const n = writeSync(fd, data, written);
        if (n <= 0) throw new Error("short write");
        written += n;
      }
      writeAuditHeadFd(headFd, {
        seq: sealed.record.seq,
        hash: sealed.hash,
        size: size + data.length,
        origin: head.origin,
      });
      return sealed.record;
    } finally {
      if (fd >= 0) closeSync(fd);
      closeSync(headFd);
    }
  }
}

/**
 * A writer killed between writing its line and updating the head leaves the
 * file one record past the head: that record is adopted. Anything else
 * (a truncated or edited file) is left for `verifyAudit` to report: the next
 * record still chains from the head, so the damage stays visible.
 */
function adoptUnrecordedTail(head: AuditHead, lastLine: Buffer | null): AuditHead {
  if (lastLine === null) return head;
  const record = parseAuditLine(lastLine);
  if (record !== null && record.seq === head.seq + 1 && record.prev === head.hash) {
    return { ...head, seq: record.seq, hash: hashAuditLine(lastLine) };
  }
  return head;
}

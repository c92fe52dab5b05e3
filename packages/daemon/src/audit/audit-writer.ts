/**
 * Appending to a project's audit log, safely from several daemon processes
 * at once.
 *
 * Appends made in one turn of the event loop form a batch, written after
 * that turn (so a daemon answers its client first). Each batch takes the
 * directory's lock (see `audit-lock.ts`) once, reads the chain's head from
 * `audit.head` (checked against the end of `audit.jsonl`), writes its lines
 * with ONE write() (per {@link AUDIT_BATCH_BYTES}) to an O_APPEND descriptor
 * opened with O_NOFOLLOW, rewrites `audit.head` (one 512-byte write in
 * place), and releases the lock. So lines never interleave, and all
 * processes extend one chain. The lock is held only for that synchronous
 * section, never across an `await`.
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
 *   the file's last lines (at most one batch, {@link AUDIT_MAX_BATCH}
 *   records) chain on from the head and adopts them; `verifyAudit` accepts a
 *   head that lags by at most that many records.
 *
 * Threat model: the log, its head and its lock belong to the user. A process
 * running as that user can rewrite the whole chain and the head consistently;
 * the chain cannot detect that (nothing here is signed with a key the user
 * lacks). It detects accidental or partial damage: an edited, deleted,
 * reordered or torn line, a truncated or deleted file, a lost rotated file.
 * Records are not fsynced; after a power loss the tail may be missing and is
 * then reported as truncated.
 */

import { closeSync, fstatSync, lstatSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, McpwardError } from "@mcpward/core";
import { CURRENT_FILE, LOCK_FILE, openCurrentFile, readAt, readTail } from "./audit-files.js";
import {
  AUDIT_MAX_BATCH,
  type AuditHead,
  HEAD_FILE,
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
  type SealedAuditRecord,
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

/** A batch is written in writes of about this size (a record may add up to one line). */
const AUDIT_BATCH_BYTES = 128 * 1024;
/** Unrecorded bytes after the head that an append reads to adopt a killed batch. */
const ADOPT_WINDOW = 256 * 1024;

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
  /** Appends waiting for the next batch, in call order. */
  private waiting: Waiting[] = [];
  /** True while a batch is scheduled or being written. */
  private flushing = false;
  private idle: Array<() => void> = [];
  private closed = false;
  /** Descriptors kept open between batches (see {@link reuseFiles}). */
  private files: OpenFiles | null = null;

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
   * in call order, those of one event-loop turn together after that turn.
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
    return new Promise((resolve, reject) => {
      this.enqueue({ prepared, resolve: (sealed) => resolve(sealed.record), reject });
    });
  }

  /**
   * {@link append} for callers that do not need the record back (saves
   * parsing each line again).
   *
   * @throws (rejects) McpwardError as {@link append}
   */
  write(entry: AuditEntry): Promise<void> {
    let prepared: PreparedAuditEntry;
    try {
      prepared = this.prepare(entry);
    } catch (error) {
      return Promise.reject(auditFailure(error, this.dir));
    }
    return new Promise((resolve, reject) => {
      this.enqueue({ prepared, resolve: () => resolve(), reject });
    });
  }

  private enqueue(waiting: Waiting): void {
    this.waiting.push(waiting);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => void this.flush());
    }
  }

  /**
   * {@link append} for synchronous callers (e.g. an exit handler); blocks the
   * thread while another process holds the lock. Appends still waiting for
   * their batch are written first, in the same write.
   *
   * @throws McpwardError as {@link append} rejects
   */
  appendSync(entry: AuditEntry): AuditRecord {
    let prepared: PreparedAuditEntry;
    try {
      prepared = this.prepare(entry);
    } catch (error) {
      throw auditFailure(error, this.dir);
    }
    // Only appends not yet taken by a batch in progress; one in progress
    // (waiting for the lock) is written after this one.
    const earlier = this.waiting.splice(0);
    const batch = [...earlier.map((w) => w.prepared), prepared];
    let records: SealedAuditRecord[];
    try {
      const attempt = (): SealedAuditRecord[] =>
        withAuditLockSync(this.lockPath(), this.lockTimeoutMs, () => this.writeLocked(batch));
      try {
        records = attempt();
      } catch (error) {
        if (!this.recreateDir(error)) throw error;
        records = attempt();
      }
    } catch (error) {
      const failure = auditFailure(error, this.dir);
      for (const w of earlier) w.reject(failure);
      throw failure;
    }
    for (const [index, w] of earlier.entries()) w.resolve(records[index]!);
    return records[records.length - 1]!.record;
  }

  /** Waits for pending appends, then closes the log's files; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.flushing) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.closeFiles();
  }

  /** Writes waiting appends in batches until none are left. */
  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, AUDIT_MAX_BATCH);
      const prepared = batch.map((w) => w.prepared);
      const attempt = (): Promise<SealedAuditRecord[]> =>
        withAuditLock(this.lockPath(), this.lockTimeoutMs, () => this.writeLocked(prepared));
      try {
        const records = await attempt().catch((error: unknown) => {
          if (!this.recreateDir(error)) throw error;
          return attempt();
        });
        for (const [index, w] of batch.entries()) w.resolve(records[index]!);
      } catch (error) {
        const failure = auditFailure(error, this.dir);
        for (const w of batch) w.reject(failure);
      }
    }
    this.flushing = false;
    for (const resolve of this.idle.splice(0)) resolve();
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

  /**
   * The critical section: runs with the lock held, synchronously. Writes
   * `batch` in order, chained, in as few writes as {@link AUDIT_BATCH_BYTES}
   * allows, rotating between records when the file is full.
   */
  private writeLocked(batch: readonly PreparedAuditEntry[]): SealedAuditRecord[] {
    const files = this.reuseFiles();
    let fd = -1;
    let headFd = -1;
    /** Whether `fd` and `headFd` are still the kept descriptors (their identity is known). */
    let kept = files !== null;
    try {
      let head: AuditHead;
      let size: number;
      if (files !== null) {
        ({ fd, headFd } = files);
        size = files.size;
        // Nobody appended since our last batch (same file, same size): the
        // head is the one we wrote. Otherwise read it as a fresh writer does.
        if (size === files.written) head = files.head;
        else {
          const read = readAuditHeadFd(headFd);
          head = read.state === "ok" ? read.head : recoverAuditHead(this.dir);
        }
      } else {
        this.closeFiles();
        // Both files are opened (and checked) before anything is written, so a
        // planted symlink stops the append before its line, not after.
        fd = openCurrentFile(this.dir);
        headFd = openAuditHead(this.dir);
        const read = readAuditHeadFd(headFd);
        head = read.state === "ok" ? read.head : recoverAuditHead(this.dir);
        let stat = fstatSync(fd);
        if (stat.nlink > 1 && finishInterruptedRotation(this.dir, stat.ino)) {
          closeSync(fd);
          fd = -1;
          fd = openCurrentFile(this.dir);
          stat = fstatSync(fd);
        }
        size = stat.size;
      }
      let torn = false;
      if (size !== head.size) {
        const tail = readTail(fd, size);
        torn = !tail.endsWithNewline;
        head = adoptUnrecorded(fd, head, size, tail);
      }
      const records: SealedAuditRecord[] = [];
      let chunks: Buffer[] = [];
      let pendingBytes = 0;
      const write = (): void => {
        if (chunks.length === 0) return;
        const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, pendingBytes);
        let written = 0;
        while (written < data.length) {
          const n = writeSync(fd, data, written);
          if (n <= 0) throw new Error("short write");
          written += n;
        }
        size += data.length;
        chunks = [];
        pendingBytes = 0;
        writeAuditHeadFd(headFd, { ...head, size });
      };
      for (const prepared of batch) {
        const sealed = sealAuditRecord(prepared, head.seq + 1, head.hash);
        const data = Buffer.from(`${torn ? "\n" : ""}${sealed.line}\n`);
        // A torn tail is first closed off in the file that holds it; rotation waits one record.
        const end = size + pendingBytes;
        if (!torn && end > 0 && end + data.length > this.maxBytes) {
          write();
          closeSync(fd);
          fd = -1;
          kept = false;
          head = rotateAuditLog(this.dir, head, headFd, this.keepFiles);
          fd = openCurrentFile(this.dir);
          size = fstatSync(fd).size;
        }
        torn = false;
        chunks.push(data);
        pendingBytes += data.length;
        head = { ...head, seq: head.seq + 1, hash: sealed.hash };
        records.push(sealed);
        if (pendingBytes >= AUDIT_BATCH_BYTES) write();
      }
      write();
      this.rememberFiles(kept, fd, headFd, { ...head, size }, size);
      return records;
    } catch (error) {
      this.files = null;
      if (fd >= 0) closeSync(fd);
      if (headFd >= 0) closeSync(headFd);
      throw error;
    }
  }

  /**
   * The descriptors kept from the last batch, if they still are the log's
   * files: same inode at each path (not rotated, replaced or removed by
   * anyone since) and the log file not also a rotated file. Otherwise closes
   * them and returns null, and the batch opens the files afresh. Called with
   * the lock held.
   */
  private reuseFiles(): (OpenFiles & { size: number }) | null {
    const files = this.files;
    if (files === null) return null;
    const current = lstatSync(join(this.dir, CURRENT_FILE), { throwIfNoEntry: false });
    const head = lstatSync(join(this.dir, HEAD_FILE), { throwIfNoEntry: false });
    if (
      current?.isFile() === true &&
      current.dev === files.dev &&
      current.ino === files.ino &&
      current.nlink === 1 &&
      head?.isFile() === true &&
      head.dev === files.headDev &&
      head.ino === files.headIno
    ) {
      return { ...files, size: current.size };
    }
    this.closeFiles();
    return null;
  }

  /** Keeps the descriptors for the next batch. */
  private rememberFiles(
    kept: boolean,
    fd: number,
    headFd: number,
    head: AuditHead,
    written: number,
  ): void {
    if (kept && this.files !== null) {
      this.files = { ...this.files, written, head };
      return;
    }
    const stat = fstatSync(fd);
    const headStat = fstatSync(headFd);
    this.files = {
      fd,
      headFd,
      dev: stat.dev,
      ino: stat.ino,
      headDev: headStat.dev,
      headIno: headStat.ino,
      written,
      head,
    };
  }

  private closeFiles(): void {
    const files = this.files;
    this.files = null;
    if (files === null) return;
    closeSync(files.fd);
    closeSync(files.headFd);
  }
}

/** The log's descriptors kept open between batches, and what we last wrote. */
interface OpenFiles {
  fd: number;
  headFd: number;
  dev: number;
  ino: number;
  headDev: number;
  headIno: number;
  /** Size of `audit.jsonl` after our last batch. */
  written: number;
  /** The head after our last batch. */
  head: AuditHead;
}

/** An append waiting for its batch. */
interface Waiting {
  prepared: PreparedAuditEntry;
  resolve(sealed: SealedAuditRecord): void;
  reject(error: unknown): void;
}

/**
 * A writer killed between writing its lines and updating the head leaves
 * the file up to one batch past the head: the records after the head's
 * size that chain on from it are adopted (or, when that size is unknown,
 * the last line or unterminated fragment).
 */
function adoptUnrecorded(
  fd: number,
  head: AuditHead,
  size: number,
  tail: { lastLine: Buffer | null; fragment: Buffer | null },
): AuditHead {
  if (head.size >= 0 && head.size < size && size - head.size <= ADOPT_WINDOW) {
    const region = readAt(fd, head.size, size - head.size);
    let start = 0;
    for (;;) {
      const end = region.indexOf(0x0a, start);
      // Killed after a record but before its newline: the record is whole,
      // it only needs the newline written before the next.
      const line = region.subarray(start, end < 0 ? region.length : end);
      if (line.length > 0) head = adoptUnrecordedTail(head, line);
      if (end < 0) return head;
      start = end + 1;
    }
  }
  head = adoptUnrecordedTail(head, tail.lastLine);
  // Killed after its record but before that record's newline: the record is
  // whole, it only needs the newline written before the next.
  return adoptUnrecordedTail(head, tail.fragment);
}

/**
 * A record right after the head (written by a writer killed before its
 * head update) is adopted. Anything else
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

/**
 * The trust store file, `<configRoot>/trust.json`: reading it with the checks
 * a file that grants trust needs, and writing it under a lock. Never in a
 * project. Refused when it is a symlink, not a regular file, not yours, or
 * writable by group or others; a corrupt file is an error (never treated as
 * empty, which would re-ask everything, nor as trusted).
 */

import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  type Stats,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { ensurePrivateDir, McpwardError, writeFileAtomic } from "@mcpward/core";
import * as v from "valibot";
import { formatJsonPath } from "./config-error.js";

/** Largest trust file read (a record is ~300 bytes). */
const MAX_TRUST_BYTES = 16 * 1024 * 1024;
const MAX_RECORDS = 20_000;
/** A lock older than this is left over from a crashed writer (a write takes milliseconds). */
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

const Text = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));
const Common = {
  projectId: Text,
  projectDir: Text,
  approvedAt: v.pipe(v.string(), v.isoTimestamp()),
};

const RecordSchema = v.variant("kind", [
  v.object({
    kind: v.literal("server"),
    ...Common,
    serverKey: Text,
    contentHash: Text,
    label: v.optional(v.pipe(v.string(), v.maxLength(500))),
  }),
  v.object({ kind: v.literal("config-server"), ...Common, name: Text, configHash: Text }),
  v.object({
    kind: v.literal("tool"),
    ...Common,
    serverKey: Text,
    contentHash: Text,
    tool: v.pipe(v.string(), v.maxLength(4096)),
  }),
  v.object({ kind: v.literal("policy"), ...Common, specifier: Text, contentHash: Text }),
]);

const FileSchema = v.object({
  version: v.literal(1),
  records: v.pipe(v.array(RecordSchema), v.maxLength(MAX_RECORDS)),
});

/** One remembered approval. */
export type TrustRecord = v.InferOutput<typeof RecordSchema>;

function unsafe(path: string, problem: string, fix: string): McpwardError {
  return new McpwardError("UNSAFE_PATH", `${path} ${problem}; ${fix}`, { data: { path } });
}

function corrupt(path: string, problem: string, cause?: unknown): McpwardError {
  return new McpwardError(
    "BAD_CONFIG",
    `${path} is corrupt (${problem}); restore it from a backup, or move it away to start over (mcpward will ask for every approval again)`,
    { cause, data: { path } },
  );
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

const me = (): number | undefined =>
  typeof process.getuid === "function" ? process.getuid() : undefined;

function checkStat(path: string, stat: Stats, what: "file" | "directory"): void {
  if (stat.isSymbolicLink()) {
    throw unsafe(
      path,
      "is a symbolic link",
      `the trust store ${what} must not be a link; remove it`,
    );
  }
  if (what === "file" ? !stat.isFile() : !stat.isDirectory()) {
    throw unsafe(path, `is not a ${what}`, "remove it");
  }
  const uid = me();
  if (uid !== undefined && stat.uid !== uid) {
    throw unsafe(
      path,
      `is owned by uid ${stat.uid}, not you`,
      "remove it; it may have been planted",
    );
  }
  if ((stat.mode & 0o022) !== 0) {
    throw unsafe(
      path,
      "is writable by group or others, who could approve servers for you",
      `run \`chmod ${what === "file" ? "600" : "700"} ${path}\` and review the approvals in it`,
    );
  }
}

/** File identity, to skip re-reading an unchanged file. */
export function fileStamp(path: string): string | null {
  const stat = lstatOrNull(path);
  return stat === null ? null : `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

/**
 * Reads the trust store. A missing file (or directory) means no approvals.
 *
 * @throws McpwardError `UNSAFE_PATH` for a link, a foreign or writable file;
 *   `BAD_CONFIG` for a corrupt one
 */
export function readTrustFile(path: string): TrustRecord[] {
  const dir = lstatOrNull(dirname(path));
  if (dir === null) return [];
  checkStat(dirname(path), dir, "directory");
  const link = lstatOrNull(path);
  if (link === null) return [];
  checkStat(path, link, "file");
  let text: string;
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const stat = fstatSync(fd);
    checkStat(path, stat, "file");
    if (stat.size > MAX_TRUST_BYTES) throw corrupt(path, "larger than 16 MiB");
    text = readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, "not valid JSON", error);
  }
  if (
    typeof data === "object" &&
    data !== null &&
    typeof (data as { version?: unknown }).version === "number" &&
    (data as { version: number }).version > 1
  ) {
    throw new McpwardError(
      "BAD_CONFIG",
      `${path} was written by a newer mcpward (format ${(data as { version: number }).version}); upgrade mcpward`,
      { data: { path } },
    );
  }
  const result = v.safeParse(FileSchema, data);
  if (!result.success) {
    const issue = result.issues[0]!;
    const where = formatJsonPath((issue.path ?? []).map((p) => p.key as string | number));
    throw corrupt(path, `unexpected content at ${where}`);
  }
  return result.output.records;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the writer lock (an O_EXCL file), breaking one left by a crashed writer. */
function lock(lockPath: string): void {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(
        lockPath,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
        0o600,
      );
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const stat = lstatOrNull(lockPath);
    if (stat !== null && Date.now() - stat.mtimeMs > STALE_LOCK_MS) {
      try {
        unlinkSync(lockPath);
      } catch {
        // another writer broke it first
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new McpwardError(
        "BUSY",
        `${lockPath} is held by another mcpward; try again, or remove it if no mcpward is running`,
      );
    }
    sleep(5 + Math.random() * 10);
  }
}

/**
 * Changes the trust store: under the lock, re-reads it (another process may
 * have written since), applies `change` and writes it atomically (0600), so
 * concurrent writers never lose each other's records or tear the file.
 */
export function updateTrustFile(
  path: string,
  change: (records: TrustRecord[]) => TrustRecord[],
): TrustRecord[] {
  ensurePrivateDir(dirname(path));
  const lockPath = `${path}.lock`;
  lock(lockPath);
  try {
    const records = change(readTrustFile(path));
    if (records.length > MAX_RECORDS) {
      throw new McpwardError(
        "LIMIT_EXCEEDED",
        `${path} would hold more than ${MAX_RECORDS} approvals; revoke old ones first`,
      );
    }
    writeFileAtomic(path, `${JSON.stringify({ version: 1, records }, null, 2)}\n`, 0o600);
    return records;
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // already gone
    }
  }
}

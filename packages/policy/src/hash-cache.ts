/**
 * The content-hash cache that outlives a process: `<stateRoot>/content-hash-cache.json`.
 * Every daemon hashes its server's executable (often a ~100 MB interpreter)
 * before it decides on trust; with this file a new daemon hashes it only when
 * the file changed.
 *
 * An entry is keyed by real path and stamp (`dev:ino:size:mtimeNs:ctimeNs`).
 * A changed file always misses: writing it sets ctime, and no user code can
 * set ctime back. The cache is only an optimisation and is never trusted
 * beyond that: a file that is a symlink, not regular, not yours, open to group
 * or others, too large, or not exactly the expected shape is ignored (and
 * replaced by the next write); reading or writing it never throws.
 */

import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, writeFileAtomic } from "@mcpward/core";
import * as v from "valibot";

/** The cache file's name in the state directory. */
export const HASH_CACHE_FILE = "content-hash-cache.json";
/** Entries kept; the oldest are dropped first. */
export const MAX_CACHE_ENTRIES = 256;
/** Longer paths are not cached (keeps the file small). */
const MAX_PATH_CHARS = 1024;
/** Largest cache file read: MAX_CACHE_ENTRIES entries with the longest paths fit. */
const MAX_CACHE_BYTES = 512 * 1024;

const EntrySchema = v.strictObject({
  path: v.pipe(v.string(), v.startsWith("/"), v.maxLength(MAX_PATH_CHARS)),
  stamp: v.pipe(v.string(), v.regex(/^\d{1,20}:\d{1,20}:\d{1,20}:\d{1,30}:\d{1,30}$/)),
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  hashedAt: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
const CacheSchema = v.strictObject({
  version: v.literal(1),
  entries: v.pipe(v.array(EntrySchema), v.maxLength(MAX_CACHE_ENTRIES)),
});

/** One cached hash. */
export type HashCacheEntry = v.InferOutput<typeof EntrySchema>;

/** Identity and times of a file, from a `bigint` stat of the open file. */
export function fileStamp(stat: {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

/** Yours and closed to group and others (no uid check where there are no uids). */
function isPrivate(stat: { uid: number; mode: number }): boolean {
  const me = typeof process.getuid === "function" ? process.getuid() : undefined;
  return (me === undefined || stat.uid === me) && (stat.mode & 0o077) === 0;
}

/**
 * The cache's entries, or none when the file is missing, unsafe or malformed.
 *
 * @param stateDir - the state directory (see `stateRoot` in core)
 */
export function readHashCache(stateDir: string): HashCacheEntry[] {
  let fd: number | undefined;
  try {
    const dir = lstatSync(stateDir);
    if (!dir.isDirectory() || !isPrivate(dir)) return [];
    // O_NOFOLLOW: a symlink is refused; O_NONBLOCK: a FIFO put in its place
    // cannot hang the open.
    fd = openSync(
      join(stateDir, HASH_CACHE_FILE),
      constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0),
    );
    const stat = fstatSync(fd);
    if (!stat.isFile() || !isPrivate(stat) || stat.size > MAX_CACHE_BYTES) return [];
    const buffer = Buffer.alloc(MAX_CACHE_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > MAX_CACHE_BYTES) return [];
    }
    const parsed = v.safeParse(CacheSchema, JSON.parse(buffer.toString("utf8", 0, length)));
    return parsed.success ? parsed.output.entries : [];
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Lookups in the cache of `stateDir`, which is read (and checked) once, at
 * the first lookup: one read for all the files of one server.
 */
export function hashCacheReader(
  stateDir: string,
): (path: string, stamp: string) => string | undefined {
  let entries: HashCacheEntry[] | undefined;
  return (path, stamp) => {
    entries ??= readHashCache(stateDir);
    return entries.find((e) => e.path === path && e.stamp === stamp)?.sha256;
  };
}

/**
 * Records a hash: reads the file again, replaces the path's entry, drops
 * the oldest beyond {@link MAX_CACHE_ENTRIES} and writes it atomically (0600
 * in a 0700 directory). Concurrent writers never leave a torn file; one of
 * their updates may be lost, which only costs a hash later. Never throws.
 */
export function storeHash(
  stateDir: string,
  entry: Omit<HashCacheEntry, "hashedAt">,
  now = Date.now(),
): void {
  if (!entry.path.startsWith("/") || entry.path.length > MAX_PATH_CHARS) return;
  try {
    ensurePrivateDir(stateDir);
    const entries = readHashCache(stateDir)
      .filter((e) => e.path !== entry.path)
      .concat({ ...entry, hashedAt: Math.max(0, Math.floor(now)) })
      .sort((a, b) => a.hashedAt - b.hashedAt)
      .slice(-MAX_CACHE_ENTRIES);
    writeFileAtomic(
      join(stateDir, HASH_CACHE_FILE),
      `${JSON.stringify({ version: 1, entries })}\n`,
    );
  } catch {
    // An unwritable or unsafe state directory: the next start hashes again.
  }
}

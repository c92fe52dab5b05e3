/**
 * Content hashes for approvals. Trust is tied to what runs, never to a name
 * (the Cursor "MCPoison" lesson: an approval tied to a server's name let a
 * changed command run silently). An approval records the SHA-256 of the
 * executable and, for an interpreter, of the script it runs; a changed byte
 * asks again.
 */

import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { type FileHandle, open, realpath } from "node:fs/promises";
import { McpwardError, stateRoot } from "@mcpward/core";
import { fileStamp, hashCacheReader, storeHash } from "./hash-cache.js";

/** Largest file hashed: a node binary is ~100 MiB; a device or a huge file is not a program. */
const MAX_HASHED_BYTES = 1024 * 1024 * 1024;
/** Hashes kept per process, keyed by path and file identity. */
const MAX_CACHED = 256;

/**
 * A file changed less than this long ago is hashed but not cached: a write
 * within the same tick of a coarse ctime clock (1 s on some file systems,
 * 2 s on FAT) could leave the stamp unchanged (git's "racily clean" files).
 */
const RACY_NS = 3_000_000_000n;

const cache = new Map<string, string>();

/** Options of {@link hashExecutable}. */
export interface HashOptions {
  /**
   * The state directory holding the persistent cache (default: `stateRoot`
   * of `process.env`); null keeps the cache in memory only.
   */
  stateDir?: string | null;
}

function defaultStateDir(): string | null {
  try {
    return stateRoot(process.env);
  } catch {
    return null;
  }
}

function remember(key: string, digest: string): void {
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, digest);
}

/** Where hashes outlive the process: the state directory and a reader of its cache. */
interface Persisted {
  stateDir: string;
  lookup(path: string, stamp: string): string | undefined;
}

async function hashOne(path: string, persisted: Persisted | null): Promise<string> {
  let handle: FileHandle | undefined;
  try {
    const real = await realpath(path);
    handle = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const stat = await handle.stat({ bigint: true });
    if (!stat.isFile()) throw new Error("not a regular file");
    if (stat.size > BigInt(MAX_HASHED_BYTES)) throw new Error("larger than 1 GiB");
    // Same file, same identity and times: same content (hashing node itself
    // costs ~100 ms, too much for every server start). ctime is in the stamp
    // because no user code can set it: a changed file always misses.
    const stamp = fileStamp(stat);
    const key = `${real}\0${stamp}`;
    const known = cache.get(key);
    if (known !== undefined) return known;
    const stored = persisted?.lookup(real, stamp);
    if (stored !== undefined) {
      remember(key, stored);
      return stored;
    }
    const settled = BigInt(Date.now()) * 1_000_000n - stat.ctimeNs >= RACY_NS;
    const hash = createHash("sha256");
    const buffer = Buffer.alloc(1024 * 1024);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_HASHED_BYTES) throw new Error("larger than 1 GiB");
      hash.update(buffer.subarray(0, bytesRead));
    }
    const digest = hash.digest("hex");
    if (settled) {
      remember(key, digest);
      if (persisted !== null) {
        storeHash(persisted.stateDir, { path: real, stamp, sha256: digest });
      }
    }
    return digest;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new McpwardError(
      "SERVER_START_FAILED",
      `cannot hash ${path} (${reason}); check that it exists and is a readable file`,
      { cause: error, data: { path } },
    );
  } finally {
    await handle?.close();
  }
}

/**
 * The content hash of what a server runs: the resolved executable and, for
 * an interpreter (`node server.js`, `python srv.py`), the script. Symlinks
 * are followed; order matters. Hashes are cached by file identity and
 * times, in memory and in the state directory (hash-cache.ts), so a new
 * daemon does not read an unchanged interpreter again.
 *
 * @param paths - the executable first, then any script files
 * @param options - where the persistent cache lives
 * @returns `sha256:<64 hex>`
 * @throws McpwardError `SERVER_START_FAILED` when a file cannot be read or is
 *   not a regular file
 */
export async function hashExecutable(
  paths: readonly string[],
  options: HashOptions = {},
): Promise<string> {
  if (paths.length === 0) throw new TypeError("hashExecutable: no paths given");
  const stateDir = options.stateDir === undefined ? defaultStateDir() : options.stateDir;
  const persisted = stateDir === null ? null : { stateDir, lookup: hashCacheReader(stateDir) };
  const digests = await Promise.all(paths.map((path) => hashOne(path, persisted)));
  const combined = createHash("sha256")
    .update(`mcpward-content-v1\n${digests.join("\n")}`)
    .digest("hex");
  return `sha256:${combined}`;
}

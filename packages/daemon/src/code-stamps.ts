import { statSync } from "node:fs";

/** What identifies one version of a file without reading it. */
export interface CodeStamp {
  path: string;
  /** `dev:ino:size:mtimeMs`, or `missing` when the file cannot be stat'ed. */
  stamp: string;
}

function stampOf(path: string): string {
  try {
    // No exception (and its stack trace) per call for a missing file.
    const s = statSync(path, { throwIfNoEntry: false });
    return s === undefined ? "missing" : `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return "missing";
  }
}

/**
 * Stamps the files a server runs (its executable and script).
 *
 * A stat per file at the start of a call, rather than fs.watch: watchers
 * miss the rename-over-save most editors do (the watched inode is replaced),
 * behave differently on every platform, and cost a file descriptor per
 * daemon. A save changes the mtime (in place) or the inode (rename), and
 * almost always the size, so comparing all of them catches it.
 */
export function stampFiles(paths: readonly string[]): CodeStamp[] {
  return paths.map((path) => ({ path, stamp: stampOf(path) }));
}

/** The first stamped file that changed since, or null when none did. */
export function changedFile(stamps: readonly CodeStamp[]): string | null {
  for (const { path, stamp } of stamps) if (stampOf(path) !== stamp) return path;
  return null;
}

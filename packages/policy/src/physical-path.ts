/**
 * Where a path really leads: symlinks followed one component at a time and
 * `..` applied to the real directory reached so far (as the kernel does,
 * unlike a textual normalisation), continuing textually below the first
 * component that does not exist yet (a file about to be created is judged by
 * its nearest existing parent).
 */

import { lstatSync, readlinkSync } from "node:fs";
import { dirname } from "node:path";

/** Linux's limit on symlinks followed in one lookup (ELOOP beyond it). */
const MAX_SYMLINKS = 40;

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The real path `absolute` leads to, existing or not.
 *
 * @param absolute - an absolute path; `.`, `..` and `//` are allowed in it
 * @returns the resolved path, or null when it cannot be judged (a symlink
 *   loop, a directory that cannot be searched)
 */
export function physicalPath(absolute: string): string | null {
  const pending = absolute.split("/").filter((part) => part !== "");
  let current = "/";
  let exists = true;
  let symlinks = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === ".") continue;
    if (part === "..") {
      current = dirname(current);
      // Back in existing territory, components are real again and may be symlinks.
      if (!exists) exists = lexists(current);
      continue;
    }
    const next = current === "/" ? `/${part}` : `${current}/${part}`;
    if (!exists) {
      current = next;
      continue;
    }
    let isLink: boolean;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") return null;
      exists = false;
      current = next;
      continue;
    }
    if (!isLink) {
      current = next;
      continue;
    }
    if (++symlinks > MAX_SYMLINKS) return null;
    let target: string;
    try {
      target = readlinkSync(next);
    } catch {
      return null;
    }
    // A dangling link still leads somewhere: writing through it creates its target.
    pending.unshift(...target.split("/").filter((piece) => piece !== ""));
    if (target.startsWith("/")) current = "/";
  }
  return current;
}

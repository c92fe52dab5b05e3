/**
 * Separator-aware containment of real paths: `/proj-evil` is not inside
 * `/proj` (CVE-2025-53110 was exactly that prefix check).
 */

import { sep } from "node:path";

/**
 * True when `path` is `dir` or lies below it. Both must already be absolute,
 * normalised real paths (no `..`, no symlinks); this compares text only.
 */
export function isInside(path: string, dir: string): boolean {
  if (path === dir) return true;
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  return path.startsWith(prefix);
}

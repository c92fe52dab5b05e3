import { chmodSync, lstatSync, mkdirSync, type Stats } from "node:fs";
import { dirname } from "node:path";
import { McpwardError } from "./errors.js";

function fail(path: string, problem: string, fix: string): never {
  throw new McpwardError("UNSAFE_PATH", `${path} ${problem}; ${fix}`, { data: { path } });
}

/**
 * Makes sure `path` is a directory only its owner can enter: creates it 0700
 * (parents as needed), and refuses a symlink, a non-directory, or a directory
 * owned by another user. Group or other permission bits on a directory we own
 * are removed; if that fails, it refuses.
 *
 * @throws McpwardError `UNSAFE_PATH` with the path and what to do.
 */
export function ensurePrivateDir(path: string): void {
  let stat = lstatOrNull(path);
  if (stat === null) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    stat = lstatSync(path);
  }
  if (stat.isSymbolicLink()) {
    fail(path, "is a symbolic link", "remove it or point MCPWARD_RUNTIME_DIR elsewhere");
  }
  if (!stat.isDirectory()) {
    fail(path, "is not a directory", "remove it or point mcpward elsewhere");
  }
  const me = typeof process.getuid === "function" ? process.getuid() : undefined;
  if (me !== undefined && stat.uid !== me) {
    fail(path, `is owned by uid ${stat.uid}, not you (${me})`, "use a directory you own");
  }
  if ((stat.mode & 0o077) !== 0) {
    try {
      chmodSync(path, 0o700);
    } catch {
      // handled by the re-check below
    }
    const again = lstatSync(path);
    if ((again.mode & 0o077) !== 0) {
      fail(path, "is accessible to group or others", "run `chmod 700` on it");
    }
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/**
 * The checks an executable or script file must pass before mcpward runs it:
 * it exists, is a regular file, belongs to the user or root, cannot be
 * changed by anyone else, and sits where nobody else can swap it.
 */

import { accessSync, constants, realpathSync, statSync } from "node:fs";
import { dirname } from "node:path";

/**
 * One thing wrong with a file. `unusable` problems make the start fail
 * anyway (not found, not a regular file, not executable); `untrusted`
 * problems mean someone other than the user could control what runs.
 */
export interface FileProblem {
  /** Stable rule name, e.g. `"file.world-writable-dir"`. */
  rule: string;
  /** One line naming the path and what is wrong. */
  detail: string;
  severity: "unusable" | "untrusted";
}

/** Result of {@link inspectFile}. */
export interface FileInspection {
  /** The real path (symlinks resolved), or null when it could not be resolved. */
  realPath: string | null;
  /** Owner of the real file, or null when unknown. */
  uid: number | null;
  problems: FileProblem[];
}

const WORLD_WRITABLE = 0o002;
const GROUP_OR_WORLD_WRITABLE = 0o022;
const STICKY = 0o1000;

/** The current user's id, or null on platforms without one (Windows). */
export function currentUid(): number | null {
  return typeof process.getuid === "function" ? process.getuid() : null;
}

function trustedOwner(uid: number, me: number | null): boolean {
  return me === null || uid === me || uid === 0;
}

/**
 * Resolves `path` and checks it. `role` says whether the file must be
 * executable (a command) or only readable (a script given to an interpreter,
 * or a module it preloads).
 */
export function inspectFile(
  path: string,
  role: "executable" | "script" | "module" | "env file",
): FileInspection {
  const problems: FileProblem[] = [];
  let realPath: string;
  try {
    realPath = realpathSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const detail =
      code === "ENOENT" || code === "ENOTDIR"
        ? `${role} ${path} does not exist`
        : `${role} ${path} cannot be resolved (${code ?? "error"})`;
    problems.push({ rule: "file.not-found", detail, severity: "unusable" });
    return { realPath: null, uid: null, problems };
  }
  const stats = statSync(realPath);
  if (!stats.isFile()) {
    problems.push({
      rule: "file.not-regular",
      detail: `${role} ${realPath} is not a regular file`,
      severity: "unusable",
    });
    return { realPath, uid: stats.uid, problems };
  }
  if (role === "executable" && !isExecutable(realPath, stats.mode)) {
    problems.push({
      rule: "file.not-executable",
      detail: `${role} ${realPath} is not executable`,
      severity: "unusable",
    });
  }
  const me = currentUid();
  if (!trustedOwner(stats.uid, me)) {
    problems.push({
      rule: "file.foreign-owner",
      detail: `${role} ${realPath} belongs to another user (uid ${stats.uid})`,
      severity: "untrusted",
    });
  }
  if ((stats.mode & GROUP_OR_WORLD_WRITABLE) !== 0) {
    const who = (stats.mode & WORLD_WRITABLE) !== 0 ? "every user" : "its group";
    problems.push({
      rule: "file.writable-by-others",
      detail: `${role} ${realPath} can be changed by ${who}`,
      severity: "untrusted",
    });
  }
  problems.push(...directoryProblems(realPath, role));
  return { realPath, uid: stats.uid, problems };
}

function isExecutable(path: string, mode: number): boolean {
  // root passes access(X_OK) when any x bit is set; the mode test covers it.
  if ((mode & 0o111) === 0) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The containing directory must not be world-writable, sticky or not: in a
 * sticky /tmp anyone may create the file before the user does. Further up, a
 * world-writable directory without the sticky bit lets anyone rename the
 * whole subtree away and put their own in its place.
 */
function directoryProblems(realPath: string, role: string): FileProblem[] {
  const problems: FileProblem[] = [];
  const dir = dirname(realPath);
  const mode = statSync(dir).mode;
  if ((mode & WORLD_WRITABLE) !== 0) {
    const sticky = (mode & STICKY) !== 0 ? " (sticky, like /tmp)" : "";
    problems.push({
      rule: "file.world-writable-dir",
      detail: `${role} ${realPath} is in ${dir}, a directory every user can write to${sticky}`,
      severity: "untrusted",
    });
  }
  for (let current = dir; current !== dirname(current); ) {
    current = dirname(current);
    const ancestorMode = statSync(current).mode;
    if ((ancestorMode & WORLD_WRITABLE) !== 0 && (ancestorMode & STICKY) === 0) {
      problems.push({
        rule: "file.world-writable-ancestor",
        detail: `${role} ${realPath} is below ${current}, which every user can write to and rename entries in`,
        severity: "untrusted",
      });
      break;
    }
  }
  return problems;
}

/**
 * Path arguments must stay inside the configured roots (default: the project
 * directory), judged on where they really lead: symlinks resolved, `..`
 * applied, `file://` URIs decoded, separator-aware containment.
 */

import { realpathSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pathArguments } from "./path-arguments.js";
import { isInside } from "./path-inside.js";
import { physicalPath } from "./physical-path.js";
import type { Decision } from "./policy.js";

/** Options for {@link checkPathArguments}. */
export interface PathRootOptions {
  /**
   * Directory that relative path arguments and relative roots resolve
   * against: the server's working directory (default: the first root).
   */
  base?: string | undefined;
}

/** A scheme such as `https:`; a Windows drive letter (`C:`) is not one. */
const URL_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;

type Located = { path: string } | { problem: string } | { skip: true };

/** Turns an argument's text into an absolute path, as a server would read it. */
function locate(value: string, base: string): Located {
  if (value === "") return { skip: true };
  if (value.includes("\0")) return { problem: "contains a NUL character" };
  const scheme = URL_SCHEME.exec(value)?.[1]?.toLowerCase();
  let path = value;
  if (scheme === "file") {
    try {
      path = fileURLToPath(new URL(value));
    } catch {
      return { problem: "is not a local file: URI" };
    }
  } else if (scheme !== undefined) {
    // https:, data:, s3: … are not file-system paths; read as one, the text
    // would be relative and land inside the base anyway.
    return { skip: true };
  } else if (path === "~" || path.startsWith("~/")) {
    // Servers commonly expand a leading ~ (the reference filesystem server does).
    path = homedir() + path.slice(1);
  } else if (path.startsWith("~")) {
    return { problem: "names another user's home directory" };
  }
  // Not path.resolve: it would apply `..` textually before symlinks are seen.
  return { path: isAbsolute(path) ? path : `${base}/${path}` };
}

function realRoots(roots: readonly string[], base: string): string[] {
  const real: string[] = [];
  for (const root of roots) {
    try {
      real.push(realpathSync(resolve(base, root)));
    } catch {
      // A root that does not exist contains nothing.
    }
  }
  return real;
}

/**
 * Checks every path-valued argument (see the heuristics of
 * {@link pathArguments}) against the roots. A path is inside when where it
 * really leads, judged both as the kernel walks it (symlinks first, then
 * `..`) and after a textual `..` cleanup (as `path.resolve` in a server
 * would), is a root or below one; a file that does not exist yet is judged
 * by its nearest existing parent.
 *
 * @param args - the tool call's arguments
 * @param inputSchema - the tool's input JSON Schema
 * @param roots - allowed directories (the daemon passes the project
 *   directory when none are configured); roots that do not exist are ignored
 * @returns one `deny` per path outside the roots (rule `path.outside-roots`)
 *   or that cannot be judged (rule `path.unresolvable`); empty when all are
 *   inside
 */
export function checkPathArguments(
  args: unknown,
  inputSchema: unknown,
  roots: readonly string[],
  options: PathRootOptions = {},
): Decision[] {
  const candidates = pathArguments(args, inputSchema);
  if (candidates.length === 0) return [];
  const base = resolve(options.base ?? roots[0] ?? process.cwd());
  const allowed = realRoots(roots, base);
  const shownRoots = allowed.length > 0 ? allowed.join(", ") : "none exists";
  const decisions: Decision[] = [];
  for (const { name, value } of candidates) {
    const shown = JSON.stringify(value);
    const located = locate(value, base);
    if ("skip" in located) continue;
    if ("problem" in located) {
      decisions.push({
        action: "deny",
        reason: `argument ${name} ${located.problem} (${shown}); pass a path inside the allowed roots (${shownRoots})`,
        rule: "path.unresolvable",
      });
      continue;
    }
    const walked = [physicalPath(located.path), physicalPath(resolve(located.path))];
    if (walked.includes(null)) {
      decisions.push({
        action: "deny",
        reason: `argument ${name} names ${shown}, which cannot be resolved (a symlink loop or an unreadable directory)`,
        rule: "path.unresolvable",
      });
      continue;
    }
    const outside = (walked as string[]).find(
      (path) => !allowed.some((root) => isInside(path, root)),
    );
    if (outside !== undefined) {
      decisions.push({
        action: "deny",
        reason: `argument ${name} names ${shown}, which leads to ${JSON.stringify(outside)}, outside the allowed roots (${shownRoots}); use a path inside them or add a root`,
        rule: "path.outside-roots",
      });
    }
  }
  return decisions;
}

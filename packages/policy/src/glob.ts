/**
 * Tool-name globs: `*` matches any run of characters (also none), `?`
 * exactly one; everything else is literal. No dependency: a glob library
 * brings path semantics (`/`, `**`, braces) that tool names do not have.
 */

const REGEXP_SPECIAL = /[\\^$.|+()[\]{}]/g;

/**
 * Compiles a glob to an anchored RegExp.
 *
 * @param flags - RegExp flags, e.g. `"u"`
 */
export function globToRegExp(glob: string, flags = "u"): RegExp {
  let source = "";
  for (const char of glob) {
    if (char === "*") source += "[\\s\\S]*";
    else if (char === "?") source += "[\\s\\S]";
    else source += char.replace(REGEXP_SPECIAL, "\\$&");
  }
  return new RegExp(`^${source}$`, flags);
}

/**
 * Finding the file a policy specifier names, the way Node's ESM loader would
 * from the project (`import` and `node` conditions), with limits:
 *
 * - `./x.js`, `../x.js`: from the project directory, and the real path must
 *   stay inside the project (no `../../elsewhere`, no symlink out).
 * - `/abs/x.js`: only from the user config (a project cannot name files
 *   outside itself).
 * - `name`, `@scope/name`, `@scope/name/sub`: from `node_modules` folders at
 *   and above the base directory, as Node does; the package must be owned by
 *   you (or root) and not writable by others, so a package planted in a
 *   shared parent such as /tmp/node_modules is refused.
 * - URLs (`file:`, `data:`, `https:`, `node:`) are never loaded.
 */

import { lstatSync, readFileSync, realpathSync, type Stats, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { McpwardError } from "@mcpward/core";
import { isInside } from "./config-file.js";
import type { ConfigOrigin } from "./config-rules.js";
import { hashExecutable } from "./content-hash.js";

/** A policy plugin to load, and who asked for it. */
export interface PolicySource {
  specifier: string;
  /** `project` plugins load only once approved; `user` ones are the user's own. */
  origin: ConfigOrigin;
  /** Config file naming it; a user plugin's bare name resolves from that file's directory. */
  file?: string | undefined;
}

/** A plugin's entry file, found and hashed. */
export interface ResolvedPolicy {
  specifier: string;
  origin: ConfigOrigin;
  /** Real path of the module file. */
  path: string;
  /** `sha256:` hash of the module file (its own imports are covered by your lockfile). */
  contentHash: string;
}

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]+:/;
const BARE = /^(@[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*|[a-z0-9][\w.-]*)(\/.*)?$/i;
const CONDITIONS = ["node", "import", "default"];

function fail(specifier: string, problem: string, fix: string): never {
  throw new McpwardError("BAD_CONFIG", `policy "${specifier}" ${problem}; ${fix}`, {
    data: { specifier },
  });
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Picks a target from an `exports` value by condition, in the package's key order. */
function pickTarget(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = pickTarget(item);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (CONDITIONS.includes(key)) {
        const found = pickTarget(inner);
        if (found !== null) return found;
      }
    }
  }
  return null;
}

/** The file a subpath (`.` or `./sub`) of a package maps to, relative to the package. */
function exportTarget(pkg: Record<string, unknown>, subpath: string): string | null {
  const exports = pkg.exports;
  if (exports === undefined) {
    if (subpath !== ".") return subpath;
    // `main` is often written without "./" ("lib/index.js").
    if (typeof pkg.main !== "string" || pkg.main === "") return "./index.js";
    return pkg.main.startsWith("./") ? pkg.main : `./${pkg.main}`;
  }
  const isSubpathMap =
    exports !== null &&
    typeof exports === "object" &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((key) => key.startsWith("."));
  if (!isSubpathMap) return subpath === "." ? pickTarget(exports) : null;
  const map = exports as Record<string, unknown>;
  if (Object.hasOwn(map, subpath)) return pickTarget(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf("*");
    if (star === -1) continue;
    const [head, tail] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(head) && subpath.endsWith(tail) && subpath.length >= key.length - 1) {
      const middle = subpath.slice(head.length, subpath.length - tail.length);
      return pickTarget(value)?.replaceAll("*", middle) ?? null;
    }
  }
  return null;
}

function checkOwned(specifier: string, path: string): void {
  const stat = lstatSync(path);
  const me = typeof process.getuid === "function" ? process.getuid() : undefined;
  if ((me !== undefined && stat.uid !== me && stat.uid !== 0) || (stat.mode & 0o002) !== 0) {
    fail(
      specifier,
      `resolves to ${path}, which is not yours or is writable by anyone`,
      "install the plugin in a directory you own",
    );
  }
}

function resolveBare(specifier: string, base: string): string {
  const match = BARE.exec(specifier);
  if (match === null) fail(specifier, "is not a valid package name", "check the spelling");
  const name = match[1]!;
  const subpath = match[2] === undefined ? "." : `.${match[2]}`;
  for (let dir = base; ; dir = dirname(dir)) {
    const pkgDir = join(dir, "node_modules", name);
    const manifest = join(pkgDir, "package.json");
    if (statOrNull(manifest)?.isFile()) {
      let pkg: Record<string, unknown>;
      try {
        pkg = JSON.parse(readFileSync(manifest, "utf8").slice(0, 1024 * 1024));
      } catch (error) {
        throw new McpwardError(
          "BAD_CONFIG",
          `${manifest} is not valid JSON; reinstall the plugin`,
          {
            cause: error,
          },
        );
      }
      const target = exportTarget(pkg, subpath);
      if (target === null || !target.startsWith("./")) {
        fail(specifier, `is not exported by ${manifest}`, "check the package's exports");
      }
      const file = resolve(pkgDir, target);
      if (!isInside(pkgDir, file)) fail(specifier, "points outside its package", "reinstall it");
      const realDir = realpathSync(pkgDir);
      checkOwned(specifier, realDir);
      return file;
    }
    if (dirname(dir) === dir) break;
  }
  return fail(
    specifier,
    `was not found in node_modules at or above ${base}`,
    "install it in the project (npm install) or fix the name",
  );
}

/**
 * Resolves and hashes a policy specifier.
 *
 * @param projectDir - real path of the project
 * @throws McpwardError `BAD_CONFIG` when the specifier is a URL, leaves the
 *   project, is not installed, or is not a readable file
 */
export async function resolvePolicy(
  projectDir: string,
  source: PolicySource,
): Promise<ResolvedPolicy> {
  const { specifier, origin } = source;
  if (URL_SCHEME.test(specifier) && !/^[A-Za-z]:[\\/]/.test(specifier)) {
    fail(specifier, "is a URL", "name a package or a ./relative file; URLs are never loaded");
  }
  let file: string;
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    file = resolve(projectDir, specifier);
  } else if (isAbsolute(specifier)) {
    if (origin === "project") {
      fail(
        specifier,
        "is an absolute path in the project config",
        "use a ./path inside the project or an installed package",
      );
    }
    file = specifier;
  } else {
    const base = origin === "user" && source.file !== undefined ? dirname(source.file) : projectDir;
    file = resolveBare(specifier, base);
  }
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return fail(specifier, `resolves to ${file}, which does not exist`, "check the path");
  }
  if (origin === "project" && !isBareName(specifier) && !isInside(projectDir, real)) {
    fail(
      specifier,
      "resolves outside the project",
      "keep project plugins inside the project or install them as packages",
    );
  }
  if (!statOrNull(real)?.isFile()) fail(specifier, "is not a file", "name the module file itself");
  checkOwned(specifier, real);
  return { specifier, origin, path: real, contentHash: await hashExecutable([real]) };
}

function isBareName(specifier: string): boolean {
  return !specifier.startsWith(".") && !isAbsolute(specifier);
}

/**
 * Reading one config file safely: a size cap, UTF-8 only, JSON errors with
 * line and column, a depth cap, prototype keys refused, then the schema.
 */

import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  type Stats,
} from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { isPrototypeKey, type McpwardError } from "@mcpward/core";
import * as v from "valibot";
import {
  type ConfigKind,
  configError,
  issuesToError,
  type JsonPath,
  trustClaimError,
} from "./config-error.js";
import {
  type ProjectConfig,
  ProjectConfigSchema,
  type UserConfig,
  UserConfigSchema,
} from "./config-schema.js";

/** Largest config file read; a config is a few KiB, more is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Deepest nesting allowed; the deepest valid key is 6 levels down. */
export const MAX_CONFIG_DEPTH = 16;

/** A config file after validation. */
export interface ConfigFile<T> {
  /** Absolute path of the file as named (not its symlink target). */
  file: string;
  config: T;
  /** File mode bits, for the readability warning. */
  mode: number;
}

/** True when `child` is `parent` or inside it (separator-aware: `/p-evil` is not in `/p`). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw configError(path, null, "cannot be read", "check its permissions", error);
  }
}

/**
 * Where to read from: the file itself, or, for a symlink, its target. A
 * project config that links out of the project is refused (a repository
 * could otherwise point mcpward at a file it does not contain); the user
 * config may be a link (dotfile managers use them) but the file it reaches
 * must be yours and not writable by others, since it can loosen rules.
 */
function target(file: string, kind: ConfigKind, projectDir: string | undefined): string {
  const link = lstatOrNull(file);
  if (link === null || !link.isSymbolicLink()) return file;
  let real: string;
  try {
    real = realpathSync(file);
  } catch (error) {
    throw configError(file, null, "is a broken symbolic link", "fix or remove the link", error);
  }
  if (kind === "project" && projectDir !== undefined && !isInside(projectDir, real)) {
    throw configError(
      file,
      null,
      "is a symbolic link to a file outside the project",
      "replace it with a regular file inside the project",
    );
  }
  return real;
}

function checkOwner(file: string, stat: Stats): void {
  const me = typeof process.getuid === "function" ? process.getuid() : undefined;
  if (me !== undefined && stat.uid !== me && stat.uid !== 0) {
    throw configError(
      file,
      null,
      `is owned by uid ${stat.uid}, not you`,
      "use a config file you own",
    );
  }
  if ((stat.mode & 0o022) !== 0) {
    throw configError(
      file,
      null,
      "is writable by group or others, who could loosen your rules",
      `run \`chmod go-w ${file}\``,
    );
  }
}

function readCapped(file: string, path: string, kind: ConfigKind): { text: string; stat: Stats } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    throw configError(file, null, "cannot be opened", "check that it is a readable file", error);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw configError(file, null, "is not a regular file", "replace it");
    if (kind === "user") checkOwner(file, stat);
    const tooBig = (): McpwardError =>
      configError(
        file,
        null,
        `is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`,
        "config files are small; check that this is the right file",
      );
    if (stat.size > MAX_CONFIG_BYTES) throw tooBig();
    // Read at most one byte past the cap: the file may grow after fstat.
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_CONFIG_BYTES) throw tooBig();
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(buffer.subarray(0, length));
    } catch (error) {
      throw configError(file, null, "is not valid UTF-8", "save it as UTF-8 JSON", error);
    }
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, stat };
  } finally {
    closeSync(fd);
  }
}

/** Line and column (1-based) of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const lineCol = /line (\d+) column (\d+)/.exec(message);
    const position = /position (\d+)/.exec(message);
    const at = lineCol
      ? { line: Number(lineCol[1]), column: Number(lineCol[2]) }
      : lineAndColumn(text, position ? Number(position[1]) : text.length);
    // Some V8 messages quote the text around the error, which may hold a
    // secret: only the quote-free "Expected …" kind is passed on.
    const expected = /^(Expected [^"]*?) in JSON/.exec(message)?.[1];
    const what = /end of JSON input/.test(message) ? "unexpected end of file" : "invalid JSON";
    const detail = expected === undefined ? "" : ` (${expected.toLowerCase()})`;
    throw configError(
      file,
      null,
      `${what} at line ${at.line} column ${at.column}${detail}`,
      "fix the JSON (no comments or trailing commas)",
    );
  }
}

/** Refuses prototype keys anywhere and nesting deeper than {@link MAX_CONFIG_DEPTH}. */
function checkTree(file: string, node: unknown, path: (string | number)[]): void {
  if (node === null || typeof node !== "object") return;
  if (path.length >= MAX_CONFIG_DEPTH) {
    throw configError(
      file,
      path,
      `is nested deeper than ${MAX_CONFIG_DEPTH} levels`,
      "no valid setting is that deep; check the structure",
    );
  }
  if (Array.isArray(node)) {
    node.forEach((item, index) => {
      checkTree(file, item, [...path, index]);
    });
    return;
  }
  for (const key of Object.keys(node)) {
    if (isPrototypeKey(key)) {
      throw configError(
        file,
        [...path, key],
        `"${key}" is reserved (it could change how every object behaves) and cannot be a name`,
        "rename it",
      );
    }
    checkTree(file, (node as Record<string, unknown>)[key], [...path, key]);
  }
}

/**
 * Project roots must stay inside the project: a repository must not widen
 * what tools may touch. Relative roots are taken from the project directory.
 */
function checkProjectRoots(file: string, config: ProjectConfig, projectDir: string): void {
  const check = (roots: readonly string[] | undefined, path: JsonPath): void => {
    roots?.forEach((root, index) => {
      const absolute = resolve(projectDir, root);
      let real = absolute;
      try {
        real = realpathSync(absolute);
      } catch {
        // not there yet: judged by its name
      }
      if (!isInside(projectDir, absolute) || !isInside(projectDir, real)) {
        throw configError(
          file,
          [...path, index],
          "a project config can only name roots inside the project",
          "use a directory inside the project, or add wider roots to your user config",
        );
      }
    });
  };
  const servers = (list: ProjectConfig["servers"], base: JsonPath): void => {
    for (const [name, server] of Object.entries(list ?? {})) {
      check(server.roots, [...base, name, "roots"]);
    }
  };
  check(config.roots, ["roots"]);
  servers(config.servers, ["servers"]);
  for (const [name, profile] of Object.entries(config.profiles ?? {})) {
    check(profile.roots, ["profiles", name, "roots"]);
    servers(profile.servers, ["profiles", name, "servers"]);
  }
}

/**
 * Reads and validates one config file.
 *
 * @param projectDir - real path of the project (for a project config)
 * @returns null when the file does not exist
 * @throws McpwardError `BAD_CONFIG` naming the file, the JSON path and the fix
 */
export function readConfigFile(
  file: string,
  kind: "project",
  projectDir: string,
): ConfigFile<ProjectConfig> | null;
export function readConfigFile(file: string, kind: "user"): ConfigFile<UserConfig> | null;
export function readConfigFile(
  file: string,
  kind: ConfigKind,
  projectDir?: string,
): ConfigFile<ProjectConfig | UserConfig> | null {
  if (lstatOrNull(file) === null) return null;
  const path = target(file, kind, projectDir);
  const { text, stat } = readCapped(file, path, kind);
  const data = parseJson(file, text);
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw configError(file, null, "must hold a JSON object", 'start from {"servers": {}}');
  }
  checkTree(file, data, []);
  const claim = trustClaimError(kind, file, data);
  if (claim !== null) throw claim;
  const result = v.safeParse(kind === "user" ? UserConfigSchema : ProjectConfigSchema, data, {
    abortEarly: false,
  });
  if (!result.success) throw issuesToError(kind, file, result.issues);
  if (kind === "project" && projectDir !== undefined) {
    checkProjectRoots(file, result.output, projectDir);
  }
  return { file, config: result.output, mode: stat.mode & 0o777 };
}

/**
 * Env files an interpreter loads itself (`node --env-file=x.env`,
 * `--env-file-if-exists`, `bun --env-file`, `deno run --env-file=x.env`):
 * Node applies NODE_OPTIONS from such a file, so every variable in it gets
 * the blocked-environment check that variables given after `--` get. A file
 * that cannot be read, is not a regular file or is too large is refused:
 * what mcpward cannot read, it cannot vouch for.
 */

import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { resolve } from "node:path";
import { commandName } from "./command-name.js";
import { blockedEnvDecision } from "./env-rules.js";
import { type EnvFileArgument, isKnownInterpreter } from "./interpreter-args.js";
import type { Decision } from "./policy.js";
import { envFileArguments } from "./script-argument.js";

/** Largest env file read: an env file is a few lines; anything larger is refused. */
export const MAX_ENV_FILE_BYTES = 64 * 1024;

/** An env file as the server would load it, from the command itself or a later interpreter. */
interface FoundEnvFile extends EnvFileArgument {
  /** True when named for an interpreter later in the arguments (`env node --env-file=…`). */
  nested: boolean;
}

/**
 * The env files a command line loads: first as the command itself (or its
 * resolved executable) reads its arguments, then for any interpreter named
 * later in them (`env node --env-file=x.env`, `timeout 5 node …`).
 */
export function findEnvFiles(
  command: string,
  args: readonly string[],
  executable: string | null = null,
): FoundEnvFile[] {
  const found: FoundEnvFile[] = [];
  const seen = new Set<string>();
  const add = (files: EnvFileArgument[], nested: boolean): void => {
    for (const file of files) {
      const key = `${file.path}\0${file.optional}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ ...file, nested });
    }
  };
  for (const program of executable === null ? [command] : [command, executable]) {
    add(envFileArguments(program, args), false);
  }
  for (let i = 0; i < args.length; i++) {
    if (!isKnownInterpreter(commandName(args[i]!))) continue;
    add(envFileArguments(args[i]!, args.slice(i + 1)), true);
  }
  return found;
}

/**
 * Variable names in an env file, read the way Node's `--env-file` parser
 * reads them, erring towards more names: `NAME=value` lines, an optional
 * `export ` prefix, `#` comment lines and blank lines skipped. Every line is
 * looked at, also lines inside a quoted multi-line value, and `NAME: value`
 * counts too (older dotenv syntax), so no name the runtime sees is missed.
 */
export function envFileNames(text: string): string[] {
  const names = new Set<string>();
  const content = text.startsWith("\uFEFF") ? text.slice(1) : text;
  for (const raw of content.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const body = line.replace(/^export\s+/, "");
    for (const separator of ["=", ":"]) {
      const at = body.indexOf(separator);
      if (at <= 0) continue;
      const name = body.slice(0, at).trim();
      if (name !== "") names.add(name);
    }
  }
  return [...names];
}

type ReadResult = { text: string } | { missing: true } | { problem: string };

/**
 * Reads an env file without following it anywhere slow: opened non-blocking
 * (a FIFO never hangs the check), a regular file only, at most
 * {@link MAX_ENV_FILE_BYTES}.
 */
function readEnvFile(path: string): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    if (code === "ENOENT" || code === "ENOTDIR") return { missing: true };
    return { problem: `cannot be read (${code})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { problem: "is not a regular file" };
    if (stats.size > MAX_ENV_FILE_BYTES) {
      return { problem: `is larger than ${MAX_ENV_FILE_BYTES / 1024} KiB` };
    }
    const buffer = Buffer.alloc(MAX_ENV_FILE_BYTES + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_ENV_FILE_BYTES) {
        return { problem: `is larger than ${MAX_ENV_FILE_BYTES / 1024} KiB` };
      }
    }
    return { text: buffer.subarray(0, total).toString("utf8") };
  } catch (error) {
    return { problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})` };
  } finally {
    closeSync(fd);
  }
}

/** Options of {@link checkEnvFiles}. */
export interface EnvFileCheckOptions {
  /** The server's working directory (the project directory): relative env files resolve against it. */
  cwd: string;
  /** The resolved real path of the command, when known. */
  executable?: string | null | undefined;
}

/**
 * The env-file rules for one server start: every env file the command line
 * loads before its script (`--env-file=x.env`, `--env-file x.env`,
 * `--env-file-if-exists`; node, tsx, ts-node, bun, deno, uv) is read and its
 * variable names get the blocked-environment check. Values are never shown.
 *
 * @returns a `deny` per blocked name (rule `env.blocked`, origin
 *   `in --env-file <path>`) and per file that cannot be read, is not a regular
 *   file or is larger than 64 KiB (rule `env.file-unreadable`); a missing
 *   `--env-file-if-exists` file is no objection. Empty when nothing objects.
 */
export function checkEnvFiles(
  command: string,
  args: readonly string[],
  options: EnvFileCheckOptions,
): Decision[] {
  const decisions: Decision[] = [];
  for (const file of findEnvFiles(command, args, options.executable ?? null)) {
    const path = resolve(options.cwd, file.path);
    const read = readEnvFile(path);
    if ("missing" in read) {
      // A missing optional file loads nothing; an interpreter further along
      // may well run elsewhere (`docker run img node --env-file=/app/.env`).
      if (file.optional || file.nested) continue;
      decisions.push({
        action: "deny",
        reason: `env file ${path} (--env-file) does not exist; mcpward cannot check what it would set`,
        rule: "env.file-unreadable",
      });
      continue;
    }
    if ("problem" in read) {
      decisions.push({
        action: "deny",
        reason: `env file ${path} (--env-file) ${read.problem}; mcpward cannot check what it would set`,
        rule: "env.file-unreadable",
      });
      continue;
    }
    for (const name of envFileNames(read.text)) {
      const blocked = blockedEnvDecision(name, `in --env-file ${path}`);
      if (blocked !== null) decisions.push(blocked);
    }
  }
  return decisions;
}

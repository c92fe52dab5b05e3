/**
 * The script file an interpreter command line runs (`node server.js`,
 * `uv run server.py`, `bash start.sh`): it gets the same file checks as an
 * executable, because it is what really runs.
 */

import { commandName } from "./command-name.js";
import { type EnvFileArgument, readInterpreterArgs } from "./interpreter-args.js";

/** Interpreters whose script argument mcpward checks. */
const SCRIPT_RUNNERS: ReadonlySet<string> = new Set([
  "node",
  "tsx",
  "ts-node",
  "bun",
  "deno",
  "python",
  "uv",
  "ruby",
  "perl",
  "php",
  "sh",
  "bash",
  "dash",
  "zsh",
  "ksh",
]);

/**
 * The script path an interpreter command would run, as written on the
 * command line (relative paths are relative to the server's working
 * directory), or null: not an interpreter, a module (`python -m`), inline
 * code (`bash -c`), stdin, a package runner (`uvx`, `bun x`) or no script.
 *
 * @param command - the command as given, or its resolved path
 */
export function scriptArgument(command: string, args: readonly string[]): string | null {
  if (!SCRIPT_RUNNERS.has(commandName(command))) return null;
  const { inline, script } = readInterpreterArgs(command, args);
  return inline === null && script !== null && script !== "" ? script : null;
}

/**
 * Files the interpreter loads before the script (`node -r ./setup.js`,
 * `--import`, `--loader`, `bun --preload`), as written on the command line:
 * they get the script's checks, since they run just as surely.
 *
 * @param command - the command as given, or its resolved path
 */
export function preloadedModules(command: string, args: readonly string[]): string[] {
  if (!SCRIPT_RUNNERS.has(commandName(command))) return [];
  return readInterpreterArgs(command, args).modules;
}

/**
 * Env files the interpreter loads before the script (`node --env-file=x.env`,
 * `--env-file-if-exists`, `bun --env-file`, `deno run --env-file=x.env`), as
 * written on the command line. An `--env-file` after the script is the
 * script's argument, not the interpreter's, and is not listed.
 *
 * @param command - the command as given, or its resolved path
 */
export function envFileArguments(command: string, args: readonly string[]): EnvFileArgument[] {
  if (!SCRIPT_RUNNERS.has(commandName(command))) return [];
  return readInterpreterArgs(command, args).envFiles;
}

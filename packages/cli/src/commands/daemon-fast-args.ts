import type { ParsedArgv } from "../argv.js";

type CommandArgv = Extract<ParsedArgv, { kind: "command" }>;

/** The `daemon` subcommands the fast path runs without yargs. */
export type FastDaemonCommand = "status" | "stop" | "clean";

/** A `daemon` command line the fast path can run as yargs would. */
export interface FastDaemonArgs {
  subcommand: FastDaemonCommand;
  /** The flags given, as yargs would set them (`{ all: true }`). */
  flags: Readonly<Record<string, true>>;
}

const SUBCOMMANDS: ReadonlySet<string> = new Set<FastDaemonCommand>(["status", "stop", "clean"]);

/**
 * Flags each fast subcommand accepts, as yargs defines them (daemon-command.ts
 * `all()`, program.ts `globalOptions()`): all boolean, none with an alias.
 */
const FLAGS: ReadonlyMap<string, string> = new Map([
  ["--all", "all"],
  ["--json", "json"],
  ["--quiet", "quiet"],
  ["--debug", "debug"],
]);

/**
 * Recognises the plain forms of `daemon status|stop|clean` (the command word,
 * then the subcommand, then any of `--all`, `--json`, `--quiet`, `--debug`,
 * each at most once), which yargs would parse to the same flags. Anything
 * else (help, `--no-…`, `--flag=value`, a repeated or unknown flag, a stray
 * word, another subcommand) returns undefined and goes to yargs, so its
 * output and errors stay yargs'.
 *
 * @returns the subcommand and flags, or undefined to defer to yargs
 */
export function fastDaemonArgs(parsed: CommandArgv): FastDaemonArgs | undefined {
  if (parsed.command !== "daemon" || parsed.options.help) return undefined;
  const args = parsed.args.slice(parsed.args.indexOf("daemon") + 1);
  const subcommand = args[0];
  if (subcommand === undefined || !SUBCOMMANDS.has(subcommand)) return undefined;
  const flags: Record<string, true> = {};
  for (const token of args.slice(1)) {
    const name = FLAGS.get(token);
    if (name === undefined || flags[name] === true) return undefined;
    flags[name] = true;
  }
  return { subcommand: subcommand as FastDaemonCommand, flags };
}

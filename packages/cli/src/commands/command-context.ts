import { requestedProfile } from "@mcpward/core/light";
import type { GlobalOptions } from "../argv.js";
import { createDebugLog, type DebugLog } from "../debug-log.js";
import { parseSetting, type Settings } from "../settings.js";

/** Options parsed after the command word, by name (yargs' `argv`, or the fast path's). */
export type ParsedOptions = Readonly<Record<string, unknown>>;

/** What every command handler gets: parsed options, the server, helpers. */
export interface CommandContext {
  json: boolean;
  quiet: boolean;
  all: boolean;
  settings: Settings;
  /** Tokens after `--`, if any. */
  serverTokens: string[] | undefined;
  /** The profile of the call (`--profile`, else MCPWARD_PROFILE): part of a daemon's id. */
  profile: string | undefined;
  /** `-s <name>` (before the command, or `--server` after `policy trust|revoke`). */
  serverName: string | undefined;
  debug: DebugLog;
}

function flag(argv: ParsedOptions, name: string): boolean {
  return argv[name] === true;
}

/**
 * Merges the options given before the command word (already parsed on the
 * warm path) with those parsed after it (by yargs or by the daemon fast path).
 *
 * @throws McpwardError `USAGE` for a bad timeout value
 */
export function commandContext(
  argv: ParsedOptions,
  before: GlobalOptions,
  serverTokens: string[] | undefined,
): CommandContext {
  const settings: Settings = { ...before.settings };
  for (const [key, option] of [
    ["idleTimeout", "idle-timeout"],
    ["toolTimeout", "tool-timeout"],
    ["startupTimeout", "startup-timeout"],
  ] as const) {
    const raw = argv[option];
    if (typeof raw === "string" || typeof raw === "number") {
      settings[key] = parseSetting(key, String(raw));
    }
  }
  return {
    json: before.json || flag(argv, "json"),
    quiet: before.quiet || flag(argv, "quiet"),
    all: flag(argv, "all"),
    settings,
    serverTokens,
    profile: requestedProfile(before.profile, process.env),
    serverName: before.server ?? (typeof argv.server === "string" ? argv.server : undefined),
    debug: createDebugLog(before.debug || flag(argv, "debug")),
  };
}

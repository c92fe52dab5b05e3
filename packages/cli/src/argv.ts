import { McpwardError } from "@mcpward/core/light";
import { didYouMean } from "./did-you-mean.js";
import { parseSetting, type SettingName, type Settings } from "./settings.js";

/** mcpward's own options, given before the tool name. */
export interface GlobalOptions {
  raw: boolean;
  json: boolean;
  verbose: boolean;
  debug: boolean;
  quiet: boolean;
  yes: boolean;
  help: boolean;
  version: boolean;
  settings: Settings;
  /** `-s <name>` / `--server <name>`: a named server from config instead of `-- <server>`. */
  server?: string;
  /** `--profile <name>`: the config profile (else MCPWARD_PROFILE). */
  profile?: string;
}

/** First words that name mcpward's own commands rather than a tool. */
export const RESERVED_COMMANDS: readonly string[] = ["daemon", "completion", "audit", "policy"];

/** `mcpward -s <name> policy trust|revoke`: the policy commands that take a config server's name. */
const NAMED_POLICY_COMMANDS: readonly string[] = ["trust", "revoke"];

/** The key yargs' completion scripts call mcpward with. */
export const COMPLETION_FLAG = "--get-yargs-completions";

/** What the command line asks for. */
export type ParsedArgv =
  | { kind: "version"; options: GlobalOptions }
  /** `mcpward --help`: usage, no server. */
  | { kind: "usage"; options: GlobalOptions }
  /** `mcpward --help -- <server>`: usage and the server's tool list. */
  | { kind: "server-help"; options: GlobalOptions; serverTokens: string[] }
  /** `mcpward <tool> [flags] -- <server>`, or the tool's help. */
  | {
      kind: "tool";
      options: GlobalOptions;
      tool: string;
      toolTokens: string[];
      help: boolean;
      serverTokens: string[];
    }
  /** `mcpward daemon …`, `mcpward completion …`: handled by yargs. */
  | {
      kind: "command";
      options: GlobalOptions;
      command: string;
      /** Everything before `--`, as given (yargs parses it). */
      args: string[];
      serverTokens: string[] | undefined;
    };

type Flag = Exclude<keyof GlobalOptions, "settings" | "server" | "profile">;

const FLAGS: ReadonlyMap<string, Flag> = new Map<string, Flag>([
  ["--raw", "raw"],
  ["--json", "json"],
  ["--verbose", "verbose"],
  ["--debug", "debug"],
  ["--quiet", "quiet"],
  ["--yes", "yes"],
  ["--help", "help"],
  ["-h", "help"],
  ["--version", "version"],
  ["-V", "version"],
]);

const VALUE_OPTIONS: ReadonlyMap<string, SettingName> = new Map<string, SettingName>([
  ["--idle-timeout", "idleTimeout"],
  ["--tool-timeout", "toolTimeout"],
  ["--startup-timeout", "startupTimeout"],
]);

/** Options that take a name. */
const NAME_OPTIONS: ReadonlyMap<string, "server" | "profile"> = new Map<
  string,
  "server" | "profile"
>([
  ["-s", "server"],
  ["--server", "server"],
  ["--profile", "profile"],
]);

const ALL_OPTIONS = [...FLAGS.keys(), ...VALUE_OPTIONS.keys(), ...NAME_OPTIONS.keys()].filter((o) =>
  o.startsWith("--"),
);

function usageError(message: string, data: Record<string, unknown> = {}): McpwardError {
  return new McpwardError("USAGE", message, { data });
}

function unknownOption(token: string): McpwardError {
  const name = token.startsWith("--") ? token.split("=")[0]! : token;
  const suggestions = didYouMean(name, ALL_OPTIONS);
  const hint =
    suggestions.length > 0
      ? `did you mean ${suggestions.join(" or ")}? `
      : "mcpward's own options come first, then the tool name, then the tool's flags; ";
  return usageError(`unknown option ${JSON.stringify(name)}; ${hint}see mcpward --help`, {
    flag: name,
    suggestions,
  });
}

function emptyOptions(): GlobalOptions {
  return {
    raw: false,
    json: false,
    verbose: false,
    debug: false,
    quiet: false,
    yes: false,
    help: false,
    version: false,
    settings: {},
  };
}

/**
 * Reads mcpward's global options from the front of `argv`; stops at the
 * first word that is not one (the tool or command name) or at `--`.
 *
 * @returns the options and the index of the first token not consumed
 * @throws McpwardError `USAGE` for an unknown option (with a did-you-mean),
 *   a missing or bad value, or a value given to a flag.
 */
export function parseGlobalOptions(argv: readonly string[]): {
  options: GlobalOptions;
  next: number;
} {
  const options = emptyOptions();
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--" || !token.startsWith("-") || token === "-") break;
    const eq = token.startsWith("--") ? token.indexOf("=") : -1;
    const name = eq === -1 ? token : token.slice(0, eq);
    const inline = eq === -1 ? undefined : token.slice(eq + 1);
    const flag = FLAGS.get(name);
    if (flag !== undefined) {
      if (inline !== undefined) throw usageError(`${name} takes no value`, { flag: name });
      options[flag] = true;
      continue;
    }
    const named = NAME_OPTIONS.get(name);
    if (named !== undefined) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "" || value.startsWith("-")) {
        throw usageError(`${name} needs a value: ${name} <name>`, { flag: name });
      }
      options[named] = value;
      continue;
    }
    const setting = VALUE_OPTIONS.get(name);
    if (setting === undefined) throw unknownOption(token);
    const value = inline ?? argv[++i];
    if (value === undefined) {
      throw usageError(`${name} needs a value: ${name} <seconds>`, { flag: name });
    }
    options.settings[setting] = parseSetting(setting, value);
  }
  return { options, next: i };
}

/**
 * True when `--json` appears among the global options, even if parsing them
 * failed later: errors about the command line itself follow `--json` too.
 */
export function wantsJsonErrors(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--" || !token.startsWith("-")) return false;
    if (token === "--json") return true;
    if (VALUE_OPTIONS.has(token) || NAME_OPTIONS.has(token)) i++;
  }
  return false;
}

/**
 * Routes a command line: global options, then a tool name (or a reserved
 * command word), then the tool's tokens up to the first `--`, then the
 * server. `--help`/`-h` among the tool's tokens asks for the tool's help.
 *
 * @throws McpwardError `USAGE` for grammar mistakes, each naming the fix.
 */
export function parseArgv(argv: readonly string[]): ParsedArgv {
  const { options, next } = parseGlobalOptions(argv);
  if (options.version) return { kind: "version", options };
  const word = argv[next];
  if (options.server !== undefined) return parseNamed(argv, next, options, options.server);
  if (word === undefined) {
    if (options.help) return { kind: "usage", options };
    throw usageError(
      "no tool given; usage: mcpward [options] <tool> [tool flags] -- <server command> (see mcpward --help)",
    );
  }
  if (word === "--") {
    const serverTokens = argv.slice(next + 1);
    if (options.help) return { kind: "server-help", options, serverTokens };
    throw usageError(
      "no tool given before --; list the server's tools with: mcpward --help -- <server command>",
    );
  }
  const rest = argv.slice(next + 1);
  const dashes = rest.indexOf("--");
  const serverTokens = dashes === -1 ? undefined : rest.slice(dashes + 1);
  if (RESERVED_COMMANDS.includes(word)) {
    const args = dashes === -1 ? [...argv] : argv.slice(0, next + 1 + dashes);
    return { kind: "command", options, command: word, args, serverTokens };
  }
  const tokens = dashes === -1 ? rest : rest.slice(0, dashes);
  const toolTokens = tokens.filter((t) => t !== "--help" && t !== "-h");
  const help = options.help || toolTokens.length !== tokens.length;
  if (serverTokens === undefined) {
    throw usageError(
      `no server given for ${JSON.stringify(word)}; put the server command after --, e.g. mcpward ${word} … -- node server.mjs`,
    );
  }
  return { kind: "tool", options, tool: word, toolTokens, help, serverTokens };
}

/** `mcpward -s <name> [<tool> [tool flags]]`: the server comes from config, never after `--`. */
function parseNamed(
  argv: readonly string[],
  next: number,
  options: GlobalOptions,
  server: string,
): ParsedArgv {
  const word = argv[next];
  if (argv.slice(next).includes("--")) {
    throw usageError(
      `-s ${server} names the server; do not also give one after --. Use either mcpward -s ${server} <tool> … or mcpward <tool> … -- <server command>`,
    );
  }
  if (word === undefined) {
    if (options.help) return { kind: "server-help", options, serverTokens: [] };
    throw usageError(`no tool given; list the tools with: mcpward -s ${server} --help`);
  }
  // Approving or revoking a config server takes its name.
  if (word === "policy" && NAMED_POLICY_COMMANDS.includes(argv[next + 1] ?? "")) {
    return { kind: "command", options, command: word, args: [...argv], serverTokens: undefined };
  }
  if (RESERVED_COMMANDS.includes(word)) {
    throw usageError(
      `-s is not supported with mcpward ${word}${word === "policy" ? " check" : ""}; give the server after --, e.g. mcpward ${word} … -- <server command>`,
    );
  }
  const tokens = argv.slice(next + 1);
  const toolTokens = tokens.filter((t) => t !== "--help" && t !== "-h");
  const help = options.help || toolTokens.length !== tokens.length;
  return { kind: "tool", options, tool: word, toolTokens, help, serverTokens: [] };
}

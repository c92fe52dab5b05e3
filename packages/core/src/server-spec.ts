import { McpwardError } from "./errors.js";
import { redactSecrets } from "./redact.js";

/** A server as given after `--`: explicit env, the command and its args. */
export interface ServerSpec {
  /** Variables given as leading `KEY=VALUE` tokens (null-prototype object). */
  env: Record<string, string>;
  /** The executable: a bare name (looked up on PATH) or a path. */
  command: string;
  /** Arguments, in order. */
  args: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// `=value` counts too (an empty name, reported as a bad env token rather than
// run as a command named "=value").
const ENV_TOKEN = /^(?:=|[^=/\\\s.-][^=/\\]*=)/;
/** Caps that keep one spec small enough for argv, frames and logs. */
const MAX_TOKENS = 4096;
const MAX_TOKEN_BYTES = 128 * 1024;

function quote(token: string): string {
  const shown = token.length > 60 ? `${token.slice(0, 57)}...` : token;
  return JSON.stringify(shown);
}

/** `NAME=…`: an env token as shown in errors; its value may be a secret. */
function quoteEnvToken(name: string): string {
  return quote(`${name}=…`);
}

/**
 * Parses the tokens after `--` into a {@link ServerSpec}. Leading tokens that
 * look like `NAME=value` are environment variables; the first other token is
 * the command. Values may contain `=`.
 *
 * @throws McpwardError `BAD_SERVER_SPEC` when no command is given, or
 *   `BAD_ENV_TOKEN` when a leading `NAME=value` token has an invalid name or a
 *   NUL byte. Every message quotes the bad token and says how to fix it.
 */
export function parseServerSpec(tokens: readonly string[]): ServerSpec {
  if (tokens.length > MAX_TOKENS) {
    throw new McpwardError(
      "BAD_SERVER_SPEC",
      `too many server tokens (${tokens.length}, max ${MAX_TOKENS}); pass long inputs through a file`,
    );
  }
  // Every token is checked, not only the env part: args end up in argv, frames
  // and logs as much as the command does.
  for (const token of tokens) {
    if (typeof token !== "string") {
      throw new McpwardError("BAD_SERVER_SPEC", "server tokens must be strings");
    }
    if (Buffer.byteLength(token) > MAX_TOKEN_BYTES) {
      const shown = ENV_TOKEN.test(token)
        ? quoteEnvToken(token.slice(0, token.indexOf("=")))
        : quote(token);
      throw new McpwardError(
        "BAD_SERVER_SPEC",
        `server token ${shown} is larger than ${MAX_TOKEN_BYTES} bytes; pass it through a file`,
      );
    }
  }
  const env: Record<string, string> = Object.create(null);
  let index = 0;
  for (; index < tokens.length; index++) {
    const token = tokens[index]!;
    // A token is an env assignment when its first `=` comes before any path
    // separator and it does not start like a path or an option.
    if (!ENV_TOKEN.test(token)) break;
    const eq = token.indexOf("=");
    const name = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (!ENV_NAME.test(name)) {
      throw new McpwardError(
        "BAD_ENV_TOKEN",
        `invalid environment variable name in ${quoteEnvToken(name)}: names use letters, digits and _ and do not start with a digit (e.g. API_TOKEN=value)`,
        { data: { token: name } },
      );
    }
    if (value.includes("\0")) {
      throw new McpwardError(
        "BAD_ENV_TOKEN",
        `environment variable ${name} contains a NUL byte; remove it from the value`,
        { data: { token: name } },
      );
    }
    if (Object.hasOwn(env, name)) {
      throw new McpwardError(
        "BAD_ENV_TOKEN",
        `environment variable ${name} is given twice after --; give it once`,
        { data: { token: name } },
      );
    }
    env[name] = value;
  }
  const command = tokens[index];
  if (command === undefined || command === "") {
    throw new McpwardError(
      "BAD_SERVER_SPEC",
      "no server command after --; add one, e.g. `-- node server.js` or `-- npx -y @modelcontextprotocol/server-everything`",
    );
  }
  const rest = tokens.slice(index + 1);
  for (const token of [command, ...rest]) {
    if (token.includes("\0")) {
      throw new McpwardError(
        "BAD_SERVER_SPEC",
        `server token ${quote(redactSecrets(token.replaceAll("\0", "\\0")))} contains a NUL byte; remove it`,
      );
    }
  }
  return { env, command, args: rest };
}

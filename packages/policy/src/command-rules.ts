/**
 * Rules on the server command line: no shell syntax in the command (there
 * is no shell to interpret it, so it is either a mistake or an attempt to
 * smuggle one in), and code given on the command line (`bash -c`, `node -e`)
 * needs the user's approval.
 */

import { commandName } from "./command-name.js";
import { isKnownInterpreter, readInterpreterArgs } from "./interpreter-args.js";
import type { Decision } from "./policy.js";

/**
 * Shell metacharacters, quotes, backslash and control characters (newline,
 * tab, NUL, ESC …). Spaces are allowed: paths such as `~/My Tools/srv` are real.
 */
const SHELL_METACHARACTERS = /[;|&$`<>(){}*?[\]!~"'\\\u0000-\u001f\u007f]/g;

/** The distinct shell metacharacters in `command`, in order of appearance. */
export function shellMetacharacters(command: string): string[] {
  return [...new Set(command.match(SHELL_METACHARACTERS) ?? [])];
}

/** Where a command line runs inline code: the program and the option (`bash`, `-c`). */
export interface InlineCode {
  program: string;
  option: string;
}

/**
 * Finds code given on the command line: first as the command itself reads
 * its arguments (also under the name of its resolved executable, so a
 * symlink called `server` that points at bash counts as bash), then for any
 * interpreter named later in the arguments (`env bash -c`, `timeout 5 node
 * -e`, `docker run img sh -c`). A false alarm costs a question; a miss
 * costs an unreviewed script.
 */
export function findInlineCode(
  command: string,
  args: readonly string[],
  executable: string | null = null,
): InlineCode | null {
  for (const program of executable === null ? [command] : [command, executable]) {
    const { inline } = readInterpreterArgs(program, args);
    if (inline !== null) return { program: commandName(program), option: inline };
  }
  for (let i = 0; i < args.length; i++) {
    const name = commandName(args[i]!);
    if (!isKnownInterpreter(name)) continue;
    const { inline } = readInterpreterArgs(args[i]!, args.slice(i + 1));
    if (inline !== null) return { program: name, option: inline };
  }
  return null;
}

/**
 * The command rules for one server start.
 *
 * @param command - the command as given
 * @param args - its arguments
 * @param executable - the resolved real path, when known
 * @returns a `deny` (rule `command.shell-metacharacters` or `command.empty`)
 *   and/or an `ask` (rule `command.inline-code`); empty when nothing objects
 */
export function checkCommand(
  command: string,
  args: readonly string[],
  executable: string | null = null,
): Decision[] {
  const decisions: Decision[] = [];
  if (command.trim() === "") {
    decisions.push({
      action: "deny",
      reason: "the server command is empty; give the program to run, e.g. `-- node server.js`",
      rule: "command.empty",
    });
    return decisions;
  }
  const found = shellMetacharacters(command);
  if (found.length > 0) {
    const shown = found.map((char) => JSON.stringify(char)).join(", ");
    decisions.push({
      action: "deny",
      reason: `command ${JSON.stringify(command)} contains shell metacharacters (${shown}); mcpward runs servers without a shell, so give the program alone and its arguments as separate words`,
      rule: "command.shell-metacharacters",
    });
  }
  const inline = findInlineCode(command, args, executable);
  if (inline !== null) {
    decisions.push({
      action: "ask",
      reason: `the server runs code given on its command line (${inline.program} ${inline.option}); read it before approving`,
      rule: "command.inline-code",
    });
  }
  return decisions;
}

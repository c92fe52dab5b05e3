// mcpward's own commands. The common `daemon status|stop|clean` command lines
// run here without yargs (which costs more to load than a whole warm tool
// call); everything else, including help, completion and every error yargs
// would report, goes to program.ts.
import type { ParsedArgv } from "../argv.js";
import { commandContext } from "./command-context.js";
import { daemonClean } from "./daemon-clean.js";
import { fastDaemonArgs } from "./daemon-fast-args.js";
import { daemonStatus } from "./daemon-status.js";
import { daemonStop } from "./daemon-stop.js";

type CommandArgv = Extract<ParsedArgv, { kind: "command" }>;

/**
 * Runs `mcpward daemon …`, `mcpward audit …`, `mcpward policy …` or
 * `mcpward completion …`: the plain forms of `daemon status|stop|clean`
 * directly, the rest with yargs (program.ts), with the same output and exit
 * codes either way.
 *
 * @returns the exit code
 * @throws McpwardError `USAGE` for a command-line mistake
 */
export async function runCommand(parsed: CommandArgv): Promise<number> {
  const fast = fastDaemonArgs(parsed);
  if (fast === undefined) {
    const program = await import("./program.js");
    return program.runCommand(parsed);
  }
  const context = commandContext(fast.flags, parsed.options, parsed.serverTokens);
  switch (fast.subcommand) {
    case "status":
      return daemonStatus(context);
    case "stop":
      return daemonStop(context);
    case "clean":
      return daemonClean(context);
  }
}

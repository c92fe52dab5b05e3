// The warm path: this module and what it imports statically load only Node
// built-ins, @mcpward/core/light and @mcpward/daemon/client. yargs and the
// commands behind it are imported on demand.
import { resolveLimits } from "@mcpward/core/light";
import { type GlobalOptions, parseArgv, wantsJsonErrors } from "./argv.js";
import { createDebugLog } from "./debug-log.js";
import { reportError } from "./report-error.js";
import { runTool } from "./run-tool.js";
import { guardStdio, writeStderr, writeStdout } from "./stdio.js";
import { USAGE } from "./usage.js";

/**
 * Runs mcpward with `argv` (without `node` and the script path). Never
 * rejects and never calls `process.exit` on the normal path: it sets
 * `process.exitCode` and lets pending output drain (DESIGN.md §3 exit codes).
 *
 * @param argv - e.g. `["add", "--a", "2", "--b", "3", "--", "node", "server.mjs"]`
 */
export async function main(argv: readonly string[]): Promise<void> {
  guardStdio();
  let options: Pick<GlobalOptions, "json" | "debug"> = {
    json: wantsJsonErrors(argv),
    debug: false,
  };
  try {
    process.exitCode = await dispatch(argv, (parsed) => {
      options = parsed;
    });
  } catch (error) {
    process.exitCode = reportError(error, options);
  }
}

async function dispatch(
  argv: readonly string[],
  setOptions: (options: GlobalOptions) => void,
): Promise<number> {
  if (argv[0] === "--get-yargs-completions") {
    const { runCompletionRequest } = await import("./commands/program.js");
    return runCompletionRequest(argv);
  }
  const parsed = parseArgv(argv);
  const { options } = parsed;
  setOptions(options);
  const debug = createDebugLog(options.debug);
  debug(`argv parsed: ${parsed.kind}`);
  if (parsed.kind === "version") {
    const { cliVersion } = await import("./version.js");
    await writeStdout(`${cliVersion()}\n`);
    return 0;
  }
  if (parsed.kind === "usage") {
    await writeStdout(USAGE);
    return 0;
  }
  // Invalid MCPWARD_* values are reported (BAD_LIMIT), out-of-range ones
  // warned about: never silently replaced.
  for (const warning of resolveLimits(process.env).warnings) {
    if (!options.quiet) writeStderr(`mcpward: warning: ${warning}\n`);
  }
  switch (parsed.kind) {
    case "command": {
      const { runCommand } = await import("./commands/run-command.js");
      return runCommand(parsed);
    }
    case "server-help":
      return runTool(
        {
          options,
          tool: undefined,
          toolTokens: [],
          help: true,
          serverTokens: parsed.serverTokens,
        },
        debug,
      );
    case "tool":
      return runTool(parsed, debug);
  }
}

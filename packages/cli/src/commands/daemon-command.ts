import type { Arguments, Argv } from "yargs";
import type { CommandContext } from "./command-context.js";
import { daemonClean } from "./daemon-clean.js";
import { daemonLogs } from "./daemon-logs.js";
import { daemonRestart, daemonStart } from "./daemon-start.js";
import { daemonStatus } from "./daemon-status.js";
import { daemonStop } from "./daemon-stop.js";
import { checkSubcommand } from "./subcommand-check.js";

const DAEMON_COMMANDS = ["start", "stop", "restart", "status", "logs", "clean"];
/** Options whose value is the next word. */
const VALUE_OPTIONS = ["--idle-timeout", "--tool-timeout", "--startup-timeout", "--since"];

type Runner = (
  handler: (context: CommandContext, argv: Arguments) => Promise<number>,
) => (argv: Arguments) => Promise<void>;

function all(command: Argv): Argv {
  return command.option("all", {
    type: "boolean",
    describe: "every project's daemons, not only this one's",
  });
}

/** The timeout options, shown in the help of the commands that start daemons. */
function timeoutOptions(command: Argv): Argv {
  const seconds = { type: "string", requiresArg: true } as const;
  return command
    .option("idle-timeout", { ...seconds, describe: "stop the daemon after this long unused (s)" })
    .option("tool-timeout", { ...seconds, describe: "cancel a call that runs longer (s)" })
    .option("startup-timeout", {
      ...seconds,
      describe: "give up on a server that starts slower (s)",
    });
}

/**
 * Registers `daemon start|stop|restart|status|logs|clean` on the `daemon`
 * command; `run` wraps each handler (context, exit code).
 */
export function daemonCommands(daemon: Argv, run: Runner): Argv {
  return daemon
    .usage("usage: mcpward daemon <command> [options] [-- <server>]")
    .command(
      "start",
      "start the daemon of -- <server> and wait until its server is ready",
      (y) => timeoutOptions(y.usage("usage: mcpward daemon start [options] -- <server>")),
      run((c) => daemonStart(c)),
    )
    .command(
      "stop",
      "stop the daemon of -- <server>, or every daemon of this project",
      (y) => all(y.usage("usage: mcpward daemon stop [--all] [-- <server>]")),
      run((c) => daemonStop(c)),
    )
    .command(
      "restart",
      "restart the daemon of -- <server> (without one: stop all, each restarts on its next call)",
      (y) => timeoutOptions(y.usage("usage: mcpward daemon restart [options] [-- <server>]")),
      run((c) => daemonRestart(c)),
    )
    .command(
      "status",
      "show the daemons of this project (--all: every project; --json)",
      (y) => all(y.usage("usage: mcpward daemon status [--all] [--json] [-- <server>]")),
      run((c) => daemonStatus(c)),
    )
    .command(
      "logs",
      "print daemon logs (server stderr and daemon events)",
      (y) =>
        y
          .usage("usage: mcpward daemon logs [--follow] [--since <time>] [-- <server>]")
          .option("follow", {
            alias: "f",
            type: "boolean",
            describe: "keep printing new lines until Ctrl+C",
          })
          .option("since", {
            type: "string",
            requiresArg: true,
            describe: "only lines newer than 10m, 2h, 1d or an ISO time",
          }),
      run((c, argv) =>
        daemonLogs(c, {
          follow: argv.follow === true,
          since: typeof argv.since === "string" ? argv.since : undefined,
        }),
      ),
    )
    .command(
      "clean",
      "remove stale daemons and end the servers they orphaned",
      (y) => all(y.usage("usage: mcpward daemon clean [--all] [-- <server>]")),
      run((c) => daemonClean(c)),
    )
    .demandCommand(1, "name a daemon command: start, stop, restart, status, logs or clean");
}

/**
 * Reports an unknown `daemon` subcommand with a did-you-mean (yargs would
 * only say "Unknown argument").
 */
export function checkDaemonCommand(args: readonly string[]): void {
  checkSubcommand(args, {
    command: "daemon",
    subcommands: DAEMON_COMMANDS,
    valueOptions: VALUE_OPTIONS,
  });
}

import { McpwardError } from "@mcpward/core/light";
import yargs, { type Arguments, type Argv } from "yargs";
import { type GlobalOptions, type ParsedArgv, parseGlobalOptions } from "../argv.js";
import { didYouMean } from "../did-you-mean.js";
import { writeStdout } from "../stdio.js";
import { auditCommands, checkAuditCommand } from "./audit-command.js";
import { type CommandContext, commandContext } from "./command-context.js";
import { checkDaemonCommand, daemonCommands } from "./daemon-command.js";
import { checkPolicyCommand, policyCommands } from "./policy-command.js";
import { toolCompletions } from "./tool-completions.js";

type CommandArgv = Extract<ParsedArgv, { kind: "command" }>;
type CommandHandler = (context: CommandContext, argv: Arguments) => Promise<number>;

const SHELLS = ["bash", "zsh", "fish"];

/**
 * Options every command accepts after its name. (Options before the command
 * word were parsed on the warm path and are not handed to yargs.) While
 * completing, the tool-call options are listed too, for `mcpward --<tab>`.
 */
function globalOptions(program: Argv, completing: boolean): Argv {
  const seconds = { type: "string", requiresArg: true } as const;
  const common = program
    .option("json", {
      type: "boolean",
      global: true,
      describe: "JSON output (errors as one object on stderr)",
    })
    .option("quiet", { type: "boolean", global: true, describe: "no notices or status lines" })
    .option("debug", { type: "boolean", global: true, describe: "mcpward diagnostics on stderr" });
  if (!completing) return common;
  return common
    .option("raw", { type: "boolean" })
    .option("verbose", { type: "boolean" })
    .option("yes", { type: "boolean" })
    .option("version", { type: "boolean" })
    .option("idle-timeout", seconds)
    .option("tool-timeout", seconds)
    .option("startup-timeout", seconds);
}

/**
 * The yargs program of mcpward's own commands. Handlers store their exit
 * code in `state`; yargs' own failures become `USAGE` errors.
 */
function buildProgram(
  args: readonly string[],
  before: GlobalOptions,
  serverTokens: string[] | undefined,
  state: { code: number },
  completing = false,
): Argv {
  const run =
    (handler: CommandHandler) =>
    async (argv: Arguments): Promise<void> => {
      // yargs runs handlers even while answering a completion request
      // (it expects to have exited by then); nothing may run here.
      if (completing) return;
      state.code = await handler(commandContext(argv, before, serverTokens), argv);
    };
  const program = yargs(args)
    .scriptName("mcpward")
    .locale("en")
    .exitProcess(false)
    .version(false)
    .help("help")
    .alias("help", "h")
    .strict(!completing)
    .wrap(Math.min(100, process.stdout.columns ?? 80))
    .usage("usage: mcpward <command> [options] [-- <server>]")
    .fail((message, error) => {
      // A half-typed command line is normal while completing.
      if (completing) return;
      if (error) throw error;
      const text = describeFailure(message ?? "bad command line", args);
      throw new McpwardError("USAGE", `${text} (see ${helpCommand(args)})`);
    });
  return globalOptions(program, completing)
    .command("daemon", "manage the daemons of this project", (daemon) =>
      daemonCommands(daemon, run),
    )
    .command("audit", "show, verify or export this project's audit log", (audit) =>
      auditCommands(audit, run),
    )
    .command("policy", "explain, approve or revoke a server's trust (-- <server>)", (policy) =>
      policyCommands(policy, run),
    )
    .completion(
      "completion",
      "print a shell completion script (bash, zsh; add >> ~/.bashrc)",
      (current, argv, defaults, done) => {
        void current;
        void argv;
        defaults((error, completions) => {
          if (error) return done([]);
          void toolCompletions(args).then((tools) => done([...completions, ...tools]));
        });
      },
    );
}

/** The help a failure points to: that of `daemon`, `audit` or `policy`, else mcpward's. */
function helpCommand(args: readonly string[]): string {
  const word = args[0];
  return word === "daemon" || word === "audit" || word === "policy"
    ? `mcpward ${word} --help`
    : "mcpward --help";
}

/**
 * Runs `mcpward daemon …`, `mcpward audit …`, `mcpward policy …` or
 * `mcpward completion [bash|zsh|fish]` with yargs (loaded only here, never
 * on a tool call).
 *
 * @returns the exit code
 * @throws McpwardError `USAGE` for a command-line mistake
 */
export async function runCommand(parsed: CommandArgv): Promise<number> {
  const state = { code: 0 };
  if (parsed.command === "completion") {
    await printCompletionScript(parsed);
    return 0;
  }
  if (parsed.command === "daemon") checkDaemonCommand(parsed.args);
  if (parsed.command === "audit") checkAuditCommand(parsed.args);
  if (parsed.command === "policy") checkPolicyCommand(parsed.args);

  // From the command word on: the options before it are in parsed.options.
  const args = parsed.args.slice(parsed.args.indexOf(parsed.command));
  await buildProgram(args, parsed.options, parsed.serverTokens, state).parseAsync();
  return state.code;
}

/**
 * yargs' failure message in mcpward's style: lower case, and unknown
 * arguments shown as typed (`--raw`, not `raw`).
 */
function describeFailure(message: string, args: readonly string[]): string {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown) {
    const names = unknown[1]!.split(", ").map((name) => {
      const typed = args.find(
        (a) => a === `--${name}` || a.startsWith(`--${name}=`) || a === `-${name}`,
      );
      return typed === undefined ? JSON.stringify(name) : typed.split("=")[0]!;
    });
    return `unknown ${names.length === 1 ? "argument" : "arguments"} ${names.join(", ")}`;
  }
  const choice = /^Invalid values:\s*Argument: ([\w-]+), Given: (.+?), Choices: (.+)$/s.exec(
    message,
  );
  if (choice) {
    const choices = choice[3]!.split(", ").map((c) => c.replace(/^"|"$/g, ""));
    const given = choice[2]!.replace(/^"|"$/g, "");
    const suggestions = didYouMean(given, choices);
    const hint = suggestions.length > 0 ? `did you mean ${suggestions.join(" or ")}? ` : "";
    return `invalid value ${JSON.stringify(given)} for --${choice[1]}; ${hint}use one of ${choices.join(", ")}`;
  }
  return message.replace(/^[A-Z]/, (c) => c.toLowerCase());
}

/** `mcpward completion [bash|zsh|fish]`: the script for $SHELL or the named shell. */
async function printCompletionScript(parsed: CommandArgv): Promise<void> {
  const after = parsed.args.slice(parsed.args.indexOf("completion") + 1);
  if (after.includes("--help") || after.includes("-h")) {
    await writeStdout(
      "usage: mcpward completion [bash|zsh|fish]\n\nPrints a shell completion script for mcpward (for $SHELL when no shell is named).\n  bash: mcpward completion bash >> ~/.bashrc\n  zsh:  mcpward completion zsh >> ~/.zshrc\n",
    );
    return;
  }
  const extra = after.filter((word) => !SHELLS.includes(word));
  if (extra.length > 0 || after.length > 1 || parsed.serverTokens !== undefined) {
    throw new McpwardError(
      "USAGE",
      `unexpected ${JSON.stringify(extra[0] ?? after[1] ?? "--")}; usage: mcpward completion [bash|zsh|fish]`,
    );
  }
  // yargs picks the script's template from $SHELL.
  if (after[0] !== undefined) process.env.SHELL = `/bin/${after[0]}`;
  buildProgram([], parsed.options, undefined, { code: 0 }).showCompletionScript();
}

/**
 * Answers a completion script's `--get-yargs-completions <words…>` call:
 * mcpward's commands and options, plus the tool names of a running daemon
 * when the words include `-- <server>`.
 *
 * @returns the exit code
 */
export async function runCompletionRequest(argv: readonly string[]): Promise<number> {
  const state = { code: 0 };
  const { options } = parseGlobalOptions([]);
  await buildProgram(argv, options, undefined, state, true).parseAsync();
  return 0;
}

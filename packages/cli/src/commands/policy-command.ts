// Registers `mcpward policy …`. The handlers load @mcpward/policy on demand,
// so `mcpward daemon …` and completion never load it.
import type { Arguments, Argv } from "yargs";
import type { CommandContext } from "./command-context.js";
import { checkSubcommand } from "./subcommand-check.js";

type Runner = (
  handler: (context: CommandContext, argv: Arguments) => Promise<number>,
) => (argv: Arguments) => Promise<void>;

const POLICY_COMMANDS = ["check", "trust", "revoke"];

/** `policy trust|revoke -s <name>`: a server from the config instead of `-- <server>`. */
const SERVER_OPTION = {
  alias: "s",
  type: "string",
  requiresArg: true,
  describe: "a server declared in mcpward.config.json (or your user config), by name",
} as const;

/** `policy trust|revoke --plugin <specifier>`: a policy plugin the project config names. */
const PLUGIN_OPTION = {
  type: "string",
  requiresArg: true,
  describe: "a policy plugin named in mcpward.config.json (as written there, e.g. ./policy.mjs)",
} as const;

/**
 * Registers `policy check|trust|revoke` on the `policy` command; `run` wraps
 * each handler (context, exit code).
 */
export function policyCommands(policy: Argv, run: Runner): Argv {
  return policy
    .usage("usage: mcpward policy check|trust|revoke [--json] -- <server>")
    .command(
      "check",
      "explain the trust level, each rule and the outcome for -- <server>, starting nothing (exit 3 when denied)",
      (y) => y.usage("usage: mcpward policy check [--json] -- <server>"),
      run(async (c) => {
        const { policyCheck } = await import("./policy-check.js");
        return policyCheck(c);
      }),
    )
    .command(
      "trust",
      "approve the third-party server -- <server>, the config server -s <name> or a project policy --plugin, for this project in your trust store",
      (y) =>
        y
          .usage(
            "usage: mcpward policy trust [--json] (-- <server> | -s <name> | --plugin <specifier>)",
          )
          .option("server", SERVER_OPTION)
          .option("plugin", PLUGIN_OPTION),
      run(async (c, argv) => {
        if (typeof argv.plugin === "string") {
          const { trustPlugin } = await import("./policy-trust-plugin.js");
          return trustPlugin(c, argv.plugin);
        }
        const { policyTrust } = await import("./policy-trust.js");
        return policyTrust(c);
      }),
    )
    .command(
      "revoke",
      "remove this project's approval of -- <server>, -s <name> or --plugin <specifier> from your trust store",
      (y) =>
        y
          .usage(
            "usage: mcpward policy revoke [--json] (-- <server> | -s <name> | --plugin <specifier>)",
          )
          .option("server", SERVER_OPTION)
          .option("plugin", PLUGIN_OPTION),
      run(async (c, argv) => {
        if (typeof argv.plugin === "string") {
          const { revokePlugin } = await import("./policy-trust-plugin.js");
          return revokePlugin(c, argv.plugin);
        }
        const { policyRevoke } = await import("./policy-trust.js");
        return policyRevoke(c);
      }),
    )
    .demandCommand(1, "name a policy command: check, trust or revoke");
}

/** Reports an unknown `policy` subcommand with a did-you-mean. */
export function checkPolicyCommand(args: readonly string[]): void {
  checkSubcommand(args, {
    command: "policy",
    subcommands: POLICY_COMMANDS,
    valueOptions: ["-s", "--server", "--plugin"],
  });
}

// Registers `mcpward audit …`. The handlers load @mcpward/daemon's audit
// library on demand, so `mcpward daemon …` and completion never load it.
import type { AuditRecord } from "@mcpward/daemon";
import type { Arguments, Argv } from "yargs";
import type { CommandContext } from "./command-context.js";
import { checkSubcommand } from "./subcommand-check.js";

type Runner = (
  handler: (context: CommandContext, argv: Arguments) => Promise<number>,
) => (argv: Arguments) => Promise<void>;

type Outcome = NonNullable<AuditRecord["outcome"]>;
type EventName = AuditRecord["event"];

// Every outcome and event of the record format, no more: the types make this
// fail to compile when the format changes (the lists are not exported).
const OUTCOMES: Record<Outcome, true> = {
  ok: true,
  "tool-error": true,
  denied: true,
  timeout: true,
  cancelled: true,
  failed: true,
};
const EVENTS: Record<EventName, true> = {
  "server.start": true,
  "server.stop": true,
  "server.crash": true,
  "server.restart": true,
  "policy.decision": true,
  "tool.call": true,
};

const AUDIT_COMMANDS = ["list", "verify", "export"];
/** Options whose value is the next word. */
const VALUE_OPTIONS = ["--since", "--tool", "--outcome", "--event", "--output", "-o"];

function text(argv: Arguments, name: string): string | undefined {
  const value = argv[name];
  return typeof value === "string" ? value : undefined;
}

function since(command: Argv, what: string): Argv {
  return command.option("since", {
    type: "string",
    requiresArg: true,
    describe: `only ${what} newer than 30s, 10m, 1h, 2d, 1w or an ISO time (2024-05-01T12:00:00Z)`,
  });
}

function all(command: Argv, what: string): Argv {
  return command.option("all", { type: "boolean", describe: `${what} of every project` });
}

/**
 * Registers `audit [list]` (the default), `audit verify` and `audit export`
 * on the `audit` command; `run` wraps each handler (context, exit code).
 */
export function auditCommands(audit: Argv, run: Runner): Argv {
  return audit
    .usage("usage: mcpward audit [list|verify|export] [options]")
    .command(
      ["list", "$0"],
      "print this project's audit log as a table (--json: JSON lines); the default",
      (y) =>
        all(since(y, "records"), "the logs")
          .option("tool", {
            type: "string",
            requiresArg: true,
            describe: "only calls of this tool (kebab, snake and camel variants match)",
          })
          .option("outcome", {
            type: "string",
            requiresArg: true,
            choices: Object.keys(OUTCOMES),
            describe: "only records with this outcome",
          })
          .option("event", {
            type: "string",
            requiresArg: true,
            choices: Object.keys(EVENTS),
            describe: "only records of this event",
          }),
      run(async (c, argv) => {
        const { auditList } = await import("./audit-list.js");
        return auditList(c, {
          since: text(argv, "since"),
          tool: text(argv, "tool"),
          outcome: text(argv, "outcome"),
          event: text(argv, "event"),
        });
      }),
    )
    .command(
      "verify",
      "check the audit log's hash chain and say where it breaks (exit 1 when broken)",
      (y) => all(y.usage("usage: mcpward audit verify [--all] [--json]"), "check the logs"),
      run(async (c) => {
        const { auditVerify } = await import("./audit-verify.js");
        return auditVerify(c);
      }),
    )
    .command(
      "export",
      "write one JSON evidence document of the audit log (stdout, or a new file)",
      (y) =>
        since(
          y.usage("usage: mcpward audit export [--since 1d] [--output <file>]"),
          "records",
        ).option("output", {
          alias: "o",
          type: "string",
          requiresArg: true,
          describe: "create this file (0600) instead of writing to stdout; never overwrites",
        }),
      run(async (c, argv) => {
        const { auditExport } = await import("./audit-export.js");
        return auditExport(c, { since: text(argv, "since"), output: text(argv, "output") });
      }),
    );
}

/** Reports an unknown `audit` subcommand with a did-you-mean. */
export function checkAuditCommand(args: readonly string[]): void {
  checkSubcommand(args, {
    command: "audit",
    subcommands: AUDIT_COMMANDS,
    valueOptions: VALUE_OPTIONS,
  });
}

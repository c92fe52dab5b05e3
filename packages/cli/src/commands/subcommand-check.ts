import { McpwardError } from "@mcpward/core/light";
import { didYouMean } from "../did-you-mean.js";

/** The subcommands of one command word and its options that take a value. */
export interface SubcommandSet {
  /** e.g. "daemon" */
  command: string;
  subcommands: readonly string[];
  /** Options whose value is the next word (that word is not a subcommand). */
  valueOptions: readonly string[];
}

/**
 * Reports an unknown subcommand (the first word after `set.command` that is
 * not an option or an option's value) with a did-you-mean; yargs would only
 * say "Unknown argument". A command line without a subcommand passes (the
 * command decides whether it needs one).
 *
 * @throws McpwardError `USAGE` naming the known subcommands
 */
export function checkSubcommand(args: readonly string[], set: SubcommandSet): void {
  const after = args.slice(args.indexOf(set.command) + 1);
  for (let i = 0; i < after.length; i++) {
    const word = after[i]!;
    if (set.valueOptions.includes(word)) i++;
    if (word.startsWith("-")) continue;
    if (set.subcommands.includes(word)) return;
    const suggestions = didYouMean(word, set.subcommands);
    throw new McpwardError(
      "USAGE",
      `unknown ${set.command} command ${JSON.stringify(word)}; ${suggestions.length > 0 ? `did you mean ${suggestions.join(" or ")}?` : `use one of ${set.subcommands.join(", ")}`}`,
      { data: { suggestions } },
    );
  }
}

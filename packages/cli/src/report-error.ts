import { exitCodeFor, McpwardError, stripTerminalEscapes } from "@mcpward/core/light";

/** How to report an error. */
export interface ReportOptions {
  /** One JSON object `{"error":{"code","message"}}` instead of text. */
  json: boolean;
  /** Add the stack of an unexpected error. */
  debug: boolean;
}

/** Code and message of any thrown value; unexpected errors are `INTERNAL`. */
export function describeError(error: unknown): {
  code: string;
  message: string;
  usage: string | undefined;
} {
  if (McpwardError.isInstance(error)) {
    const usage = error.data?.usage;
    return {
      code: error.code,
      message: error.message,
      usage: typeof usage === "string" ? usage : undefined,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: "INTERNAL", message: `internal error: ${message}`, usage: undefined };
}

/** One line: escapes and control characters removed, whitespace runs collapsed. */
function oneLine(text: string): string {
  return stripTerminalEscapes(text).replace(/\s+/g, " ").trim();
}

/**
 * Prints an error on stderr as `mcpward: <message>` (plus the tool's usage
 * line when the daemon sent one), or as one JSON object with `--json`.
 *
 * @returns the exit code for the error's code (DESIGN.md §3)
 */
export function reportError(error: unknown, options: ReportOptions): number {
  const { code, message, usage } = describeError(error);
  if (options.json) {
    process.stderr.write(`${JSON.stringify({ error: { code, message: oneLine(message) } })}\n`);
  } else {
    let text = `mcpward: ${oneLine(message)}\n`;
    if (usage !== undefined) text += `${oneLine(usage)}\n`;
    if (options.debug && !McpwardError.isInstance(error) && error instanceof Error) {
      text += `${error.stack ?? ""}\n`;
    }
    process.stderr.write(text);
  }
  return exitCodeFor(code);
}

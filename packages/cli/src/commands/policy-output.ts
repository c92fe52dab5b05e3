import { stripTerminalEscapes } from "@mcpward/core/light";
import { stdoutIsTTY, writeStdout } from "../stdio.js";
import type { CommandContext } from "./command-context.js";

/** A content or config hash as shown: the algorithm and the first 12 hex digits. */
export function shortHash(hash: string): string {
  return hash.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, "$1…");
}

/** Prints a policy command's outcome: `json` with `--json`, else `text`. */
export async function printOutcome(
  context: CommandContext,
  json: object,
  text: string,
): Promise<void> {
  if (context.json) {
    await writeStdout(`${JSON.stringify(json)}\n`);
  } else {
    await writeStdout(stdoutIsTTY() ? stripTerminalEscapes(text) : text);
  }
}

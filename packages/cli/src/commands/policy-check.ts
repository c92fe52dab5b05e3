import { stripTerminalEscapes } from "@mcpward/core/light";
import { stdoutIsTTY, writeStdout } from "../stdio.js";
import type { CommandContext } from "./command-context.js";
import { renderPolicyReport } from "./policy-render.js";
import { checkPolicy, policyExitCode } from "./policy-report.js";

/**
 * `mcpward policy check [--json] -- <server>`: explains, without starting
 * anything, what mcpward would decide about starting the server and the
 * rules it would run under (see `renderPolicyReport`); `--json` prints the
 * report as one JSON object.
 *
 * @returns 0 for allow and for ask (mcpward will ask before starting it),
 *   3 for deny
 * @throws McpwardError `USAGE` without `-- <server>`; `BAD_SERVER_SPEC`,
 *   `BAD_ENV_TOKEN`, `BAD_CONFIG` (exit 2)
 */
export async function policyCheck(context: CommandContext): Promise<number> {
  const report = await checkPolicy(context.serverTokens);
  const tty = stdoutIsTTY();
  if (context.json) {
    await writeStdout(`${JSON.stringify(report, null, tty ? 2 : undefined)}\n`);
  } else {
    const text = renderPolicyReport(report);
    await writeStdout(tty ? stripTerminalEscapes(text) : text);
  }
  return policyExitCode(report.outcome.action);
}

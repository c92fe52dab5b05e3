import type { ApprovalAnswer, ApprovalRequest } from "@mcpward/core/light";
import { stripTerminalEscapes } from "@mcpward/core/light";
import { isTerminal } from "./stdio.js";

/**
 * True when an `ask` can be put to a person: stdin and stderr are terminals
 * and `CI` is not set. Otherwise ask means deny (exit 3) with a hint.
 */
export function canPrompt(
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return isTerminal(0) && isTerminal(2) && !env.CI;
}

const LEVEL_NAMES: Record<number, string> = {
  1: "built-in",
  2: "project",
  3: "third-party",
  4: "untrusted",
};

/** The prompt's text: exactly what would run, untruncated, secrets already redacted by the daemon. */
export function describeApproval(request: ApprovalRequest): string {
  const clean = (text: string): string => stripTerminalEscapes(text);
  const level = `${request.trustLevel} (${LEVEL_NAMES[request.trustLevel] ?? "unknown"})`;
  const lines = [
    request.kind === "server-start"
      ? "mcpward: approval needed to start this server"
      : "mcpward: approval needed for this tool call",
    `  server:    ${clean(request.server)}`,
    `  trust:     level ${level}`,
  ];
  if (request.tool !== undefined) lines.push(`  tool:      ${clean(request.tool)}`);
  if (request.arguments !== undefined) {
    lines.push(`  arguments: ${clean(JSON.stringify(request.arguments))}`);
  }
  lines.push(`  why:       ${clean(request.reason)}`, `  rule:      ${clean(request.rule)}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Asks on the terminal: approve once, always (remembered in the trust
 * store), deny, or show details. End of input counts as deny; Ctrl+C
 * cancels the call like anywhere else.
 */
export async function promptApproval(request: ApprovalRequest): Promise<ApprovalAnswer> {
  const { createInterface } = await import("node:readline");
  process.stderr.write(describeApproval(request));
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    for (;;) {
      const answer = await new Promise<string | null>((resolve) => {
        rl.once("close", () => resolve(null));
        rl.once("SIGINT", () => {
          resolve(null);
          process.kill(process.pid, "SIGINT");
        });
        rl.question("Approve? [o]nce, [a]lways, [d]eny, [?] details: ", resolve);
      });
      const word = (answer ?? "d").trim().toLowerCase();
      if (word === "o" || word === "once" || word === "y" || word === "yes") return "once";
      if (word === "a" || word === "always") return "always";
      if (word === "d" || word === "deny" || word === "n" || word === "no") return "deny";
      process.stderr.write(`${stripTerminalEscapes(JSON.stringify(request, null, 2))}\n`);
    }
  } finally {
    rl.close();
  }
}

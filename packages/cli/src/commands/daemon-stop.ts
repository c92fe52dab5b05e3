import { stopDaemon } from "@mcpward/daemon/client";
import { writeStdout } from "../stdio.js";
import type { CommandContext } from "./command-context.js";
import {
  currentProject,
  daemonsInScope,
  findDaemon,
  metaLabel,
  nothingRunning,
  targetOf,
} from "./daemon-target.js";
import { shortId } from "./format.js";

/**
 * `daemon stop [--all] [-- <server>]`: stops that server's daemon, or every
 * daemon of the project (of every project with `--all`). Stale daemons are
 * left to `daemon clean`.
 *
 * @returns the exit code (0 also when nothing was running)
 */
export async function daemonStop(context: CommandContext): Promise<number> {
  const target = targetOf(context.serverTokens, context.profile);
  const entries =
    target === undefined
      ? daemonsInScope(context.all)
      : [findDaemon(target)].filter((e) => e !== undefined);
  const running = entries.filter((entry) => entry.alive);
  const stale = entries.length - running.length;
  if (running.length === 0) {
    const none =
      target === undefined
        ? nothingRunning(context.all)
        : `no daemon running for ${target.label} in ${currentProject()}`;
    await writeStdout(`${none}${staleHint(stale)}\n`);
    return 0;
  }
  await Promise.all(running.map((entry) => stopDaemon(entry)));
  const lines = running.map(
    (entry) =>
      `stopped daemon ${shortId(entry.meta.daemonId)} (${metaLabel(entry.meta)})${context.all ? ` in ${entry.meta.projectDir}` : ""}`,
  );
  await writeStdout(`${lines.join("\n")}${staleHint(stale)}\n`);
  return 0;
}

function staleHint(stale: number): string {
  return stale === 0
    ? ""
    : `\n${stale} stale ${stale === 1 ? "daemon" : "daemons"} left behind; run mcpward daemon clean`;
}

import { cleanDaemons } from "@mcpward/daemon/client";
import { writeStdout } from "../stdio.js";
import type { CommandContext } from "./command-context.js";
import { currentProject, findDaemon, targetOf } from "./daemon-target.js";
import { shortId } from "./format.js";

/**
 * `daemon clean [--all]`: removes the files of daemons that are gone and
 * ends the servers they orphaned (never a process whose pid was reused).
 * With a server, cleans the project only if that daemon is stale.
 *
 * @returns the exit code
 */
export async function daemonClean(context: CommandContext): Promise<number> {
  const where = context.all ? "" : ` in ${currentProject()}`;
  const target = targetOf(context.serverTokens, context.profile);
  if (target !== undefined) {
    const entry = findDaemon(target);
    if (entry === undefined) {
      await writeStdout(`no daemon files for ${target.label}${where}; nothing to clean\n`);
      return 0;
    }
    if (entry.alive) {
      await writeStdout(
        `daemon ${shortId(entry.meta.daemonId)} is running; nothing to clean (stop it with mcpward daemon stop -- <server>)\n`,
      );
      return 0;
    }
  }
  const { removed, killedServers } = await cleanDaemons(
    context.all ? { all: true } : { projectDir: currentProject() },
  );
  if (removed === 0) {
    await writeStdout(`nothing to clean${where}: no stale daemons\n`);
    return 0;
  }
  const daemons = `${removed} stale ${removed === 1 ? "daemon" : "daemons"}`;
  const servers = `${killedServers} orphaned ${killedServers === 1 ? "server" : "servers"}`;
  await writeStdout(`removed ${daemons}${where}; ended ${servers}\n`);
  return 0;
}

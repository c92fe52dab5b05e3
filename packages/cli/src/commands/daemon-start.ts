import { McpwardError } from "@mcpward/core/light";
import { stopDaemon } from "@mcpward/daemon/client";
import { firstRequest, openSession } from "../daemon-session.js";
import { SETTING_FLAGS, type SettingName } from "../settings.js";
import { writeStderr, writeStdout } from "../stdio.js";
import type { CommandContext } from "./command-context.js";
import { daemonsInScope, findDaemon, nothingRunning, targetOf } from "./daemon-target.js";
import { shortId } from "./format.js";

function needsServer(command: string): McpwardError {
  return new McpwardError(
    "USAGE",
    `daemon ${command} needs a server: mcpward daemon ${command} -- <server command>`,
  );
}

/**
 * `daemon start -- <server>`: starts the daemon of that server in this
 * project (or finds it running) and waits until its server is ready.
 *
 * @returns the exit code
 */
export async function daemonStart(context: CommandContext, verb = "started"): Promise<number> {
  const target = targetOf(context.serverTokens, context.profile);
  if (target === undefined) throw needsServer("start");
  const session = await openSession(target.spec, {
    settings: context.settings,
    profile: context.profile,
    quiet: context.quiet,
    debug: context.debug,
  });
  const { client, started, daemonId } = session.ensured;
  try {
    // Waits for the server: a server that cannot start is reported here.
    const { tools } = await firstRequest(session, (c) => c.listTools());
    const status = await client.status();
    const pids = `pid ${String(status.pid)}, server pid ${String(status.serverPid ?? "-")}`;
    await writeStdout(
      `${started ? verb : "already running:"} daemon ${shortId(daemonId)} for ${target.label} (${pids}, ${tools.length} tools)\n`,
    );
    const given = Object.keys(context.settings) as SettingName[];
    if (!started && given.length > 0 && !context.quiet) {
      writeStderr(
        `mcpward: ${given.map((k) => SETTING_FLAGS[k]).join(", ")} not applied: the daemon was already running; settings reach a running daemon with the next tool call (mcpward ${given.map((k) => `${SETTING_FLAGS[k]} ${context.settings[k]}`).join(" ")} <tool> … -- <server>) or after \`mcpward daemon restart\`\n`,
      );
    }
    return 0;
  } finally {
    client.close();
  }
}

/**
 * `daemon restart -- <server>`: stops that daemon (if running) and starts
 * it again. Without a server: stops every daemon of the project; each one
 * starts again on its next call (a daemon does not keep the env values it
 * would need to be restarted from here).
 *
 * @returns the exit code
 */
export async function daemonRestart(context: CommandContext): Promise<number> {
  const target = targetOf(context.serverTokens, context.profile);
  if (target === undefined) {
    const running = daemonsInScope(false).filter((entry) => entry.alive);
    if (running.length === 0) {
      await writeStdout(`${nothingRunning(false)}\n`);
      return 0;
    }
    await Promise.all(running.map((entry) => stopDaemon(entry)));
    await writeStdout(
      `stopped ${running.length} ${running.length === 1 ? "daemon" : "daemons"}; each starts again on its next call\n`,
    );
    return 0;
  }
  const entry = findDaemon(target);
  if (entry?.alive) await stopDaemon(entry);
  return daemonStart(context, entry?.alive ? "restarted" : "started");
}

import { McpwardError, type ServerSpec } from "@mcpward/core/light";
import {
  type DaemonClient,
  type EnsuredDaemon,
  ensureDaemon,
  listDaemons,
  stopDaemon,
} from "@mcpward/daemon/client";
import type { DebugLog } from "./debug-log.js";
import { serverLabel } from "./server-label.js";
import type { Settings } from "./settings.js";
import { StatusLine } from "./status-line.js";
import { isTerminal, writeStderr } from "./stdio.js";

/** How long a cold start may take before the status line appears. */
const STATUS_DELAY_MS = 300;

/** Errors after which a freshly started daemon may have no working server. */
const SERVER_FAILURES: ReadonlySet<string> = new Set([
  "SERVER_START_FAILED",
  "SERVER_CRASHED",
  "SERVER_FAILED",
  "SERVER_PROTOCOL_ERROR",
  "TIMEOUT",
]);

/** Options of {@link openSession}. */
export interface SessionOptions {
  settings: Settings;
  /** No status line and no notices. */
  quiet: boolean;
  debug: DebugLog;
  /** Config profile (`--profile`; the daemon also reads MCPWARD_PROFILE). */
  profile?: string | undefined;
  /** `mcpward -s <name>`: the config server `spec` was resolved from. */
  serverName?: string | undefined;
}

/** A connected daemon plus the status line of its cold start. */
export interface DaemonSession {
  ensured: EnsuredDaemon;
  status: StatusLine;
  debug: DebugLog;
}

/**
 * Connects to the daemon of `spec` in the current directory, starting it if
 * needed; on a terminal, a cold start that takes over ~300 ms shows one
 * status line on stderr until the first answer.
 */
export async function openSession(
  spec: ServerSpec,
  options: SessionOptions,
): Promise<DaemonSession> {
  const status = new StatusLine(isTerminal(2) && !options.quiet);
  options.debug("connecting");
  let ensured: EnsuredDaemon;
  try {
    ensured = await ensureDaemon({
      spec,
      settings: options.settings,
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
      ...(options.serverName !== undefined ? { serverName: options.serverName } : {}),
      onStarting: () => {
        options.debug("no daemon answered; starting one");
        const label = options.serverName ?? serverLabel(spec);
        status.schedule(`mcpward: starting ${label} …`, STATUS_DELAY_MS);
      },
      // E.g. that idle daemons were stopped to stay within MCPWARD_MAX_DAEMONS.
      onNotice: (message) => {
        options.debug(`daemon notice: ${message}`);
        if (options.quiet) return;
        status.clear();
        writeStderr(`mcpward: ${message}\n`);
      },
    });
  } catch (error) {
    status.clear();
    throw error;
  }
  options.debug(
    `daemon ${ensured.daemonId} (project ${ensured.projectId}) ${ensured.started ? "started by this call" : "already running"}; socket ${ensured.paths.socket}; daemon version ${ensured.client.daemonVersion}`,
  );
  return { ensured, status, debug: options.debug };
}

/**
 * Runs the first request of a session. Clears the status line when it
 * answers; when this call started the daemon and its server failed (could
 * not start, exited at once, timed out starting), stops that daemon so no
 * failed daemon lingers, then rethrows the error.
 */
export async function firstRequest<T>(
  session: DaemonSession,
  request: (client: DaemonClient) => Promise<T>,
): Promise<T> {
  try {
    const result = await request(session.ensured.client);
    session.status.clear();
    return result;
  } catch (error) {
    session.status.clear();
    if (
      session.ensured.started &&
      McpwardError.isInstance(error) &&
      SERVER_FAILURES.has(error.code)
    ) {
      await stopIfServerDown(session);
    }
    throw error;
  }
}

async function stopIfServerDown(session: DaemonSession): Promise<void> {
  const { client, daemonId } = session.ensured;
  try {
    const status = await client.status();
    if (status.state === "ready" || status.state === "busy") return;
  } catch {
    // The daemon itself is in trouble: stop it as well.
  }
  session.debug(`server of daemon ${daemonId} failed at startup; stopping the daemon`);
  const entry = listDaemons().find((e) => e.meta.daemonId === daemonId);
  if (entry) await stopDaemon(entry);
  else await client.stop().catch(() => {});
}

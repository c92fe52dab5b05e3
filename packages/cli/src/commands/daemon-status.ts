import { computeProjectId, stateRoot, stripTerminalEscapes } from "@mcpward/core/light";
import { connectTo, type DaemonEntry, readToolCount } from "@mcpward/daemon/client";
import { stdoutIsTTY, writeStderr, writeStdout } from "../stdio.js";
import type { CommandContext } from "./command-context.js";
import { configuredServers } from "./configured-servers.js";
import {
  currentProject,
  daemonsInScope,
  findDaemon,
  metaLabel,
  nothingRunning,
  targetOf,
} from "./daemon-target.js";
import { compareStatus } from "./status-order.js";
import { renderStatusTable, type StatusRecord } from "./status-table.js";

/** Asks one daemon for its status; a dead or silent one becomes a stale/unreachable record. */
async function statusOf(entry: DaemonEntry): Promise<StatusRecord> {
  const { meta } = entry;
  const base = {
    daemonId: meta.daemonId,
    projectId: meta.projectId,
    projectDir: meta.projectDir,
    server: metaLabel(meta),
    pid: meta.pid,
    serverPid: meta.serverPid,
    startedAt: meta.startedAt,
  };
  if (!entry.alive) {
    return {
      ...base,
      tools: readToolCount(stateRoot(process.env), meta.projectId, meta.daemonId),
      state: "stale",
      lastError: "daemon process is gone; run mcpward daemon clean",
    };
  }
  try {
    const client = await connectTo(entry);
    try {
      return (await client.status()) as unknown as StatusRecord;
    } finally {
      client.close();
    }
  } catch (error) {
    return {
      ...base,
      state: "unreachable",
      lastError: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * The project config's servers: running ones get their name, the others a
 * `not started` record (with the tool count an earlier daemon recorded).
 * A broken config is reported on stderr and leaves the list as it was.
 */
async function addConfigured(records: StatusRecord[], context: CommandContext): Promise<void> {
  const projectDir = currentProject();
  let configured: Awaited<ReturnType<typeof configuredServers>>;
  try {
    configured = await configuredServers(projectDir, context.profile);
  } catch (error) {
    if (!context.quiet) {
      writeStderr(`mcpward: cannot list the configured servers: ${(error as Error).message}\n`);
    }
    return;
  }
  const projectId = computeProjectId(projectDir);
  for (const server of configured) {
    // Run by name, else the same command given after `--`.
    const running = [server.daemonId, server.commandLineId]
      .filter((id) => id !== null)
      .map((id) => records.find((r) => r.daemonId === id && r.projectDir === projectDir))
      .find((r) => r !== undefined && r.name === undefined);
    if (running) {
      running.name = server.name;
      continue;
    }
    records.push({
      daemonId: server.daemonId ?? "",
      projectId,
      projectDir,
      name: server.name,
      server: server.label,
      state: "not started",
      pid: null,
      serverPid: null,
      // Counted by a daemon run by name, else by the same command given after `--`.
      tools:
        [server.daemonId, server.commandLineId]
          .filter((id) => id !== null)
          .map((id) => readToolCount(stateRoot(process.env), projectId, id))
          .find((count) => count !== null) ?? null,
    });
  }
}

/**
 * `daemon status [--all] [--json] [-- <server>]`: a table of the daemons
 * of this project (or all projects, or one server), asked in parallel, plus
 * the project config's servers that are not running (`not started`); JSON
 * with `--json`.
 *
 * @returns the exit code (0 also when nothing runs)
 */
export async function daemonStatus(context: CommandContext): Promise<number> {
  const target = targetOf(context.serverTokens, context.profile);
  const entries =
    target === undefined
      ? daemonsInScope(context.all)
      : [findDaemon(target)].filter((e) => e !== undefined);
  const records = await Promise.all(entries.map(statusOf));
  if (target === undefined) await addConfigured(records, context);
  records.sort(compareStatus);
  const tty = stdoutIsTTY();
  if (context.json) {
    await writeStdout(`${JSON.stringify(records, null, tty ? 2 : undefined)}\n`);
    return 0;
  }
  if (records.length === 0) {
    const none =
      target === undefined
        ? nothingRunning(context.all)
        : `no daemon running for ${target.label} in ${currentProject()}`;
    await writeStdout(`${none}\n`);
    return 0;
  }
  const text = renderStatusTable(records, { groupByProject: context.all, now: Date.now() });
  await writeStdout(tty ? stripTerminalEscapes(text) : text);
  return 0;
}

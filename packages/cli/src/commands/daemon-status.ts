import { stripTerminalEscapes } from "@mcpward/core/light";
import { connectTo, type DaemonEntry } from "@mcpward/daemon/client";
import { stdoutIsTTY, writeStdout } from "../stdio.js";
import type { CommandContext } from "./command-context.js";
import {
  currentProject,
  daemonsInScope,
  findDaemon,
  metaLabel,
  nothingRunning,
  targetOf,
} from "./daemon-target.js";
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
 * `daemon status [--all] [--json] [-- <server>]`: a table of the daemons
 * of this project (or all projects, or one server), asked in parallel;
 * JSON with `--json`.
 *
 * @returns the exit code (0 also when nothing runs)
 */
export async function daemonStatus(context: CommandContext): Promise<number> {
  const target = targetOf(context.serverTokens);
  const entries =
    target === undefined
      ? daemonsInScope(context.all)
      : [findDaemon(target)].filter((e) => e !== undefined);
  const records = await Promise.all(entries.map(statusOf));
  records.sort(
    (a, b) =>
      String(a.projectDir).localeCompare(String(b.projectDir)) ||
      String(a.startedAt).localeCompare(String(b.startedAt)),
  );
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

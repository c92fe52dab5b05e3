import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { computeProjectId, stateRoot, stripTerminalEscapes } from "@mcpward/core/light";
import { INTERRUPTED } from "../interrupt.js";
import { stdoutIsTTY, writeStdout } from "../stdio.js";
import type { CommandContext } from "./command-context.js";
import { currentProject, targetOf } from "./daemon-target.js";
import { shortId } from "./format.js";
import { type LogLine, mergeLogLines, parseLogLines, parseSince } from "./log-lines.js";

/** Options of `daemon logs`. */
export interface LogsOptions {
  follow: boolean;
  since: string | undefined;
}

const LOG_NAME = /^([0-9a-f]{24})\.log$/;
const POLL_MS = 250;

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The log files in scope: that server's, or every daemon's of the project. */
function logFiles(dir: string, daemonId: string | undefined): Map<string, string> {
  const files = new Map<string, string>();
  if (daemonId !== undefined) {
    const path = join(dir, `${daemonId}.log`);
    if (existsSync(path)) files.set(daemonId, path);
    return files;
  }
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no logs yet
  }
  for (const name of names.sort()) {
    const match = LOG_NAME.exec(name);
    if (match) files.set(match[1]!, join(dir, name));
  }
  return files;
}

function render(lines: readonly LogLine[]): string {
  const text = lines.map((line) => `${line.prefix}${line.text}\n`).join("");
  return stdoutIsTTY() ? stripTerminalEscapes(text) : text;
}

/**
 * `daemon logs [--follow] [--since 10m] [-- <server>]`: prints that
 * server's daemon log, or every daemon log of the project merged in time
 * order with each line prefixed by the short daemon id. `--follow` keeps
 * printing new lines until Ctrl+C.
 *
 * @returns the exit code (130 when `--follow` is ended with Ctrl+C)
 */
export async function daemonLogs(context: CommandContext, options: LogsOptions): Promise<number> {
  const since = options.since === undefined ? undefined : parseSince(options.since, Date.now());
  const project = currentProject();
  const target = targetOf(context.serverTokens, context.profile);
  const dir = join(stateRoot(), "logs", computeProjectId(project));
  const prefixFor = (id: string): string => (target === undefined ? `[${shortId(id)}] ` : "");
  const files = logFiles(dir, target?.daemonId);
  if (files.size === 0 && !options.follow) {
    const what = target === undefined ? "no daemon logs" : `no log for ${target.label}`;
    await writeStdout(`${what} in ${project} (${dir})\n`);
    return 0;
  }
  const offsets = new Map<string, number>();
  const logs: LogLine[][] = [];
  for (const [id, path] of files) {
    // The rotated generation first, then the current file.
    const text = readText(`${path}.1`) + readText(path);
    offsets.set(id, sizeOf(path));
    logs.push(parseLogLines(text, prefixFor(id)));
  }
  await writeStdout(render(mergeLogLines(logs, since)));
  if (!options.follow) return 0;
  return follow(dir, target?.daemonId, offsets, prefixFor);
}

/** Polls the log files for new lines until SIGINT. */
function follow(
  dir: string,
  daemonId: string | undefined,
  offsets: Map<string, number>,
  prefixFor: (id: string) => string,
): Promise<number> {
  // Bytes after the last newline, kept until the line is complete (a
  // multi-byte character may also be cut there).
  const partial = new Map<string, Buffer>();
  return new Promise((resolve) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const lines: LogLine[][] = [];
      for (const [id, path] of logFiles(dir, daemonId)) {
        const size = sizeOf(path);
        let offset = offsets.get(id) ?? 0;
        if (size < offset) offset = 0; // rotated: the new file starts over
        if (size === offset) continue;
        const bytes = Buffer.concat([
          partial.get(id) ?? Buffer.alloc(0),
          readRange(path, offset, size),
        ]);
        offsets.set(id, size);
        const end = bytes.lastIndexOf(0x0a) + 1;
        partial.set(id, bytes.subarray(end));
        lines.push(parseLogLines(bytes.subarray(0, end).toString("utf8"), prefixFor(id)));
      }
      void writeStdout(render(mergeLogLines(lines, undefined))).finally(() => {
        busy = false;
      });
    }, POLL_MS);
    process.once("SIGINT", () => {
      clearInterval(timer);
      resolve(INTERRUPTED);
    });
  });
}

function readRange(path: string, start: number, end: number): Buffer {
  const buffer = Buffer.alloc(end - start);
  const fd = openSync(path, "r");
  try {
    const read = readSync(fd, buffer, 0, buffer.length, start);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

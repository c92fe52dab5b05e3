import { McpwardError } from "@mcpward/core/light";

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\s/;
const DURATION = /^(\d+(?:\.\d+)?)(s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * The cutoff of `--since`: a duration back from `now` (`30s`, `10m`, `2h`,
 * `1d`) or an ISO date/time.
 *
 * @returns milliseconds since the epoch
 * @throws McpwardError `USAGE` for anything else
 */
export function parseSince(text: string, now: number): number {
  const duration = DURATION.exec(text.trim());
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const date = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isNaN(date)) return date;
  throw new McpwardError(
    "USAGE",
    `--since needs a duration such as 30s, 10m, 2h or 1d, or an ISO time such as 2025-01-31T12:00:00Z; got ${JSON.stringify(text.slice(0, 40))}`,
  );
}

/** One log line with the time it starts with (inherited when it has none). */
export interface LogLine {
  time: number;
  text: string;
  /** Printed before the line (the short daemon id), or "". */
  prefix: string;
}

/**
 * Splits a log's text into lines, each with the ISO timestamp it starts with
 * (a line without one keeps the previous line's time).
 */
export function parseLogLines(text: string, prefix: string): LogLine[] {
  const lines: LogLine[] = [];
  let time = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const match = TIMESTAMP.exec(line);
    if (match) time = Date.parse(match[1]!);
    lines.push({ time, text: line, prefix });
  }
  return lines;
}

/**
 * Merges the lines of several logs in time order (stable: lines with equal
 * times keep their order), dropping those before `since`.
 */
export function mergeLogLines(logs: readonly LogLine[][], since: number | undefined): LogLine[] {
  const all = logs.flat().filter((line) => since === undefined || line.time >= since);
  return all
    .map((line, index) => ({ line, index }))
    .sort((a, b) => a.line.time - b.line.time || a.index - b.index)
    .map(({ line }) => line);
}

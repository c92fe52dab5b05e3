import { stripTerminalEscapes } from "@mcpward/core";
import type { AuditRecord } from "./audit-record.js";

const COLUMNS = [
  { title: "TIME", max: 20 },
  { title: "EVENT", max: 15 },
  { title: "TOOL", max: 32 },
  { title: "OUTCOME", max: 10 },
  { title: "DURATION", max: 10 },
  { title: "DECISION", max: 48 },
] as const;

/** A cell's text: one line, no terminal escapes, at most `max` characters. */
function cell(text: string, max: number): string {
  const clean = stripTerminalEscapes(text).replace(/\s+/g, " ").trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** `850 ms`, `12.4 s`, `3m 05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
}

function row(record: AuditRecord): string[] {
  const time = Number.isNaN(Date.parse(record.time))
    ? record.time
    : new Date(record.time).toISOString().replace(/\.\d{3}Z$/, "Z");
  const decision =
    record.decision === undefined ? "" : `${record.decision.action} ${record.decision.rule}`;
  return [
    time,
    record.event,
    record.tool ?? "",
    record.outcome ?? (record.error === undefined ? "" : "failed"),
    record.durationMs === undefined ? "" : formatDuration(record.durationMs),
    decision,
  ];
}

/**
 * A fixed-width table of records, one per line with a header: time (UTC),
 * event, tool, outcome, duration, decision and rule. Text from records is
 * stripped of terminal escapes and cut to its column. Ends with a newline;
 * with no records it is the header alone.
 */
export function formatAuditTable(records: readonly AuditRecord[]): string {
  const rows = records.map((record) => row(record).map((text, i) => cell(text, COLUMNS[i]!.max)));
  const widths = COLUMNS.map((column, i) =>
    Math.max(column.title.length, ...rows.map((cells) => cells[i]!.length)),
  );
  const render = (cells: readonly string[]): string =>
    cells
      .map((text, i) => (i === cells.length - 1 ? text : text.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[COLUMNS.map((column) => column.title), ...rows].map(render).join("\n")}\n`;
}

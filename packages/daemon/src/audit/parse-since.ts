import { McpwardError } from "@mcpward/core";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d{1,9})([smhdw])$/;
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses a `--since` value: a duration back from `now` (`30s`, `10m`, `1h`,
 * `2d`, `1w`) or an ISO 8601 date or time (`2024-05-01`,
 * `2024-05-01T12:00:00Z`; a time without zone is local time).
 *
 * @throws McpwardError `USAGE` naming the accepted forms
 */
export function parseSince(text: string, now: Date = new Date()): Date {
  const value = text.trim();
  const duration = DURATION.exec(value);
  if (duration) {
    return new Date(
      now.getTime() - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS],
    );
  }
  if (ISO_DATE.test(value)) {
    const time = Date.parse(value.replace(" ", "T"));
    if (!Number.isNaN(time)) return new Date(time);
  }
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  throw new McpwardError(
    "USAGE",
    `invalid --since value ${shown}: use a duration like 30s, 10m, 1h, 2d or 1w, or an ISO date like 2024-05-01 or 2024-05-01T12:00:00Z`,
  );
}

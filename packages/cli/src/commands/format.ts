import { displayWidth } from "./display-width.js";

/** A duration for people: `45s`, `3m12s`, `2h05m`, `1d03h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, "0")}h`;
}

/** A byte count in MiB with one decimal (`71.3M`), or `-` when unknown. */
export function formatMemory(bytes: unknown): string {
  return typeof bytes === "number" ? `${(bytes / 1024 / 1024).toFixed(1)}M` : "-";
}

/** The short form of a daemon id shown in tables and log prefixes. */
export function shortId(daemonId: string): string {
  return daemonId.slice(0, 8);
}

/**
 * Lays out rows as columns separated by two spaces, padded to their width
 * on a terminal (see {@link displayWidth}); the last column is left unpadded
 * (it holds the long server command).
 */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  const cells = rows.map((row) =>
    row.map((cell, i) => {
      if (i === row.length - 1) return { cell, width: 0 };
      const width = displayWidth(cell);
      widths[i] = Math.max(widths[i] ?? 0, width);
      return { cell, width };
    }),
  );
  return cells.map((row) =>
    row
      .map(({ cell, width }, i) =>
        i < row.length - 1 ? cell + " ".repeat(widths[i]! - width) : cell,
      )
      .join("  ")
      .trimEnd(),
  );
}

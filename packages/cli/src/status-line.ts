import { stripTerminalEscapes } from "@mcpward/core/light";
import { isTerminal } from "./stdio.js";

const CLEAR = "\r\x1b[2K";

/**
 * One transient line on a terminal's stderr (what is starting, progress),
 * rewritten in place and erased when done. Does nothing when stderr is not
 * a terminal, so logs and pipes never see it.
 */
export class StatusLine {
  private timer: NodeJS.Timeout | undefined;
  private shown = false;

  constructor(private readonly enabled: boolean = isTerminal(2)) {}

  /** Shows `text` after `delayMs` unless {@link clear} is called first. */
  schedule(text: string, delayMs: number): void {
    if (!this.enabled) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.show(text), delayMs);
    this.timer.unref();
  }

  /** Shows `text` now, cut to the terminal width so it never wraps. */
  show(text: string): void {
    if (!this.enabled) return;
    const width = Math.max(20, (process.stderr.columns || 80) - 1);
    const clean = stripTerminalEscapes(text).replace(/\s+/g, " ");
    const line = clean.length > width ? `${clean.slice(0, width - 1)}…` : clean;
    process.stderr.write(`${CLEAR}${line}`);
    this.shown = true;
  }

  /** Erases the line (and cancels a scheduled one). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.shown) process.stderr.write(CLEAR);
    this.shown = false;
  }
}

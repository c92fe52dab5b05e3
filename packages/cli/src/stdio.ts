import { stripTerminalEscapes } from "@mcpward/core/light";

/**
 * Ends the process quietly when the reader of stdout goes away (`| head -1`)
 * and ignores write errors on stderr, so neither shows a stack trace.
 */
export function guardStdio(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    // EPIPE: the reader is gone and there is nobody left to tell.
    if (error.code === "EPIPE") process.exit(0);
    process.stderr.write(`mcpward: cannot write to stdout (${error.code ?? error.message})\n`);
    process.exit(6);
  });
  process.stderr.on("error", () => {});
}

/**
 * Writes to stdout and resolves once the data has been handed to the OS, so
 * a large result is complete before the process ends (Node drops queued
 * pipe writes on `process.exit`).
 */
export function writeStdout(text: string): Promise<void> {
  if (text === "") return Promise.resolve();
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}

/** Writes to stderr (escapes stripped when it is a terminal). */
export function writeStderr(text: string): void {
  process.stderr.write(process.stderr.isTTY ? stripTerminalEscapes(text) : text);
}

/** True when stdout is a terminal. */
export function stdoutIsTTY(): boolean {
  return process.stdout.isTTY === true;
}

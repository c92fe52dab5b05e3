import { writeSync } from "node:fs";
import { isatty } from "node:tty";
import { stripTerminalEscapes } from "@mcpward/core/light";

// Node builds process.stdout, stderr and stdin on first access, and for a
// pipe that costs a stream and a socket handle each: more than a warm tool
// call's own work. So the warm path asks `isatty` instead of `.isTTY`, writes
// its result with writeSync, and the guards below attach to each stream only
// when something first uses it.

/**
 * Whether results may be written to descriptor 1 directly: only in the
 * mcpward process ({@link guardStdio} ran) and while nothing has used
 * process.stdout, whose queued writes must keep their order.
 */
let writeDirectly = false;

/** Calls `guard` on `process[name]` when it is first accessed (at once if it already was). */
function onFirstAccess(
  name: "stdout" | "stderr",
  guard: (stream: NodeJS.WriteStream) => void,
): void {
  const descriptor = Object.getOwnPropertyDescriptor(process, name);
  const get = descriptor?.get;
  if (!descriptor?.configurable || get === undefined) {
    guard(process[name]);
    return;
  }
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: descriptor.enumerable ?? true,
    get() {
      const stream = get.call(process) as NodeJS.WriteStream;
      Object.defineProperty(process, name, { configurable: true, enumerable: true, value: stream });
      guard(stream);
      return stream;
    },
  });
}

/**
 * Ends the process quietly when the reader of stdout goes away (`| head -1`)
 * and ignores write errors on stderr, so neither shows a stack trace.
 */
export function guardStdio(): void {
  writeDirectly = true;
  onFirstAccess("stdout", (stdout) => {
    writeDirectly = false;
    stdout.on("error", stdoutFailed);
  });
  onFirstAccess("stderr", (stderr) => {
    stderr.on("error", () => {});
  });
}

function stdoutFailed(error: NodeJS.ErrnoException): never {
  // EPIPE: the reader is gone and there is nobody left to tell.
  if (error.code === "EPIPE") process.exit(0);
  writeStderr(`mcpward: cannot write to stdout (${error.code ?? error.message})\n`);
  process.exit(6);
}

/**
 * Writes to stdout and resolves once the data has been handed to the OS, so
 * a large result is complete before the process ends (Node drops queued
 * pipe writes on `process.exit`). In the mcpward process it is written to
 * descriptor 1 directly, unless the stream is in use (order) or the
 * descriptor is non-blocking and full (then the stream takes the rest).
 */
export function writeStdout(text: string): Promise<void> {
  if (text === "") return Promise.resolve();
  let data = Buffer.from(text);
  if (writeDirectly) {
    try {
      while (data.length > 0) data = data.subarray(writeSync(1, data));
      return Promise.resolve();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") stdoutFailed(error as Error);
    }
  }
  const rest = data;
  return new Promise((resolve) => {
    process.stdout.write(rest, () => resolve());
  });
}

/** Writes to stderr (escapes stripped when it is a terminal). */
export function writeStderr(text: string): void {
  process.stderr.write(isTerminal(2) ? stripTerminalEscapes(text) : text);
}

const terminals = new Map<number, boolean>();

/** True when the descriptor (0 stdin, 1 stdout, 2 stderr) is a terminal; asks once. */
export function isTerminal(fd: 0 | 1 | 2): boolean {
  let answer = terminals.get(fd);
  if (answer === undefined) {
    answer = isatty(fd);
    terminals.set(fd, answer);
  }
  return answer;
}

/** True when stdout is a terminal. */
export function stdoutIsTTY(): boolean {
  return isTerminal(1);
}

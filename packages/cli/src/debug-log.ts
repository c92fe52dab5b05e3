/** A `--debug` printer: `mcpward: debug: 12.3ms <message>` on stderr. */
export type DebugLog = (message: string) => void;

/**
 * A debug printer, or a no-op when `enabled` is false. Times are since the
 * process started, so they include Node's own startup. The global
 * `performance` loads perf_hooks on first use, so only `--debug` pays for it.
 */
export function createDebugLog(enabled: boolean): DebugLog {
  if (!enabled) return () => {};
  return (message) => {
    process.stderr.write(`mcpward: debug: ${performance.now().toFixed(1)}ms ${message}\n`);
  };
}

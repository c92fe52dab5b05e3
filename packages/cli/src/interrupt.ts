/** Exit code for Ctrl+C (128 + SIGINT). */
export const INTERRUPTED = 130;

/**
 * Handles Ctrl+C while mcpward waits: the first SIGINT calls `onFirst`
 * (which cancels the call, whose CANCELLED answer then ends the process
 * with 130); a second one, or a first one with no `onFirst`, exits 130 at
 * once.
 *
 * @returns a function that removes the handler
 */
export function trapInterrupt(onFirst?: () => void): () => void {
  let count = 0;
  const handler = (): void => {
    count++;
    if (count > 1 || onFirst === undefined) process.exit(INTERRUPTED);
    onFirst();
    // If the daemon never answers the cancel, do not hang on it.
    setTimeout(() => process.exit(INTERRUPTED), 5000).unref();
  };
  process.on("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}

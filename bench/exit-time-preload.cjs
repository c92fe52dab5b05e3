// Diagnostic preload (bench/profile.mjs): `node --require ./bench/exit-time-preload.cjs …`
// prints, on stderr at exit, the ms since process start at which this
// preload ran and at which the process exited.
const loadedAt = performance.now();
process.on("exit", () => {
  process.stderr.write(
    `\nmcpward-bench-preload-ms=${loadedAt.toFixed(2)}\nmcpward-bench-exit-ms=${performance.now().toFixed(2)}\n`,
  );
});

// Diagnostic preload (used by bench/profile.mjs, not by the timed runs):
//   BENCH_TRACE_FILE=/tmp/trace.ndjson node --import ./bench/module-trace.mjs <script> …
// Records every module the process loads: ESM (and CJS imported from ESM)
// through loader hooks, CJS `require`s from the require cache, and Node's
// built-in modules from process.moduleLoadList; all appended to the file.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const file = process.env.BENCH_TRACE_FILE;
if (!file) throw new Error("module-trace.mjs: set BENCH_TRACE_FILE");
register("./module-trace-hooks.mjs", import.meta.url, { data: { file } });
const require = createRequire(import.meta.url);
const builtinsAtStart = new Set(process.moduleLoadList);
const origin = performance.timeOrigin;

process.on("exit", () => {
  const lines = [];
  for (const name of Object.keys(require.cache)) {
    lines.push({ url: `file://${name}`, format: "require-cache" });
  }
  for (const entry of process.moduleLoadList) {
    if (!entry.startsWith("NativeModule ")) continue;
    lines.push({ builtin: entry.slice(13), preloaded: builtinsAtStart.has(entry) });
  }
  lines.push({ exit: origin + performance.now(), origin });
  appendFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
});

// Module loader hooks for module-trace.mjs (they run on the loader thread):
// one JSON line per module loaded through the ESM loader, with the time
// its source took to load (read + translate, not evaluation).
import { appendFileSync } from "node:fs";

let file;

export function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  const start = performance.timeOrigin + performance.now();
  const result = await nextLoad(url, context);
  const end = performance.timeOrigin + performance.now();
  const size = result.source == null ? 0 : result.source.length;
  appendFileSync(file, `${JSON.stringify({ url, format: result.format, start, end, size })}\n`);
  return result;
}

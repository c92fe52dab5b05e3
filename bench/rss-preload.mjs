// Fallback for peak RSS when /usr/bin/time is absent:
//   node --import ./bench/rss-preload.mjs <script> …
// prints the process's peak resident set size (KiB) on stderr at exit.
process.on("exit", () => {
  process.stderr.write(`\nmcpward-bench-maxrss-kib=${process.resourceUsage().maxRSS}\n`);
});

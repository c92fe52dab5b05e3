#!/usr/bin/env node
// Non-blocking security report: `pnpm audit --prod` on the lockfile, time
// limited. It needs the registry's audit endpoint; where that is unreachable
// (offline, a proxy that only serves package GETs) it says so and moves on.
// It never fails the build: advisories are triaged by a person (upgrade,
// override or accept), not by CI going red on a Monday morning. Exit code 0
// always, unless --strict is given.
//
// Usage: node scripts/audit.mjs [--strict] [--timeout <seconds>]
import { envWithPnpm, exec, pnpmCommand, root } from "./lib/workspace.mjs";

const args = process.argv.slice(2);
const strict = args.includes("--strict");
const timeoutAt = args.indexOf("--timeout");
const timeoutMs = (timeoutAt >= 0 ? Number(args[timeoutAt + 1]) : 60) * 1000;

let result;
try {
  result = exec(pnpmCommand(), ["audit", "--prod", "--json"], {
    cwd: root,
    env: envWithPnpm(),
    allowFailure: true,
    timeoutMs,
  });
} catch (error) {
  console.log(`audit: not run (${error.message.split("\n")[0]})`);
  process.exit(0);
}

let report;
try {
  report = JSON.parse(result.stdout);
} catch {
  console.log(
    `audit: unreadable answer (exit ${result.status}): ${result.stderr.trim().slice(0, 300)}`,
  );
  process.exit(strict ? 1 : 0);
}
if (report.error) {
  console.log(`audit: unavailable: ${report.error.code}: ${report.error.message.slice(0, 300)}`);
  process.exit(strict ? 1 : 0);
}
const counts = report.metadata?.vulnerabilities ?? {};
const total = Object.values(counts).reduce((a, b) => a + b, 0);
console.log(
  `audit: ${total} known vulnerabilit${total === 1 ? "y" : "ies"} in production dependencies (${Object.entries(
    counts,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")})`,
);
for (const advisory of Object.values(report.advisories ?? {})) {
  const paths = (advisory.findings ?? []).flatMap((f) => f.paths ?? []).slice(0, 3);
  console.log(
    `audit: [${advisory.severity}] ${advisory.module_name} ${advisory.vulnerable_versions}: ${advisory.title} (${advisory.url}); patched: ${advisory.patched_versions}; via ${paths.join(", ")}`,
  );
}
process.exit(strict && total > 0 ? 1 : 0);

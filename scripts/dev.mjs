#!/usr/bin/env node
// One entry for a fresh clone that has only Node and npm:
//   node scripts/dev.mjs setup      install pnpm if needed, install deps (frozen lockfile), build
//   node scripts/dev.mjs test       setup, then lint, typecheck and every test, then the
//                                   release and packaging checks (what CI runs)
//   node scripts/dev.mjs packaging  only the release and packaging checks (after setup)
//   node scripts/dev.mjs demo       setup, then call a tool of the bundled example server
//   node scripts/dev.mjs bench      setup, then the benchmarks (bench/run.mjs, docs/benchmarks.md)
// pnpm comes from PATH when it is the pinned major version, else it is
// installed with npm into .tools/ (corepack is not relied on: its signature
// check fails on some Node 20 builds). Either way its directory is put on
// PATH for the children: turbo and publint look pnpm up by name.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split(
  "@",
)[1];

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    process.exit(result.status ?? 1);
  }
}

function findPnpm() {
  const onPath = spawnSync("pnpm", ["--version"], { encoding: "utf8" });
  if (onPath.status === 0 && onPath.stdout.trim() === pinned) return "pnpm";
  const local = join(root, ".tools", "node_modules", ".bin", "pnpm");
  if (!existsSync(local)) {
    console.error(`[setup] installing pnpm@${pinned} into .tools/ with npm`);
    run("npm", [
      "install",
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--prefix",
      join(root, ".tools"),
      `pnpm@${pinned}`,
    ]);
  }
  process.env.PATH = `${dirname(local)}${delimiter}${process.env.PATH ?? ""}`;
  return local;
}

function setup() {
  const pnpm = findPnpm();
  const frozen = process.env.MCPWARD_UNFROZEN ? [] : ["--frozen-lockfile"];
  run(pnpm, ["install", ...frozen]);
  run(pnpm, ["exec", "turbo", "run", "build"]);
  return pnpm;
}

/**
 * The release and packaging checks, in order. Each runs even when an earlier
 * one failed, so one CI run shows every problem; `blocking: false` ones only
 * report. Times are printed at the end.
 */
function packagingChecks() {
  const node = process.execPath;
  const biome = join(root, "node_modules", ".bin", "biome");
  const libTests = readdirSync(join(root, "scripts", "lib"))
    .filter((f) => f.endsWith(".test.mjs"))
    .map((f) => join("scripts", "lib", f));
  const steps = [
    ["lint and format of the whole repository (biome)", biome, ["check", "."]],
    ["script unit tests", node, ["--test", ...libTests]],
    ["check-deps", node, ["scripts/check-deps.mjs"]],
    ["check-licenses", node, ["scripts/check-licenses.mjs"]],
    ["check-changesets", node, ["scripts/check-changesets.mjs"]],
    ["release dry run", node, ["scripts/release-dry-run.mjs", "--check"]],
    ["packaging tests (pack, publint, tarballs)", node, ["test-packaging/run.mjs"]],
    ["audit (non-blocking)", node, ["scripts/audit.mjs"], false],
  ];
  const times = [];
  for (const [name, cmd, args, blocking = true] of steps) {
    console.error(`\n[packaging] ${name}`);
    const started = Date.now();
    const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
    const ok = !result.error && result.status === 0;
    times.push({ name, ok: ok || !blocking, seconds: (Date.now() - started) / 1000 });
    if (result.error) console.error(`[packaging] ${name}: ${result.error.message}`);
  }
  console.error("\n[packaging] summary");
  for (const t of times) {
    console.error(`  ${t.ok ? "ok  " : "FAIL"} ${t.name.padEnd(44)} ${t.seconds.toFixed(1)} s`);
  }
  const failed = times.filter((t) => !t.ok);
  if (failed.length > 0) {
    console.error(`[packaging] failed: ${failed.map((t) => t.name).join(", ")}`);
    process.exit(1);
  }
}

const command = process.argv[2] ?? "setup";
if (command === "setup") {
  setup();
} else if (command === "test") {
  const pnpm = setup();
  run(pnpm, ["exec", "turbo", "run", "lint", "typecheck", "test", "--concurrency=1"]);
  packagingChecks();
} else if (command === "packaging") {
  findPnpm();
  packagingChecks();
} else if (command === "demo") {
  setup();
  const cli = join(root, "packages", "cli", "bin", "mcpward.cjs");
  const server = join(root, "examples", "utility-server", "server.mjs");
  console.error(`$ mcpward add --a 2 --b 3 -- node examples/utility-server/server.mjs`);
  run(process.execPath, [cli, "add", "--a", "2", "--b", "3", "--", "node", server]);
  console.error(
    `$ mcpward echo --text "hello from mcpward" -- node examples/utility-server/server.mjs`,
  );
  run(process.execPath, [cli, "echo", "--text", "hello from mcpward", "--", "node", server]);
} else if (command === "bench") {
  setup();
  run(process.execPath, [join(root, "bench", "run.mjs"), ...process.argv.slice(3)]);
} else {
  console.error(`unknown command: ${command} (expected setup, test, packaging, demo or bench)`);
  process.exit(2);
}

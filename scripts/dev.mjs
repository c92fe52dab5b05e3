#!/usr/bin/env node
// One entry for a fresh clone that has only Node and npm:
//   node scripts/dev.mjs setup   install pnpm if needed, install deps (frozen lockfile), build
//   node scripts/dev.mjs test    setup, then lint, typecheck and every test
//   node scripts/dev.mjs demo    setup, then call a tool of the bundled example server
// pnpm comes from PATH when it is the pinned major version, else it is
// installed with npm into .tools/ (corepack is not relied on: its signature
// check fails on some Node 20 builds).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split(
  "@",
)[1];

// turbo looks pnpm up on PATH (from "packageManager"), so the pnpm this
// script found goes first on PATH for every child.
const toolsBin = join(root, ".tools", "node_modules", ".bin");
const env = { ...process.env, PATH: `${toolsBin}${delimiter}${process.env.PATH ?? ""}` };

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env, ...options });
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
  return local;
}

function setup() {
  const pnpm = findPnpm();
  const frozen = process.env.MCPWARD_UNFROZEN ? [] : ["--frozen-lockfile"];
  run(pnpm, ["install", ...frozen]);
  run(pnpm, ["exec", "turbo", "run", "build"]);
  return pnpm;
}

const command = process.argv[2] ?? "setup";
if (command === "setup") {
  setup();
} else if (command === "test") {
  const pnpm = setup();
  run(pnpm, ["exec", "turbo", "run", "lint", "typecheck", "test", "--concurrency=1"]);
} else if (command === "demo") {
  setup();
  const cli = join(root, "packages", "cli", "bin", "mcpward.js");
  const server = join(root, "examples", "utility-server", "server.mjs");
  console.error(`$ mcpward add --a 2 --b 3 -- node examples/utility-server/server.mjs`);
  run(process.execPath, [cli, "add", "--a", "2", "--b", "3", "--", "node", server]);
  console.error(
    `$ mcpward echo --text "hello from mcpward" -- node examples/utility-server/server.mjs`,
  );
  run(process.execPath, [cli, "echo", "--text", "hello from mcpward", "--", "node", server]);
} else {
  console.error(`unknown command: ${command} (expected setup, test or demo)`);
  process.exit(2);
}

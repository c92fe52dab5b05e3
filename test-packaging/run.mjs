#!/usr/bin/env node
// Packaging tests: the published artefacts work outside the workspace.
// Packs every package (scripts/pack.mjs: publint and manifest checks), then,
// in a temp directory with no link to the workspace, from the tarballs only:
//   1. global-cli     npm i -g of the CLI; --version, tool calls, daemon status/stop
//   2. core-consumer  a TypeScript project on @mcpward/core (node16 + bundler)
//   3. policy-plugin  an external policy package loaded by the daemon; its deny exits 3
// Also checks the licences of the npm-installed production tree.
// Third-party dependencies come from the npm registry, as for users.
//
// Usage: node test-packaging/run.mjs [--keep] [--only <name>] [--tarballs <dir>]
// (run `turbo run build` first; `npm test` does).
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { packAll } from "../scripts/pack.mjs";
import { coreConsumer } from "./core-consumer.mjs";
import { globalCli, installGlobalCli } from "./global-cli.mjs";
import { exec, readJson, root } from "./lib.mjs";
import { policyPlugin } from "./policy-plugin.mjs";

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const keep = args.includes("--keep");
const only = option("--only");

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
// realpath: on macOS the temp dir is behind a symlink, and trust is by real path.
const tmp = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-packaging-")));
const ctx = { tmp, tarballs: {}, global: null, projects: [] };
const results = [];

async function step(name, fn) {
  const needed = name === "pack" || (name === "install" && only !== "core-consumer");
  if (only && only !== name && !needed) return;
  const t = Date.now();
  try {
    const detail = await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${seconds(t)})${detail ? `: ${detail}` : ""}`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(
      `FAIL ${name} (${seconds(t)})\n${String(error.stack ?? error).replace(/^/gm, "     ")}`,
    );
  }
}

try {
  await step("pack", () => {
    const given = option("--tarballs");
    if (given) {
      ctx.tarballs = readJson(join(resolve(given), "tarballs.json"));
      return `reusing ${given}`;
    }
    ctx.tarballs = packAll(join(tmp, "packs")).tarballs;
    return `${Object.keys(ctx.tarballs).length} tarballs, publint --strict clean, no workspace: ranges`;
  });
  if (results.every((r) => r.ok)) {
    await step("install", () => {
      ctx.global = installGlobalCli(ctx);
      const lib = join(ctx.global.prefix, "lib", "node_modules", "@mcpward", "cli");
      const licences = exec(
        process.execPath,
        [join(root, "scripts", "check-licenses.mjs"), "--dir", lib],
        { allowFailure: true },
      );
      if (licences.status !== 0) throw new Error(`${licences.stdout}${licences.stderr}`);
      return `npm i -g --omit=dev of 4 tarballs; ${licences.stdout.trim().split("\n")[0].replace("check-licenses: ", "licences of the installed tree: ")}`;
    });
    if (ctx.global) {
      await step("global-cli", () => globalCli(ctx));
      await step("policy-plugin", () => policyPlugin(ctx));
    }
    await step("core-consumer", () => coreConsumer(ctx));
  }
} finally {
  // Never leave a daemon behind, whatever failed.
  for (const { run, project } of ctx.projects) {
    try {
      run(["daemon", "stop", "--all"], project);
    } catch {}
  }
  if (keep) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok).length;
console.log(`packaging tests took ${seconds(started)}`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

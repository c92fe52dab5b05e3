// Scenario 3: an external policy package, written in TypeScript against the
// @mcpward/policy tarball (definePolicy and the types), built and packed on
// its own, installed into a project and named in that project's
// mcpward.config.json. The globally installed daemon loads it once the user
// approved it in their trust store, and its deny takes effect (exit 3).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  check,
  copyFixture,
  describe,
  exec,
  makeServerProject,
  mcpwardRunner,
  npm,
  workspaceVersion,
  writeJson,
} from "./lib.mjs";

const PLUGIN = "@packaging-test/mcpward-policy-no-echo";

/** Builds and packs the plugin; returns its tarball path. */
function buildPlugin(ctx) {
  const dir = join(ctx.tmp, "policy-plugin");
  copyFixture("policy-no-echo", dir);
  const { tarballs } = ctx;
  writeJson(join(dir, "package.json"), {
    name: PLUGIN,
    version: "1.0.0",
    description: "Denies the tool echo (an mcpward packaging test).",
    license: "MIT",
    type: "module",
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
    files: ["dist"],
    peerDependencies: { "@mcpward/policy": `^${tarballs["@mcpward/policy"].version}` },
    devDependencies: {
      "@mcpward/policy": `file:${tarballs["@mcpward/policy"].file}`,
      // Not on the registry yet: supplied as a tarball, like a user would get it from npm.
      "@mcpward/core": `file:${tarballs["@mcpward/core"].file}`,
      typescript: workspaceVersion("typescript"),
      "@types/node": workspaceVersion("@types/node"),
    },
  });
  npm(["install"], dir);
  const tsc = join(dir, "node_modules", "typescript", "bin", "tsc");
  const build = exec(process.execPath, [tsc, "-p", "."], { cwd: dir, allowFailure: true });
  check(build.status === 0, `building the plugin with tsc: ${describe(build)}`);
  const packed = npm(["pack", "--json", "--pack-destination", ctx.tmp], dir);
  return join(ctx.tmp, JSON.parse(packed.stdout)[0].filename);
}

export async function policyPlugin(ctx) {
  const pluginTarball = buildPlugin(ctx);
  const { tarballs } = ctx;
  const project = join(ctx.tmp, "policy-project");
  makeServerProject(project, {
    [PLUGIN]: `file:${pluginTarball}`,
    "@mcpward/policy": `file:${tarballs["@mcpward/policy"].file}`,
    "@mcpward/core": `file:${tarballs["@mcpward/core"].file}`,
  });
  writeJson(join(project, "mcpward.config.json"), { policies: [PLUGIN] });
  const { run, env } = mcpwardRunner(ctx.global.bin, join(ctx.tmp, "policy-plugin-run"));
  ctx.projects.push({ run, project });
  const server = ["--", "node", "server.mjs"];

  // Not approved yet: a project plugin is never imported, every call is denied.
  const unapproved = run(["add", "--a", "2", "--b", "3", ...server], project);
  check(
    unapproved.status === 3 && unapproved.stderr.includes("plugin.unapproved"),
    `before approval, a call should be denied with plugin.unapproved: ${describe(unapproved)}`,
  );
  run(["daemon", "stop", "--all"], project);

  // Approve it as the user would, in the user's trust store (never the project).
  writeFileSync(
    join(project, "approve-policy.mjs"),
    [
      'import { realpathSync } from "node:fs";',
      'import { resolvePolicy, TrustStore } from "@mcpward/policy";',
      "const projectDir = realpathSync(process.cwd());",
      "const specifier = process.argv[2];",
      'const resolved = await resolvePolicy(projectDir, { specifier, origin: "project" });',
      "TrustStore.open(process.env).approvePolicy({ projectDir, specifier, contentHash: resolved.contentHash });",
      "console.log(resolved.path);",
      "",
    ].join("\n"),
  );
  const approve = exec(process.execPath, ["approve-policy.mjs", PLUGIN], {
    cwd: project,
    env,
    allowFailure: true,
  });
  check(approve.status === 0, `approving the plugin: ${describe(approve)}`);
  const trust = readFileSync(join(env.MCPWARD_CONFIG_DIR, "trust.json"), "utf8");
  check(trust.includes(PLUGIN), "the approval is not in the user's trust store");

  const add = run(["add", "--a", "2", "--b", "3", ...server], project);
  check(
    add.status === 0 && /\b5\b/.test(add.stdout),
    `an allowed tool after approval: ${describe(add)}`,
  );
  const echo = run(["echo", "--text", "hi", ...server], project);
  check(
    echo.status === 3 && echo.stderr.includes("echo is not allowed in this project"),
    `the plugin's deny should exit 3 with its reason: ${describe(echo)}`,
  );
  const json = run(["--json", "echo", "--text", "hi", ...server], project);
  check(
    json.status === 3 && json.stderr.includes("packaging-test/no-echo"),
    `--json error should name the plugin's rule: ${describe(json)}`,
  );
  const stop = run(["daemon", "stop", "--all"], project);
  check(stop.status === 0, `daemon stop: ${describe(stop)}`);
  return `unapproved -> exit 3 (plugin.unapproved); approved: add exit 0, echo exit 3 (${echo.stderr.trim().split("\n")[0]})`;
}

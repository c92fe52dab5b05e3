// Helpers for the packaging tests: isolated environments for npm and mcpward,
// npm installs into temp directories, and running the installed CLI.
import { cpSync, lstatSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { exec, readJson, root } from "../scripts/lib/workspace.mjs";

export { exec, readJson, root };

/** npm settings kept from the caller: where the cache, CA and registry config are. */
const NPM_KEEP = new Set([
  "npm_config_cache",
  "npm_config_cafile",
  "npm_config_userconfig",
  "npm_config_globalconfig",
  "npm_config_registry",
]);

/**
 * The caller's environment without what `npm test`/pnpm put there
 * (npm_config_prefix would redirect installs, npm_package_* leak the repo)
 * and without any MCPWARD_* setting, with node's own directory first on PATH.
 */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith("npm_") && !NPM_KEEP.has(lower)) continue;
    if (key.startsWith("MCPWARD_") || key.startsWith("PNPM_") || key === "INIT_CWD") continue;
    if (key === "NODE_PATH" || key === "NODE_OPTIONS") continue;
    env[key] = value;
  }
  env.PATH = `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`;
  env.npm_config_audit = "false";
  env.npm_config_fund = "false";
  env.npm_config_update_notifier = "false";
  env.npm_config_loglevel = "error";
  env.npm_config_progress = "false";
  // The same guard as pnpm's minimumReleaseAge (pnpm-workspace.yaml): no
  // third-party version published in the last three days reaches CI.
  env.npm_config_before = new Date(Date.now() - 3 * 24 * 3600 * 1000).toISOString();
  return { ...env, ...extra };
}

/** Runs `npm` with an isolated environment; throws with npm's output on failure. */
export function npm(args, cwd, timeoutMs = 240_000) {
  return exec("npm", args, { cwd, env: cleanEnv(), timeoutMs });
}

/** Writes a JSON file (two-space indent, trailing newline). */
export function writeJson(file, value) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Copies a fixture directory from test-packaging/fixtures into a temp dir. */
export function copyFixture(name, to) {
  cpSync(join(root, "test-packaging", "fixtures", name), to, { recursive: true });
}

/** The installed version of a package in the workspace (what the lockfile chose). */
export function workspaceVersion(name, from = root) {
  return readJson(join(from, "node_modules", name, "package.json")).version;
}

/**
 * Makes a project that runs the example utility server: a copy of
 * examples/utility-server/server.mjs with its own SDK and zod from the
 * registry, at the versions the workspace's lockfile resolved.
 */
export function makeServerProject(dir, extraDependencies = {}) {
  mkdirSync(dir, { recursive: true });
  cpSync(join(root, "examples", "utility-server", "server.mjs"), join(dir, "server.mjs"));
  const examples = join(root, "examples");
  writeJson(join(dir, "package.json"), {
    name: "packaging-test-project",
    private: true,
    type: "module",
    dependencies: {
      "@modelcontextprotocol/sdk": workspaceVersion("@modelcontextprotocol/sdk", examples),
      zod: workspaceVersion("zod", examples),
      ...extraDependencies,
    },
  });
  npm(["install"], dir);
}

/** Fails unless a path is a real directory (an installed copy, not a link). */
export function assertNotLinked(path) {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    throw new Error(`${path} should be an installed directory, not a link`);
  }
}

/**
 * A runner for the installed `mcpward` binary with private runtime, state and
 * config directories (and HOME) under `base`.
 */
export function mcpwardRunner(bin, base) {
  const dirs = {
    MCPWARD_RUNTIME_DIR: join(base, "runtime"),
    MCPWARD_STATE_DIR: join(base, "state"),
    MCPWARD_CONFIG_DIR: join(base, "config"),
    HOME: join(base, "home"),
    // A safety net: a daemon a failed test left behind exits by itself.
    MCPWARD_IDLE_TIMEOUT: "300",
  };
  mkdirSync(dirs.HOME, { recursive: true, mode: 0o700 });
  const env = cleanEnv(dirs);
  delete env.XDG_RUNTIME_DIR;
  delete env.XDG_STATE_HOME;
  delete env.XDG_CONFIG_HOME;
  const run = (args, cwd, options = {}) =>
    exec(bin, args, { cwd, env, allowFailure: true, timeoutMs: 60_000, ...options });
  return { run, env, dirs };
}

/** Describes a finished command for an assertion message. */
export function describe(result) {
  return `exit ${result.status}\nstdout: ${result.stdout.trim().slice(0, 800)}\nstderr: ${result.stderr.trim().slice(0, 800)}`;
}

/** Throws unless the condition holds. */
export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Whether a process is alive. */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls a condition every 50 ms until it holds or the time is up. */
export async function waitFor(condition, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

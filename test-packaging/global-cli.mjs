// Scenario 1: `npm i -g --prefix <tmp>` of the CLI tarball, the other
// @mcpward tarballs supplied as its dependencies, production dependencies
// only. Then the installed `mcpward` prints its version, calls a tool of the
// example server (in a project of its own), and `daemon status` / `daemon
// stop` work.
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  alive,
  assertNotLinked,
  check,
  describe,
  makeServerProject,
  mcpwardRunner,
  npm,
  waitFor,
} from "./lib.mjs";

/**
 * Installs the CLI globally into `<tmp>/global`; shared with the policy
 * plugin scenario.
 *
 * @returns the path of the installed `mcpward` binary
 */
export function installGlobalCli(ctx) {
  const prefix = join(ctx.tmp, "global");
  const { tarballs } = ctx;
  npm(
    [
      "install",
      "--global",
      "--prefix",
      prefix,
      "--omit=dev",
      tarballs["@mcpward/cli"].file,
      tarballs["@mcpward/core"].file,
      tarballs["@mcpward/daemon"].file,
      tarballs["@mcpward/policy"].file,
    ],
    ctx.tmp,
  );
  const bin = join(prefix, "bin", "mcpward");
  check(existsSync(bin), `npm i -g did not create ${bin}`);
  for (const name of ["cli", "core", "daemon", "policy"]) {
    assertNotLinked(join(prefix, "lib", "node_modules", "@mcpward", name));
  }
  return { bin, prefix };
}

export async function globalCli(ctx) {
  const { bin } = ctx.global;
  const { run } = mcpwardRunner(bin, join(ctx.tmp, "global-cli"));

  const version = run(["--version"], ctx.tmp);
  check(version.status === 0, `mcpward --version: ${describe(version)}`);
  check(
    version.stdout.trim() === ctx.tarballs["@mcpward/cli"].version,
    `mcpward --version printed ${version.stdout.trim()}, expected ${ctx.tarballs["@mcpward/cli"].version}`,
  );

  // The server runs from its own project (a script inside the project
  // directory is trust level 2: it starts without approval).
  const project = join(ctx.tmp, "server-project");
  makeServerProject(project);
  ctx.projects.push({ run, project });

  const add = run(["add", "--a", "2", "--b", "3", "--", "node", "server.mjs"], project);
  check(add.status === 0 && /\b5\b/.test(add.stdout), `mcpward add (cold): ${describe(add)}`);
  const echo = run(["echo", "--text", "from a tarball", "--", "node", "server.mjs"], project);
  check(
    echo.status === 0 && echo.stdout.includes("from a tarball"),
    `mcpward echo (warm): ${describe(echo)}`,
  );
  const usage = run(["add", "--a", "2", "--", "node", "server.mjs"], project);
  check(usage.status === 2, `a missing required flag should exit 2: ${describe(usage)}`);

  const status = run(["daemon", "status", "--json"], project);
  check(status.status === 0, `mcpward daemon status: ${describe(status)}`);
  const daemons = JSON.parse(status.stdout);
  check(
    Array.isArray(daemons) && daemons.length === 1,
    `daemon status should list one daemon: ${status.stdout}`,
  );
  const [daemon] = daemons;
  check(daemon.state === "ready", `daemon state should be ready: ${status.stdout}`);
  const pids = [daemon.pid, daemon.serverPid].filter((p) => Number.isInteger(p));
  check(
    pids.length === 2,
    `daemon status should give the daemon and server pids: ${status.stdout}`,
  );
  const table = run(["daemon", "status"], project);
  check(
    table.status === 0 && table.stdout.includes("server.mjs"),
    `daemon status (table): ${describe(table)}`,
  );

  const stop = run(["daemon", "stop", "--all"], project);
  check(stop.status === 0, `mcpward daemon stop --all: ${describe(stop)}`);
  const after = run(["daemon", "status", "--json"], project);
  check(
    after.status === 0 && JSON.parse(after.stdout).length === 0,
    `after stop, status should list no daemon: ${describe(after)}`,
  );
  for (const pid of pids) {
    await waitFor(() => !alive(pid), 5000);
    check(!alive(pid), `process ${pid} is still running 5 s after daemon stop`);
  }
  return `mcpward ${version.stdout.trim()}: add, echo, usage error, status, stop (${pids.length} pids gone)`;
}

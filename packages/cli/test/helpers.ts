import { spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI's bin shim (build with tsup before running these tests). */
export const CLI = fileURLToPath(new URL("../bin/mcpward.cjs", import.meta.url));

/** Result of one CLI run. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Private directories for one test file: its own daemons, logs and project. */
export interface Sandbox {
  root: string;
  /** The project directory the CLI runs in. */
  project: string;
  env: NodeJS.ProcessEnv;
  /** Repository servers run from copies inside the project (see createSandbox). */
  projectServers: boolean;
}

/** Creates runtime, state, config and project directories under a fresh temp dir. */
export function createSandbox(options: { projectServers?: boolean } = {}): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "mw-cli-")));
  const project = join(root, "project");
  mkdirSync(project);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // The parent's mcpward settings must not leak into the tests.
    if (!key.startsWith("MCPWARD_") && key !== "NO_COLOR") env[key] = value;
  }
  env.MCPWARD_RUNTIME_DIR = join(root, "run");
  env.MCPWARD_STATE_DIR = join(root, "state");
  env.MCPWARD_CONFIG_DIR = join(root, "config");
  const projectServers = options.projectServers ?? true;
  if (projectServers) copyServersInto(project);
  return { root, project, env, projectServers };
}

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
/** Folders of servers the tests run, and where each sandbox keeps its copy. */
const SERVER_DIRS: ReadonlyArray<readonly [string, string]> = [
  [join(REPO, "fixtures"), "fixtures"],
  [join(REPO, "examples"), "examples"],
];

/**
 * Copies the fixture and example servers into the project, with their
 * node_modules linked, so the servers the tests run are project servers
 * (trust level 2) as they would be in a user's own repository; tests of the
 * call path then need no approvals. Policy for servers elsewhere is tested
 * in approval.test.ts and policy-commands.test.ts.
 */
function copyServersInto(project: string): void {
  for (const [from, name] of SERVER_DIRS) {
    cpSync(from, join(project, name), {
      recursive: true,
      filter: (source) => !source.includes("node_modules") && !source.endsWith("package.json"),
    });
    symlinkSync(join(from, "node_modules"), join(project, name, "node_modules"));
  }
}

/** Rewrites paths of repository servers to the sandbox's copies. */
export function toSandboxPaths(sandbox: Sandbox, text: string): string {
  if (!sandbox.projectServers) return text;
  let out = text;
  for (const [from, name] of SERVER_DIRS)
    out = out.split(`${from}/`).join(`${join(sandbox.project, name)}/`);
  return out;
}

/** Options of {@link runCli}. */
export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Extra node options before the script (e.g. `--import`). */
  nodeArgs?: string[];
  /** Called with the child once spawned. */
  onSpawn?: (child: import("node:child_process").ChildProcess) => void;
}

/** Runs the built CLI with `args` in the sandbox's project directory. */
export function runCli(
  sandbox: Sandbox,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return runProcess(
    process.execPath,
    [...(options.nodeArgs ?? []), CLI, ...args],
    sandbox,
    options,
  );
}

/** Runs any command (e.g. `sh -c`) with the sandbox's environment. */
export function runProcess(
  command: string,
  args: string[],
  sandbox: Sandbox,
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      command,
      args.map((arg) => toSandboxPaths(sandbox, arg)),
      {
        cwd: options.cwd ?? sandbox.project,
        env: { ...sandbox.env, ...options.env },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
    options.onSpawn?.(child);
  });
}

/**
 * Stops every daemon of the sandbox and removes its directories. If the CLI
 * cannot stop them (a broken build), their processes are killed from the
 * metadata files, so no test leaves daemons or servers behind.
 */
export async function destroySandbox(sandbox: Sandbox): Promise<void> {
  const stop = await runCli(sandbox, ["daemon", "stop", "--all"]);
  if (stop.code !== 0) killFromMetadata(String(sandbox.env.MCPWARD_RUNTIME_DIR));
  rmSync(sandbox.root, { recursive: true, force: true });
}

function killFromMetadata(runtimeDir: string): void {
  const signal = (pid: unknown): void => {
    if (typeof pid !== "number" || pid <= 0) return;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  for (const project of safeReaddir(runtimeDir)) {
    for (const name of safeReaddir(join(runtimeDir, project))) {
      if (!name.endsWith(".json")) continue;
      try {
        const meta = JSON.parse(readFileSync(join(runtimeDir, project, name), "utf8"));
        signal(meta.pid);
        // The server leads its own process group.
        if (typeof meta.serverPid === "number") signal(-meta.serverPid);
      } catch {
        // unreadable: nothing to do
      }
    }
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The daemons of the sandbox's project, as `daemon status --json` reports them. */
export async function daemonStatuses(
  sandbox: Sandbox,
  extra: string[] = [],
): Promise<Array<Record<string, unknown>>> {
  const result = await runCli(sandbox, ["daemon", "status", "--json", ...extra]);
  if (result.code !== 0) throw new Error(`daemon status failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
}

/** The lines of a stream's text, without the final empty one. */
export function lines(text: string): string[] {
  return text.split("\n").filter((line, i, all) => line !== "" || i < all.length - 1);
}

/** Polls `check` until it returns true (at most `attempts` times, 100 ms apart). */
export async function waitFor(check: () => Promise<boolean>, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("condition not reached");
}

// Shared by run.mjs and profile.mjs: locations, the temporary mcpward
// environment, timing of child processes, statistics and formatting.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = realpathSync(fileURLToPath(new URL("..", import.meta.url)));
export const BENCH = join(ROOT, "bench");
export const CLI_BIN = join(ROOT, "packages/cli/bin/mcpward.cjs");
export const CLI_MAIN = join(ROOT, "packages/cli/dist/main.js");
export const DAEMON_CLIENT = join(ROOT, "packages/daemon/dist/client.js");
/** The server every row talks to, as given after `--`. */
export const SERVER = ["node", "examples/utility-server/server.mjs"];
export const SERVER_SPEC = { command: SERVER[0], args: SERVER.slice(1), env: {} };
/** `mcpward echo --text hi -- node examples/utility-server/server.mjs` */
export const WARM_ARGS = [CLI_BIN, "echo", "--text", "hi", "--", ...SERVER];
export const MiB = 1024 * 1024;

/** A failure of the harness itself (as opposed to a missed target). */
export class HarnessError extends Error {}

export function intFromEnv(name, fallback, min = 1) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new HarnessError(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * A private mcpward world: temporary runtime, state and config directories,
 * no ambient MCPWARD_* variables. Also applied to this process's env, since
 * the daemon client library defaults to process.env.
 */
export function createBenchEnv(prefix = "mcpward-bench-") {
  const base = mkdtempSync(join(os.tmpdir(), prefix));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("MCPWARD_") && k !== "NODE_OPTIONS"),
  );
  const own = {
    MCPWARD_RUNTIME_DIR: join(base, "run"),
    MCPWARD_STATE_DIR: join(base, "state"),
    MCPWARD_CONFIG_DIR: join(base, "config"),
    // The default rate limit (1,000 calls/s, burst 2,000) would refuse part
    // of the overhead and concurrency rows, which run faster than that: lift
    // it so they measure the daemon, not its limiter. All else is default.
    MCPWARD_CALL_RATE: "1000000",
  };
  Object.assign(env, own);
  for (const key of Object.keys(process.env))
    if (key.startsWith("MCPWARD_")) delete process.env[key];
  Object.assign(process.env, own);
  return { base, env, remove: () => rmSync(base, { recursive: true, force: true }) };
}

export async function loadDaemonClient() {
  try {
    return await import(pathToFileURL(DAEMON_CLIENT).href);
  } catch (error) {
    throw new HarnessError(
      `cannot load packages/daemon/dist/client.js (${error.message}): run \`pnpm build\``,
    );
  }
}

/** Stops every daemon under the bench runtime dir; SIGKILLs any that do not stop. */
export async function stopEverything(daemonLib, env) {
  await daemonLib.stopAll({ all: true, env });
  const left = daemonLib.listDaemons({ all: true, env }).filter((d) => d.alive);
  for (const d of left) {
    try {
      process.kill(d.meta.pid, "SIGKILL");
    } catch {}
    if (d.meta.serverPid) {
      try {
        process.kill(d.meta.serverPid, "SIGKILL");
      } catch {}
    }
  }
  return left.length;
}

/** Runs a command to completion; returns its wall time in ms (spawn to exit) and the result. */
export function timeRun(label, command, args, { env, expect, cwd = ROOT } = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
    maxBuffer: 64 * MiB,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  checkResult(label, result, expect);
  return { ms, result };
}

export function checkResult(label, result, expect) {
  const why = result.error
    ? result.error.message
    : result.status !== 0
      ? `exit ${result.status ?? result.signal}`
      : expect && !expect(result.stdout)
        ? `unexpected output ${JSON.stringify(result.stdout.slice(0, 200))}`
        : null;
  if (why) {
    const stderr = (result.stderr ?? "").trim().split("\n").slice(-8).join("\n    ");
    throw new HarnessError(`${label}: ${why}${stderr ? `\n    ${stderr}` : ""}`);
  }
}

export const isHi = (out) => out.trim() === "hi";

// ---------------------------------------------------------------- statistics
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
export const median = (xs) => quantile(xs, 0.5);
/** Median of per-pair ratios b[i] / a[i]: the pairs ran back to back, so drift cancels. */
export function pairRatio(a, b) {
  if (a.length !== b.length) throw new HarnessError("pairRatio: unequal sample counts");
  return median(b.map((x, i) => x / a[i]));
}

// ---------------------------------------------------------------- formatting
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(0)} ms`;
}
export const fmtMiB = (bytes) => (Number.isFinite(bytes) ? `${(bytes / MiB).toFixed(1)} MiB` : "-");
export const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "-");

/** CPU model, cores, RAM, OS, Node version and date. */
export function machine() {
  let osName = `${os.type()} ${os.release()} ${os.arch()}`;
  try {
    const pretty = readFileSync("/etc/os-release", "utf8").match(/^PRETTY_NAME="?([^"\n]*)"?$/m);
    if (pretty) osName = `${pretty[1]} (${os.type()} ${os.release()}, ${os.arch()})`;
  } catch {}
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: os.availableParallelism?.() ?? cpus.length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
    os: osName,
    date: new Date().toISOString(),
  };
}

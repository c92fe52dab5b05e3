// The daemon process: `node daemon-entry.js`, spec on stdin (argv is world
// readable, so nothing secret ever goes there). Prints one JSON line on
// stdout, {"ready":true} (with a "notice" when idle daemons were stopped to
// stay within MCPWARD_MAX_DAEMONS) or {"error":{code,message}}, then closes
// stdout.
import { join } from "node:path";
import {
  checkSocketPathLength,
  computeDaemonId,
  computeProjectId,
  createSecret,
  daemonPaths,
  deepSanitize,
  ensurePrivateDir,
  McpwardError,
  resolveLimits,
} from "@mcpward/core";
import * as v from "valibot";
import { toPayload } from "./connection.js";
import { Daemon } from "./daemon.js";
import { makeRoomForDaemon } from "./daemon-limit.js";
import { DaemonSpecSchema } from "./daemon-spec.js";
import { reapDeadDaemons } from "./orphans.js";
import { PolicyGate } from "./policy-gate.js";
import { prepareSocketPath } from "./socket-guard.js";

const MAX_SPEC_BYTES = 4 * 1024 * 1024;

function report(frame: unknown): void {
  try {
    process.stdout.write(`${JSON.stringify(frame)}\n`);
  } catch {
    // the client went away; nothing to tell
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_SPEC_BYTES) throw new McpwardError("LIMIT_EXCEEDED", "daemon spec is too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<void> {
  process.stdout.on("error", () => {});
  let raw: unknown;
  try {
    raw = JSON.parse(await readStdin());
  } catch (error) {
    throw McpwardError.isInstance(error)
      ? error
      : new McpwardError("BAD_FRAME", "daemon spec on stdin is not valid JSON");
  }
  const parsed = v.safeParse(DaemonSpecSchema, deepSanitize(raw));
  if (!parsed.success) {
    throw new McpwardError(
      "BAD_FRAME",
      `invalid daemon spec: ${v.summarize(parsed.issues).split("\n")[0]}`,
    );
  }
  const spec = parsed.output;
  // Re-derive the ids: a spec that does not match the id it claims would
  // serve one server's clients with another server.
  const daemonId = computeDaemonId(
    { ...spec, name: spec.serverName, profile: spec.profile },
    spec.projectDir,
  );
  const projectId = computeProjectId(spec.projectDir);
  if (daemonId !== spec.daemonId || projectId !== spec.projectId) {
    throw new McpwardError("DAEMON_FAILED", "daemon spec does not match its id; refusing to start");
  }
  const overrides = Object.fromEntries(
    Object.entries(spec.settings).filter(([, value]) => value !== undefined),
  ) as Record<string, number>;
  const { limits } = resolveLimits(process.env, overrides);
  ensurePrivateDir(spec.runtimeDir);
  const paths = daemonPaths(spec.runtimeDir, projectId, daemonId);
  ensurePrivateDir(paths.projectDir);
  checkSocketPathLength(paths.socket);
  // Policy decides before anything starts: a deny never binds a socket.
  const gate = await PolicyGate.open({
    command: spec.command,
    args: spec.args,
    env: spec.env,
    projectDir: spec.projectDir,
    // Trust is in the server, not in the profile of the call that started
    // it: approvals are keyed by the id without the profile.
    serverKey: computeDaemonId({ ...spec, name: spec.serverName }, spec.projectDir),
    callerEnv: process.env,
    profile: spec.profile,
    serverName: spec.serverName,
  });
  const { decision: startDecision } = await gate.checkServerStart();
  if (startDecision.action === "deny") {
    await gate.close();
    throw new McpwardError(
      "POLICY_DENIED",
      `denied starting this server: ${startDecision.reason} (rule ${startDecision.rule})`,
      { data: { rule: startDecision.rule } },
    );
  }
  await reapDeadDaemons(paths.projectDir);
  await prepareSocketPath(paths.socket);
  const room = await makeRoomForDaemon({
    runtimeDir: spec.runtimeDir,
    maxDaemons: limits.maxDaemons,
    socket: paths.socket,
  });

  const daemon = new Daemon({
    spec,
    limits,
    socketPath: paths.socket,
    metaPath: paths.meta,
    logPath: join(spec.stateDir, "logs", projectId, `${daemonId}.log`),
    secret: createSecret(),
    serverEnv: gate.serverEnv(),
    gate,
    startDecision,
    callerEnv: process.env,
    onExit: () => process.exit(0),
  });
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    process.on(signal, () => void daemon.shutdown(`received ${signal}`));
  }
  process.on("uncaughtException", (error) => {
    void daemon.shutdown(`internal error: ${error.message}`);
  });
  try {
    await daemon.start();
  } finally {
    room.release();
  }
  report({ ready: true, pid: process.pid, ...(room.notice ? { notice: room.notice } : {}) });
  process.stdout.end();
  process.stdin.destroy();
}

main().catch((error: unknown) => {
  report({ error: toPayload(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 50).unref();
});

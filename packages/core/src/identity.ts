import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { ServerSpec } from "./server-spec.js";

/** Version of the identity scheme; part of every hash so a change is deliberate. */
const IDENTITY_SCHEME = "mcpward-id-v1";

/**
 * True when a command names a file by path (`./server.js`, `bin/srv`,
 * `/usr/bin/node`) rather than a bare name looked up on PATH.
 */
export function isPathLikeCommand(command: string): boolean {
  return command.includes("/") || command.includes("\\") || isAbsolute(command);
}

/**
 * The command as identity sees it: path-like commands resolved against `cwd`
 * to an absolute, normalised path; bare names kept as they are.
 */
export function normaliseCommand(command: string, cwd: string): string {
  return isPathLikeCommand(command) ? resolve(cwd, command) : command;
}

function digest(parts: unknown, length: number): string {
  return createHash("sha256")
    .update(JSON.stringify([IDENTITY_SCHEME, parts]))
    .digest("hex")
    .slice(0, length);
}

/**
 * The id of the daemon serving one server configuration: a SHA-256 over the
 * normalised command, the args in order and the explicit env sorted by name.
 * The caller's ambient environment never enters it. A server run by its
 * config name (`mcpward -s <name>`) also hashes the name, so it is never the
 * daemon of the same command given after `--` (whose rules differ); without
 * a name the id is what it always was.
 *
 * @param spec - the server as given after `--`, or resolved from config with its `name`
 * @param cwd - directory that relative command paths resolve against
 * @returns 24 lowercase hex characters
 */
export function computeDaemonId(
  spec: Pick<ServerSpec, "command" | "args" | "env"> & { name?: string | undefined },
  cwd: string = process.cwd(),
): string {
  const env = Object.keys(spec.env)
    .sort()
    .map((name) => [name, spec.env[name]]);
  const command = normaliseCommand(spec.command, cwd);
  return digest(
    spec.name === undefined
      ? { command, args: spec.args, env }
      : { command, args: spec.args, env, name: spec.name },
    24,
  );
}

/**
 * The id of a project directory: a SHA-256 over its real path, so a symlink
 * and its target are one project.
 *
 * @returns 16 lowercase hex characters
 * @throws when the directory does not exist
 */
export function computeProjectId(dir: string): string {
  return digest({ project: realpathSync(dir) }, 16);
}

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
 * daemon of the same command given after `--` (whose rules differ), and a
 * config profile chosen for the call (`--profile`, `MCPWARD_PROFILE`) hashes
 * the profile, so a daemon started under one profile's rules never serves a
 * call made under another's; without a name or profile the id is what it
 * always was.
 *
 * @param spec - the server as given after `--`, or resolved from config with
 *   its `name`; `profile` when one was chosen
 * @param cwd - directory that relative command paths resolve against
 * @returns 24 lowercase hex characters
 */
export function computeDaemonId(
  spec: Pick<ServerSpec, "command" | "args" | "env"> & {
    name?: string | undefined;
    profile?: string | undefined;
  },
  cwd: string = process.cwd(),
): string {
  const env = Object.keys(spec.env)
    .sort()
    .map((name) => [name, spec.env[name]]);
  const command = normaliseCommand(spec.command, cwd);
  const hashed: Record<string, unknown> = { command, args: spec.args, env };
  if (spec.name !== undefined) hashed.name = spec.name;
  if (spec.profile !== undefined) hashed.profile = spec.profile;
  return digest(hashed, 24);
}

/**
 * The profile that enters a daemon's id for a call: `--profile` when given,
 * else a non-empty `MCPWARD_PROFILE` (the daemon's config loading picks the
 * same one first), else none. A user's `defaultProfile` is not part of it:
 * reading config files has no place on the warm path.
 */
export function requestedProfile(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (flag !== undefined) return flag;
  const fromEnv = env.MCPWARD_PROFILE;
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
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

import { realpathSync } from "node:fs";
import { computeDaemonId, parseServerSpec, type ServerSpec } from "@mcpward/core/light";
import { type DaemonEntry, type DaemonMetadata, listDaemons } from "@mcpward/daemon/client";
import { serverLabel } from "../server-label.js";

/** The server named after `--`, if any. */
export interface DaemonTarget {
  spec: ServerSpec;
  daemonId: string;
  label: string;
}

/** The project directory: the current directory, symlinks resolved. */
export function currentProject(): string {
  return realpathSync(process.cwd());
}

/**
 * The daemon a server command maps to in the current project (its identity
 * as DESIGN.md §1 defines it, with the profile of the call), or undefined
 * when no server was given. Without `profile` the id is the server's trust key.
 *
 * @throws McpwardError `BAD_SERVER_SPEC`, `BAD_ENV_TOKEN`
 */
export function targetOf(
  serverTokens: readonly string[] | undefined,
  profile?: string,
): DaemonTarget | undefined {
  if (serverTokens === undefined) return undefined;
  const spec = parseServerSpec(serverTokens);
  return {
    spec,
    daemonId: computeDaemonId({ ...spec, profile }, currentProject()),
    label: serverLabel(spec),
  };
}

/** The listed daemon of `target` in the current project, if its files exist. */
export function findDaemon(target: DaemonTarget): DaemonEntry | undefined {
  return listDaemons({ projectDir: currentProject() }).find(
    (entry) => entry.meta.daemonId === target.daemonId,
  );
}

/** The daemons a command without a server acts on: this project's, or all. */
export function daemonsInScope(all: boolean): DaemonEntry[] {
  return all ? listDaemons({ all: true }) : listDaemons({ projectDir: currentProject() });
}

/** A daemon's server as its metadata records it (env values never stored). */
export function metaLabel(meta: DaemonMetadata): string {
  const env = (meta.server.envNames ?? []).map((name) => `${name}=***`);
  return [...env, meta.server.command, ...(meta.server.args ?? [])].join(" ");
}

/** "no daemons running in <dir>" (or anywhere, with `--all`). */
export function nothingRunning(all: boolean): string {
  return all ? "no daemons running" : `no daemons running in ${currentProject()}`;
}

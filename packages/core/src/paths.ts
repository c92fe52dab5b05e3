import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

type Env = Readonly<Record<string, string | undefined>>;

function uid(): number | string {
  return typeof process.getuid === "function" ? process.getuid() : "user";
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value !== "" ? value : undefined;
}

/**
 * The runtime directory (sockets, metadata, locks): `$MCPWARD_RUNTIME_DIR`,
 * else `$XDG_RUNTIME_DIR/mcpward`, else `<tmpdir>/mcpward-<uid>`. macOS's
 * per-user tmpdir is long enough to push socket paths over the 104-byte
 * AF_UNIX limit, so there `/tmp` is used instead.
 */
export function runtimeRoot(env: Env = process.env): string {
  const explicit = nonEmpty(env.MCPWARD_RUNTIME_DIR);
  if (explicit) return explicit;
  const xdg = nonEmpty(env.XDG_RUNTIME_DIR);
  if (xdg) return join(xdg, "mcpward");
  const base = process.platform === "darwin" && tmpdir().length > 40 ? "/tmp" : tmpdir();
  return join(base, `mcpward-${uid()}`);
}

/**
 * The state directory (daemon logs, audit log): `$MCPWARD_STATE_DIR`, else
 * `$XDG_STATE_HOME/mcpward`, else `~/.local/state/mcpward`.
 */
export function stateRoot(env: Env = process.env): string {
  return (
    nonEmpty(env.MCPWARD_STATE_DIR) ??
    join(nonEmpty(env.XDG_STATE_HOME) ?? join(homedir(), ".local", "state"), "mcpward")
  );
}

/**
 * The user configuration directory (user config, trust store):
 * `$MCPWARD_CONFIG_DIR`, else `$XDG_CONFIG_HOME/mcpward`, else
 * `~/.config/mcpward`. Never inside a project.
 */
export function configRoot(env: Env = process.env): string {
  return (
    nonEmpty(env.MCPWARD_CONFIG_DIR) ??
    join(nonEmpty(env.XDG_CONFIG_HOME) ?? join(homedir(), ".config"), "mcpward")
  );
}

/** Files of one daemon under the runtime directory. */
export interface DaemonPaths {
  /** `<runtime>/<projectId>`: holds the daemons of one project. */
  projectDir: string;
  socket: string;
  /** 0600 metadata: pid, start time, versions, hello secret. */
  meta: string;
  lock: string;
}

/** Where one daemon's socket, metadata and lock file live. */
export function daemonPaths(root: string, projectId: string, daemonId: string): DaemonPaths {
  const projectDir = join(root, projectId);
  return {
    projectDir,
    socket: join(projectDir, `${daemonId}.sock`),
    meta: join(projectDir, `${daemonId}.json`),
    lock: join(projectDir, `${daemonId}.lock`),
  };
}

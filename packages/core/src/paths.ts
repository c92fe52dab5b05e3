import { homedir, tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

type Env = Readonly<Record<string, string | undefined>>;

function uid(): number | string {
  return typeof process.getuid === "function" ? process.getuid() : "user";
}

/** An `MCPWARD_*` directory: unset when empty, made absolute when relative. */
function explicitDir(value: string | undefined): string | undefined {
  return value !== undefined && value !== "" ? resolve(value) : undefined;
}

/**
 * An XDG base directory: the XDG spec says a relative one is invalid and must
 * be ignored (honouring it would put sockets or logs in the project directory).
 */
function xdgDir(value: string | undefined): string | undefined {
  return value !== undefined && isAbsolute(value) ? value : undefined;
}

/**
 * The runtime directory (sockets, metadata, locks): `$MCPWARD_RUNTIME_DIR`,
 * else `$XDG_RUNTIME_DIR/mcpward`, else `<tmpdir>/mcpward-<uid>`. Empty
 * variables count as unset, relative XDG ones as invalid (ignored), and a
 * relative `MCPWARD_*` directory is made absolute against the current one. macOS's
 * per-user tmpdir is long enough to push socket paths over the 104-byte
 * AF_UNIX limit, so there `/tmp` is used instead.
 */
export function runtimeRoot(env: Env = process.env): string {
  const explicit = explicitDir(env.MCPWARD_RUNTIME_DIR);
  if (explicit) return explicit;
  const xdg = xdgDir(env.XDG_RUNTIME_DIR);
  if (xdg) return join(xdg, "mcpward");
  const base = process.platform === "darwin" && tmpdir().length > 40 ? "/tmp" : tmpdir();
  return join(base, `mcpward-${uid()}`);
}

/**
 * The state directory (daemon logs, audit log): `$MCPWARD_STATE_DIR`, else
 * `$XDG_STATE_HOME/mcpward`, else `~/.local/state/mcpward` (empty and relative
 * values as for {@link runtimeRoot}).
 */
export function stateRoot(env: Env = process.env): string {
  return (
    explicitDir(env.MCPWARD_STATE_DIR) ??
    join(xdgDir(env.XDG_STATE_HOME) ?? join(homedir(), ".local", "state"), "mcpward")
  );
}

/**
 * The user configuration directory (user config, trust store):
 * `$MCPWARD_CONFIG_DIR`, else `$XDG_CONFIG_HOME/mcpward`, else
 * `~/.config/mcpward` (empty and relative values as for {@link runtimeRoot}).
 * Never inside a project.
 */
export function configRoot(env: Env = process.env): string {
  return (
    explicitDir(env.MCPWARD_CONFIG_DIR) ??
    join(xdgDir(env.XDG_CONFIG_HOME) ?? join(homedir(), ".config"), "mcpward")
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

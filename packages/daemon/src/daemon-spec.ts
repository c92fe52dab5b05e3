import * as v from "valibot";

const Seconds = v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(7 * 86_400)));
const EnvName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/));
const Path = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));

/** Per-daemon settings a client may set (seconds). */
export const DaemonSettingsSchema = v.object({
  idleTimeout: Seconds,
  toolTimeout: Seconds,
  startupTimeout: Seconds,
});

/**
 * What a client hands a daemon it starts, on stdin (never argv, which other
 * users can read): the server, the project and the ids the client computed.
 */
export const DaemonSpecSchema = v.object({
  command: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
  args: v.pipe(v.array(v.pipe(v.string(), v.maxLength(128 * 1024))), v.maxLength(4096)),
  env: v.pipe(
    v.record(EnvName, v.pipe(v.string(), v.maxLength(128 * 1024))),
    v.check((e) => Object.keys(e).length <= 1024),
  ),
  projectDir: Path,
  projectId: v.pipe(v.string(), v.regex(/^[0-9a-f]{16}$/)),
  daemonId: v.pipe(v.string(), v.regex(/^[0-9a-f]{24}$/)),
  runtimeDir: Path,
  stateDir: Path,
  settings: v.optional(DaemonSettingsSchema, {}),
  /** `--yes`: an ask about starting the server is approved for this start. */
  approve: v.optional(v.boolean()),
  /** Config profile (`--profile` or MCPWARD_PROFILE). */
  profile: v.optional(v.pipe(v.string(), v.maxLength(128))),
  /**
   * `mcpward -s <name>`: the config server this is. Its rules apply (not the
   * command line's) and the name is part of the daemon id.
   */
  serverName: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/))),
});

/** A validated daemon spec. */
export type DaemonSpec = v.InferOutput<typeof DaemonSpecSchema>;
/** Per-daemon settings in seconds. */
export type DaemonSettings = v.InferOutput<typeof DaemonSettingsSchema>;

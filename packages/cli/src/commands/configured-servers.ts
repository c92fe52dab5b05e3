import { existsSync } from "node:fs";
import { join } from "node:path";
import { computeDaemonId } from "@mcpward/core/light";

/** A server named in the project's `mcpward.config.json`. */
export interface ConfiguredServer {
  name: string;
  /**
   * The daemon `mcpward -s <name>` runs it in, or null when its `${VAR}`s
   * are not set.
   */
  daemonId: string | null;
  /** The daemon of the same command, args and env given after `--`. */
  commandLineId: string | null;
  /** Command line as written in config (templates unexpanded, env values masked). */
  label: string;
}

/**
 * The servers the project config names (in `callProfile`, the profile of the
 * call, else the user's default profile), with the
 * daemon id `mcpward -s <name>` gives it (command, args, env and name) and
 * the one of the same command given after `--`. Reads nothing when the project has no
 * config file, and loads the policy package (valibot) only when it has one.
 *
 * @throws McpwardError `BAD_CONFIG` for an invalid config file
 */
export async function configuredServers(
  projectDir: string,
  callProfile: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ConfiguredServer[]> {
  // PROJECT_CONFIG_FILE of @mcpward/policy, which is only loaded when it exists.
  if (!existsSync(join(projectDir, "mcpward.config.json"))) return [];
  const { loadConfig, resolveNamedServer } = await import("@mcpward/policy");
  const config = loadConfig({ projectDir, env, profile: callProfile });
  const out: ConfiguredServer[] = [];
  for (const summary of config.merged.servers) {
    if (summary.origin !== "project") continue;
    const profile = summary.jsonPath.startsWith("profiles.") ? config.profile : null;
    const entry =
      profile === null
        ? config.project?.servers?.[summary.name]
        : config.project?.profiles?.[profile]?.servers?.[summary.name];
    if (entry === undefined) continue;
    let daemonId: string | null = null;
    let commandLineId: string | null = null;
    try {
      const server = resolveNamedServer(config, summary.name);
      const spec = { command: server.command, args: server.args, env: server.env };
      // As `mcpward -s <name>` and `mcpward … -- <server>` compute them.
      daemonId = computeDaemonId(
        { ...spec, name: server.name, profile: config.profile ?? undefined },
        config.projectDir,
      );
      commandLineId = computeDaemonId({ ...spec, profile: callProfile }, config.projectDir);
    } catch {
      // A `${VAR}` that is not set: it cannot be running either.
    }
    const envNames = Object.keys(entry.env ?? {})
      .sort()
      .map((name) => `${name}=***`);
    out.push({
      name: summary.name,
      daemonId,
      commandLineId,
      label: [...envNames, entry.command, ...(entry.args ?? [])].join(" "),
    });
  }
  return out;
}

// Only imported for `mcpward -s <name>`: @mcpward/policy (and valibot) stay
// off the warm path of a plain call.
import { McpwardError, type ServerSpec } from "@mcpward/core/light";
import {
  type LoadedConfig,
  listNamedServers,
  loadConfig,
  resolveNamedServer,
} from "@mcpward/policy";
import { didYouMean } from "./did-you-mean.js";
import type { Settings } from "./settings.js";

/** A config server resolved for {@link ensureDaemon}. */
export interface NamedSpec {
  name: string;
  spec: ServerSpec;
  /** The profile it was resolved in, for the daemon. */
  profile: string | null;
  /** The server's `timeouts` from config, as settings (the command line wins). */
  settings: Settings;
  /** What an approval of a project config server is tied to (its entry and the rules around it). */
  configHash: string;
  /** True for a project config server: it starts only once approved. */
  needsApproval: boolean;
}

function usage(message: string, data: Record<string, unknown>): McpwardError {
  return new McpwardError("USAGE", message, { data });
}

/**
 * Resolves `mcpward -s <name>` in the current project: the config files,
 * the profile (`--profile`, else MCPWARD_PROFILE, else `defaultProfile`) and
 * `${VAR}` expansion from the environment.
 *
 * @throws McpwardError `USAGE` for an unknown profile or server name (listing
 *   the known ones, with a did-you-mean), `BAD_CONFIG` for a config problem
 */
export function resolveNamed(
  name: string,
  profile: string | undefined,
  projectDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): NamedSpec {
  let config: LoadedConfig;
  try {
    config = loadConfig({ projectDir, env, profile });
  } catch (error) {
    if (McpwardError.isInstance(error) && /unknown profile/.test(error.message)) {
      throw new McpwardError("USAGE", error.message, { data: { flag: "--profile" } });
    }
    throw error;
  }
  const names = listNamedServers(config).map((s) => s.name);
  if (!names.includes(name)) {
    const elsewhere = config.profiles.filter((p) =>
      listNamedServers(config, p).some((s) => s.name === name),
    );
    const suggestions = didYouMean(name, names);
    const where = config.profile === null ? "" : ` in profile "${config.profile}"`;
    const hints = [
      ...(suggestions.length > 0 ? [`did you mean ${suggestions.join(" or ")}?`] : []),
      ...(elsewhere.length > 0
        ? [
            `it exists in profile ${elsewhere.map((p) => `"${p}"`).join(", ")}: add --profile ${elsewhere[0]}`,
          ]
        : []),
      names.length > 0
        ? `known servers: ${names.join(", ")}`
        : 'no servers are declared; add one under "servers" in mcpward.config.json',
    ];
    throw usage(`no server named "${name}"${where}; ${hints.join("; ")}`, {
      server: name,
      known: names,
      suggestions,
    });
  }
  const server = resolveNamedServer(config, name, config.profile, env);
  const settings: Settings = {};
  if (server.timeouts.idle !== undefined) settings.idleTimeout = server.timeouts.idle;
  if (server.timeouts.tool !== undefined) settings.toolTimeout = server.timeouts.tool;
  if (server.timeouts.startup !== undefined) settings.startupTimeout = server.timeouts.startup;
  return {
    name: server.name,
    spec: { command: server.command, args: server.args, env: { ...server.env } },
    profile: server.profile,
    settings,
    configHash: server.configHash,
    needsApproval: server.needsApproval,
  };
}

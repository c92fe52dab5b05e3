import { computeDaemonId } from "@mcpward/core";
import { type EffectiveRules, type LoadedConfig, resolveNamedServer } from "@mcpward/policy";

/** How a daemon looks after its server, from config. */
export interface LifecycleSettings {
  /** Restart the server when its executable or script changes. */
  restartOnChange: boolean;
  /** Memory limit of the server's process group in MiB, or null for none. */
  memoryLimitMb: number | null;
}

/**
 * The lifecycle settings for one server: those of the named server in config
 * whose identity (command, args, env) is this daemon's, else the rules for a
 * server given on the command line. Only these settings are taken from a
 * matching named server; its policy rules are not.
 */
export function lifecycleSettings(
  config: LoadedConfig,
  commandLine: EffectiveRules,
  daemonId: string,
): LifecycleSettings {
  let rules = commandLine;
  for (const { name } of config.merged.servers) {
    try {
      const server = resolveNamedServer(config, name);
      const id = computeDaemonId(
        { command: server.command, args: server.args, env: server.env },
        config.projectDir,
      );
      if (id === daemonId) {
        rules = server.rules;
        break;
      }
    } catch {
      // A server whose ${VAR} is not set cannot be this one.
    }
  }
  return { restartOnChange: rules.restartOnChange, memoryLimitMb: rules.memoryLimitMb };
}

import {
  type Decision,
  type LoadedConfig,
  PluginHost,
  type PluginStatus,
  type ServerInfo,
  type TrustStore,
} from "@mcpward/policy";
import type { EvaluatedServer } from "./policy-server.js";

/** A configured plugin's state, and which config named it. */
export type PluginReport = PluginStatus & { origin: string };

/**
 * Loads the configured policy plugins (project ones only when approved in
 * the trust store), asks each about starting the server, and reports their
 * state; the workers are closed before it returns.
 */
export async function pluginDecisions(
  server: EvaluatedServer,
  config: LoadedConfig,
  store: TrustStore,
): Promise<{ statuses: PluginReport[]; decisions: Decision[] }> {
  const policies = config.merged.rules.policies;
  if (policies.length === 0) return { statuses: [], decisions: [] };
  const host = await PluginHost.create({
    projectDir: server.projectDir,
    specifiers: policies,
    isApproved: (plugin) =>
      store.isPolicyApproved({
        projectDir: server.projectDir,
        specifier: plugin.specifier,
        contentHash: plugin.contentHash,
      }),
  });
  try {
    const { spec, classification } = server;
    const info: ServerInfo = {
      command: spec.command,
      executable: classification.executable,
      script: classification.script,
      args: spec.args,
      envNames: Object.keys(spec.env).sort(),
      name: null,
      trustLevel: classification.level,
    };
    const decisions = await host.checkServerStart({ server: info, projectDir: server.projectDir });
    const statuses = host.plugins.map((status, i) => ({
      ...status,
      origin: policies[i]?.origin ?? "project",
    }));
    return { statuses, decisions };
  } finally {
    await host.close();
  }
}

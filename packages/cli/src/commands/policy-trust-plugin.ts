// `mcpward policy trust|revoke --plugin <specifier>`: approving a policy
// plugin that the project's mcpward.config.json names. Until approved, such a
// plugin is not loaded and turns every decision into a deny
// (`plugin.unapproved`): it would run code from the project.
import { McpwardError } from "@mcpward/core/light";
import {
  type LoadedConfig,
  listNamedServers,
  loadConfig,
  resolveNamedServer,
  resolvePolicy,
  TrustStore,
} from "@mcpward/policy";
import type { CommandContext } from "./command-context.js";
import { currentProject } from "./daemon-target.js";
import { printOutcome, shortHash } from "./policy-output.js";

/** The plugin specifiers the project config names, in its rules and its servers' rules. */
function projectPlugins(config: LoadedConfig): string[] {
  const found = new Set<string>();
  const add = (policies: readonly { specifier: string; origin: string }[]): void => {
    for (const p of policies) if (p.origin === "project") found.add(p.specifier);
  };
  add(config.merged.rules.policies);
  for (const { name } of listNamedServers(config)) {
    try {
      add(resolveNamedServer(config, name).rules.policies);
    } catch {
      // A server whose ${VAR} is not set: its plugins are named elsewhere or not at all.
    }
  }
  return [...found];
}

function onlyPlugin(context: CommandContext, command: string): void {
  if (context.serverTokens !== undefined || context.serverName !== undefined) {
    throw new McpwardError(
      "USAGE",
      `--plugin names a policy plugin; do not also give a server. Use either mcpward policy ${command} --plugin <specifier> or mcpward policy ${command} -- <server command>`,
    );
  }
}

/**
 * Approves the project-config policy plugin `specifier` for this project,
 * tied to the content hash of its file (a change asks again).
 *
 * @returns 0
 * @throws McpwardError `USAGE` for a specifier the project config does not
 *   name; `BAD_CONFIG`; the resolver's error for a plugin that cannot be found
 */
export async function trustPlugin(context: CommandContext, specifier: string): Promise<number> {
  onlyPlugin(context, "trust");
  const projectDir = currentProject();
  const config = loadConfig({ projectDir, env: process.env, profile: context.profile });
  const configured = projectPlugins(config);
  if (!configured.includes(specifier)) {
    throw new McpwardError(
      "USAGE",
      `"${specifier}" is not a policy plugin of this project's config; ${configured.length > 0 ? `its plugins: ${configured.join(", ")}` : 'it names none (add one under "policies" in mcpward.config.json)'}`,
      { data: { flag: "--plugin", known: configured } },
    );
  }
  const { path, contentHash } = await resolvePolicy(projectDir, { specifier, origin: "project" });
  const store = TrustStore.open(process.env);
  const approval = { projectDir, specifier, contentHash };
  const already = store.isPolicyApproved(approval);
  if (!already) store.approvePolicy(approval);
  const lines = [
    `${already ? "already trusted" : "trusted"}: policy plugin "${specifier}" of ${projectDir}`,
    `  file ${path}`,
    `  content ${shortHash(contentHash)} (a change to the file asks again)`,
    `  stored in ${store.path}`,
  ];
  await printOutcome(
    context,
    {
      trusted: true,
      alreadyTrusted: already,
      plugin: specifier,
      path,
      contentHash,
      projectDir,
      trustStore: store.path,
    },
    `${lines.join("\n")}\n`,
  );
  return 0;
}

/**
 * Removes this project's approval of the policy plugin `specifier`: it is
 * not loaded again (every decision deny) until approved again.
 *
 * @returns 0, also when there was nothing to revoke
 */
export async function revokePlugin(context: CommandContext, specifier: string): Promise<number> {
  onlyPlugin(context, "revoke");
  const projectDir = currentProject();
  const removed = TrustStore.open(process.env).revokePolicy({ projectDir, specifier });
  await printOutcome(
    context,
    { revoked: removed, plugin: specifier, projectDir },
    removed === 0
      ? `nothing to revoke: no approval of policy plugin "${specifier}" in ${projectDir}\n`
      : `revoked the approval of policy plugin "${specifier}" in ${projectDir} (it is not loaded until approved again)\n`,
  );
  return 0;
}

// `mcpward -s <name> policy trust|revoke`: approving a server declared in the
// project's mcpward.config.json ahead of its first start, as answering
// "always" to its prompt would, and taking that approval back.
import { TrustStore } from "@mcpward/policy";
import { resolveNamed } from "../named-server.js";
import { serverLabel } from "../server-label.js";
import type { CommandContext } from "./command-context.js";
import { currentProject } from "./daemon-target.js";
import { printOutcome, shortHash } from "./policy-output.js";

/**
 * Approves the config server `name` for this project: tied to its config
 * entry and the project rules around it (a change asks again). A server from
 * the user's own config needs no approval, and nothing is stored.
 *
 * @returns 0
 * @throws McpwardError `USAGE` for an unknown name or profile; `BAD_CONFIG`
 */
export async function trustNamedServer(context: CommandContext, name: string): Promise<number> {
  const projectDir = currentProject();
  const named = resolveNamed(name, context.profile, projectDir);
  const label = serverLabel(named.spec);
  const facts = {
    server: named.name,
    command: label,
    projectDir,
    profile: named.profile,
    configHash: named.configHash,
  };
  if (!named.needsApproval) {
    await printOutcome(
      context,
      { trusted: false, ...facts },
      `nothing to trust: server "${named.name}" comes from your user config and starts without approval\n`,
    );
    return 0;
  }
  const store = TrustStore.open(process.env);
  const approval = { projectDir, name: named.name, configHash: named.configHash };
  const already = store.isConfigServerApproved(approval);
  if (!already) store.approveConfigServer(approval);
  const lines = [
    `${already ? "already trusted" : "trusted"}: server "${named.name}" of ${projectDir}${named.profile === null ? "" : ` (profile ${named.profile})`}`,
    `  command ${label}`,
    `  config entry ${shortHash(named.configHash)} (a change to the entry or to the project rules around it asks again)`,
    `  stored in ${store.path}`,
  ];
  await printOutcome(
    context,
    { trusted: true, alreadyTrusted: already, ...facts, trustStore: store.path },
    `${lines.join("\n")}\n`,
  );
  return 0;
}

/**
 * Removes this project's approval of the config server `name` (whatever
 * entry it was given for): its next start asks again.
 *
 * @returns 0, also when there was nothing to revoke
 */
export async function revokeNamedServer(context: CommandContext, name: string): Promise<number> {
  const projectDir = currentProject();
  const removed = TrustStore.open(process.env).revokeConfigServer({ projectDir, name });
  await printOutcome(
    context,
    { revoked: removed, server: name, projectDir },
    removed === 0
      ? `nothing to revoke: no approval of server "${name}" in ${projectDir}\n`
      : `revoked the approval of server "${name}" in ${projectDir} (its next start asks again)\n`,
  );
  return 0;
}
